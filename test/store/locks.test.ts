import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readLock, readLockSync } from "../../src/store/locks.js";
import { readProcStartTime } from "../../src/store/proc.js";
import { makeTempDir, writeLock } from "../fixtures/store-builder.js";
import { REAL_OPENCLAW } from "../fixtures/real-openclaw.js";

const T0 = Date.parse("2026-11-21T20:33:21.824Z");

function lockPath(): string {
  return path.join(makeTempDir(), "s.jsonl.lock");
}

describe("readLock", () => {
  it("a lock held by this process is alive, with every body field", async () => {
    const p = writeLock(lockPath(), { pid: process.pid, createdAt: T0, starttime: readProcStartTime(process.pid), maxHoldMs: 300000 });
    const l = (await readLock(p))!;
    expect(l).toMatchObject({ path: p, pid: process.pid, createdAt: T0, maxHoldMs: 300000, owner: "alive" });
    expect(l.starttime).toBe(readProcStartTime(process.pid));
    expect(l.mtimeMs).toBe(fs.statSync(p).mtimeMs);
  });

  it("a lock of an exited process is dead", async () => {
    const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
    await new Promise((r) => child.on("exit", r));
    const l = (await readLock(writeLock(lockPath(), { pid: child.pid!, createdAt: T0 })))!;
    expect(l.owner).toBe("dead");
  });

  it("a live pid with the wrong starttime is reused", async () => {
    const st = readProcStartTime(process.pid)!;
    const l = (await readLock(writeLock(lockPath(), { pid: process.pid, createdAt: T0, starttime: st + 7 })))!;
    expect(l.owner).toBe("reused");
  });

  it.each([
    ["empty", ""],
    ["half-written", '{"pid": 12'],
    ["no pid", '{"createdAt":"2026-11-21T20:33:21.824Z"}'],
    ["an array", "[1]"],
  ])("an %s body is owner unknown (held while fresh, for OpenClaw)", async (_n, body) => {
    const l = (await readLock(writeLock(lockPath(), { body })))!;
    expect(l.owner).toBe("unknown");
    expect(l.pid).toBeUndefined();
  });

  it("keeps createdAt from a body without pid", async () => {
    const l = (await readLock(writeLock(lockPath(), { body: '{"createdAt":"2026-11-21T20:33:21.824Z"}' })))!;
    expect(l.createdAt).toBe(T0);
  });

  it("a proper-lockfile directory at the path is held by someone unknown", async () => {
    const p = lockPath();
    fs.mkdirSync(p);
    expect((await readLock(p))!.owner).toBe("unknown");
  });

  it("undefined when there is no lock", async () => {
    expect(await readLock(lockPath())).toBeUndefined();
  });

  it("reads the real s2 lock (2026.7.1 body with maxHoldMs)", async () => {
    const l = (await readLock(path.join(REAL_OPENCLAW, "s2-live-waiting-model/state/agents/main/sessions/fc4ca43d-e885-46ff-af9b-f20dc6eea468.jsonl.lock")))!;
    expect(l).toMatchObject({ pid: 23939, createdAt: T0, starttime: 434168, maxHoldMs: 300000 });
    expect(["dead", "reused"]).toContain(l.owner);
  });

  it("undefined under a file (ENOTDIR) and for a dangling symlink; a symlinked lock is read", async () => {
    const dir = makeTempDir();
    const file = path.join(dir, "s.jsonl");
    fs.writeFileSync(file, "");
    expect(await readLock(path.join(file, "x.lock"))).toBeUndefined();
    fs.symlinkSync(path.join(dir, "gone"), path.join(dir, "dangling.lock"));
    expect(await readLock(path.join(dir, "dangling.lock"))).toBeUndefined();
    const real = writeLock(path.join(dir, "real.lock"), { pid: process.pid, createdAt: T0 });
    fs.symlinkSync(real, path.join(dir, "link.lock"));
    expect(await readLock(path.join(dir, "link.lock"))).toMatchObject({ pid: process.pid, createdAt: T0, owner: "alive" });
  });

  it("a FIFO at the lock path is held by someone unknown, and read without blocking", async () => {
    const p = lockPath();
    execFileSync("mkfifo", [p]);
    expect(await readLock(p)).toMatchObject({ path: p, owner: "unknown" });
  });

  it("readLockSync answers what readLock answers", async () => {
    const dir = makeTempDir();
    const paths = [
      writeLock(path.join(dir, "a.lock"), { pid: process.pid, createdAt: T0, maxHoldMs: 5 }),
      writeLock(path.join(dir, "b.lock"), { body: "" }),
      writeLock(path.join(dir, "c.lock"), { body: `{"pid": ${process.pid}, "pad": "${"x".repeat(70 * 1024)}"}` }),
      path.join(dir, "missing.lock"),
    ];
    fs.mkdirSync(path.join(dir, "d.lock"));
    paths.push(path.join(dir, "d.lock"));
    for (const p of paths) expect(readLockSync(p), p).toEqual(await readLock(p));
    // a body past 64 KiB is cut, so it does not parse: unknown, as before
    expect(readLockSync(paths[2])!.owner).toBe("unknown");
  });
});

