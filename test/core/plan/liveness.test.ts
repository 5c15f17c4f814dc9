import { describe, expect, it } from "vitest";
import { judgeOwner, lastActivityAt, lastRecordedActivityAt, lockMayBeHeld } from "../../../src/core/plan/liveness.js";
import { DAY, HOUR, item, MIN, NOW } from "./fixtures.js";

describe("judgeOwner", () => {
  const started = { entry: { status: "running", startedAt: NOW - HOUR } };
  it.each([
    ["live lock", { lock: { owner: "alive" as const } }, true, true],
    ["dead lock, live gateway", { lock: { owner: "dead" as const }, gateway: { alive: true, startedAt: NOW - DAY } }, false, false],
    ["reused lock", { lock: { owner: "reused" as const } }, false, false],
    ["unreadable fresh lock", { lock: { owner: "unknown" as const, mtimeMs: NOW - MIN } }, true, true],
    ["unreadable old lock", { lock: { owner: "unknown" as const, mtimeMs: NOW - HOUR } }, false, false],
    ["no lock, no gateway", {}, false, false],
    ["no lock, gateway lock dead but /healthz ok", { gateway: { alive: false, probe: "ok" as const } }, true, false],
    ["no lock, gateway older than the run", { gateway: { alive: true, startedAt: NOW - DAY } }, true, false],
    ["no lock, gateway start unknown", { gateway: { alive: true } }, true, false],
    ["no lock, run predates the gateway", { gateway: { alive: true, startedAt: NOW - MIN } }, false, false],
  ])("%s -> alive %s (via lock %s)", (_n, extra, alive, viaLock) => {
    const v = judgeOwner(item({ ...started, ...extra }).ev, NOW);
    expect([v.alive, v.viaLock]).toEqual([alive, viaLock]);
    expect(v.reason.length).toBeGreaterThan(10);
  });

  it("without startedAt, the last recorded activity dates the run", () => {
    const v = judgeOwner(item({ transcript: { lastEntryAt: NOW - 2 * HOUR }, gateway: { alive: true, startedAt: NOW - HOUR } }).ev, NOW);
    expect(v.alive).toBe(false);
  });

  it("lockMayBeHeld follows the same reading", () => {
    expect(lockMayBeHeld(item({ lock: { owner: "alive" } }).ev, NOW)).toBe(true);
    expect(lockMayBeHeld(item({ lock: { owner: "dead" } }).ev, NOW)).toBe(false);
    expect(lockMayBeHeld(item().ev, NOW)).toBe(false);
  });
});

describe("activity", () => {
  it("recorded activity is the newest of transcript, trajectory and startedAt; ignores mtimes and index bumps", () => {
    const { ev, hb } = item({
      entry: { startedAt: NOW - 5 * HOUR, updatedAt: NOW - MIN },
      transcript: { lastEntryAt: NOW - 3 * HOUR, mtimeMs: NOW },
      trajectory: { lastEventAt: NOW - 4 * HOUR },
      hb: { lastActivityAt: NOW - 2 * HOUR },
      lock: { owner: "dead", createdAt: NOW - 90 * MIN },
    });
    expect(lastRecordedActivityAt(ev)).toBe(NOW - 3 * HOUR);
    expect(lastActivityAt(ev, hb)).toBe(NOW - 90 * MIN);
    expect(lastRecordedActivityAt(item().ev)).toBeUndefined();
  });
});
