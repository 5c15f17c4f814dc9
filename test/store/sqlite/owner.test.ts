// The era C owner: the singleton lock JSON under the state dir and the POSIX lock /proc/locks
// shows on its .lock.sqlite sibling. A killed owner not yet reaped (state Z) is dead.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readProcStartTime } from "../../../src/store/proc.js";
import { readEraCOwner, stateLockDir } from "../../../src/store/sqlite/owner.js";
import { devParts, parseProcLocks, posixWriteLock } from "../../../src/store/sqlite/proc-locks.js";
import { REAL_OPENCLAW_C } from "../../fixtures/real-openclaw-c.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "oc-owner-"));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

describe("/proc/locks", () => {
  it("parses the lines captured beside a real 2026.9.6 gateway", () => {
    const text = fs.readFileSync(path.join(REAL_OPENCLAW_C, "c2-live-waiting-model", "proc-locks.txt"), "utf8");
    const locks = parseProcLocks(text);
    expect(locks).toHaveLength(11);
    expect(locks[0]).toEqual({ kind: "WRITE", pid: 26517, major: 0xfe, minor: 0, inode: 5572300n });
    expect(locks.filter((l) => l.kind === "WRITE").map((l) => l.pid)).toEqual([26517, 26517, 26517]);
  });

  it("a WRITE lock on the file's device and inode is held; none is free; an unreadable /proc/locks is unknown", () => {
    const dir = tempDir();
    const file = path.join(dir, "gateway.abcd1234.lock.sqlite");
    fs.writeFileSync(file, "");
    const st = fs.statSync(file, { bigint: true });
    const { major, minor } = devParts(st.dev);
    const hex = (n: number) => n.toString(16).padStart(2, "0");
    const procLocks = path.join(dir, "locks");
    fs.writeFileSync(procLocks, `1: POSIX  ADVISORY  WRITE 4242 ${hex(major)}:${hex(minor)}:${st.ino} 1073741824 1073742335\n`);
    expect(posixWriteLock(file, procLocks)).toEqual({ state: "held", pid: 4242 });
    fs.writeFileSync(procLocks, `1: POSIX  ADVISORY  READ 4242 ${hex(major)}:${hex(minor)}:${st.ino} 128 128\n`);
    expect(posixWriteLock(file, procLocks)).toEqual({ state: "free" });
    expect(posixWriteLock(file, path.join(dir, "missing"))).toEqual({ state: "unknown" });
  });
});

describe("readEraCOwner", () => {
  function writeLock(stateDir: string, body: Record<string, unknown>, dir = stateLockDir(stateDir)): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "gateway.0badc0de.lock"), JSON.stringify(body));
    fs.writeFileSync(path.join(dir, "gateway.0badc0de.lock.sqlite"), "");
    // the state lock is not the gateway's singleton lock and never decides
    fs.writeFileSync(path.join(dir, "gateway.state.lock"), JSON.stringify({ pid: process.pid, startTime: readProcStartTime(process.pid) }));
  }

  it("a live pid with its start time is alive; the same pid with another start time is not", () => {
    const state = tempDir();
    writeLock(state, { pid: process.pid, startTime: readProcStartTime(process.pid), createdAt: new Date().toISOString(), role: "agent-embedded" });
    expect(readEraCOwner(state)).toMatchObject({ alive: true, pid: process.pid, role: "agent-embedded" });
    writeLock(state, { pid: process.pid, startTime: 1, createdAt: new Date().toISOString() });
    expect(readEraCOwner(state)).toMatchObject({ alive: false, role: "gateway" });
  });

  it("an owner running as another user (its lock dir named for its uid, not ours) is found", () => {
    const state = tempDir();
    const theirs = path.join(state, "tmp", `openclaw-${(process.getuid?.() ?? 0) + 4242}`);
    writeLock(state, { pid: process.pid, startTime: readProcStartTime(process.pid), createdAt: new Date().toISOString() }, theirs);
    expect(readEraCOwner(state)).toMatchObject({ alive: true, pid: process.pid, lockPath: path.join(theirs, "gateway.0badc0de.lock") });
    // a dead owner in our own dir does not hide the live one in theirs
    writeLock(state, { pid: process.pid, startTime: 1, createdAt: new Date(Date.now() + 60_000).toISOString() });
    expect(readEraCOwner(state)).toMatchObject({ alive: true, lockPath: path.join(theirs, "gateway.0badc0de.lock") });
    // a dir that only looks like one is not read
    const other = path.join(state, "tmp", "openclaw-state-locks-0");
    writeLock(state, { pid: process.pid, startTime: readProcStartTime(process.pid), createdAt: new Date(Date.now() + 120_000).toISOString() }, other);
    expect(readEraCOwner(state).lockPath).toBe(path.join(theirs, "gateway.0badc0de.lock"));
  });

  it("a killed owner not yet reaped (state Z) is dead", async () => {
    const state = tempDir();
    // the subshell exits after its parent has exec'd into sleep, which never reaps it: a zombie
    const parent = spawn("sh", ["-c", "(sleep 0.3; exit 0) & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
    cleanups.push(() => parent.kill("SIGKILL"));
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()))));
    for (let i = 0; i < 1000 && !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8")); i++) await new Promise((r) => setTimeout(r, 10));
    expect(fs.readFileSync(`/proc/${pid}/stat`, "utf8")).toMatch(/\) Z /);
    writeLock(state, { pid, startTime: readProcStartTime(pid), createdAt: new Date().toISOString() });
    expect(readEraCOwner(state)).toMatchObject({ alive: false, pid });
  });

  it("no lock JSON (a clean stop): nobody; the POSIX lock of the .lock.sqlite is still read (free)", () => {
    const state = tempDir();
    fs.mkdirSync(stateLockDir(state), { recursive: true });
    fs.writeFileSync(path.join(stateLockDir(state), "gateway.0badc0de.lock.sqlite"), "");
    expect(readEraCOwner(state)).toMatchObject({ alive: false, posixLock: "free" });
  });
});
