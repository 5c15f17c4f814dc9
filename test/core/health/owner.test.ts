import { describe, expect, it } from "vitest";
import { ownerVerdict, UNREADABLE_LOCK_HELD_MS } from "../../../src/core/health/owner.js";
import { NOW, ago, lock } from "./evidence.js";

describe("ownerVerdict", () => {
  it.each([
    ["no lock file", undefined, "none", "no transcript lock"],
    ["a live owner", lock("alive", ago(12)), "alive", "lock owner pid 4242 is alive (lock taken 12s ago)"],
    ["a dead owner", lock("dead", ago(90)), "dead", "lock owner pid 4242 is dead (lock taken 1m30s ago)"],
    ["a reused pid", lock("reused", ago(5)), "dead", "lock owner pid 4242 is gone: the pid now belongs to another process (lock taken 5s ago)"],
    [
      "an empty lock being written",
      lock("unknown", undefined, { pid: undefined, mtimeMs: ago(0.05) }),
      "alive",
      "lock body not written yet: treated as held (lock file written 50ms ago)",
    ],
    [
      "an unreadable lock past the grace",
      lock("unknown", undefined, { pid: undefined, mtimeMs: NOW - UNREADABLE_LOCK_HELD_MS - 1000 }),
      "dead",
      "lock body unreadable and old: nothing holds it (lock file written 31s ago)",
    ],
  ] as const)("%s -> %s", (_name, info, kind, reason) => {
    const owner = ownerVerdict(info, NOW);
    expect(owner.kind).toBe(kind);
    expect(owner.reason).toBe(reason);
  });

  it("dates the lock by its createdAt, else by the file's mtime", () => {
    expect(ownerVerdict(lock("alive", ago(7), { mtimeMs: ago(1) }), NOW).since).toBe(ago(7));
    expect(ownerVerdict(lock("unknown", undefined, { mtimeMs: ago(1) }), NOW).since).toBe(ago(1));
  });
});
