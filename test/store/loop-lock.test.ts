import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/core/errors.js";
import {
  acquireLoopLock,
  judgeHolder,
  LOOP_LOCK_SUFFIX,
  loopLockPath,
  LoopLockBusyError,
  readLoopLock,
  removeOurWriterLocks,
} from "../../src/store/loop-lock.js";
import { readProcStartTime } from "../../src/store/proc.js";

const dirs: string[] = [];
const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function store(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-looplock-"));
  dirs.push(dir);
  const p = path.join(dir, "sessions.json");
  fs.writeFileSync(p, "{}");
  return p;
}

async function exitedPid(): Promise<{ pid: number; starttime: number }> {
  const c = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  const pid = c.pid!;
  const starttime = readProcStartTime(pid) ?? 0;
  await new Promise((r) => c.on("exit", r));
  return { pid, starttime };
}

function liveChild(): { pid: number; starttime: number } {
  const c = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e9)"], { stdio: "ignore" });
  children.push(c);
  return { pid: c.pid!, starttime: readProcStartTime(c.pid!)! };
}

const body = (o: Record<string, unknown>) => JSON.stringify({ hostname: os.hostname(), startedAt: "2026-07-01T12:00:00.000Z", ...o });

describe("acquireLoopLock", () => {
  it("creates a 0600 pid file beside the index naming this process, and removes it on release", () => {
    const p = store();
    const lock = acquireLoopLock(p);
    expect(lock.path).toBe(`${p}${LOOP_LOCK_SUFFIX}`);
    expect(path.basename(lock.path)).toBe("sessions.json.openclaw-sessions-keepalive.pid");
    const held = JSON.parse(fs.readFileSync(lock.path, "utf8"));
    expect(held).toMatchObject({ pid: process.pid, starttime: readProcStartTime(process.pid), hostname: os.hostname() });
    expect(Number.isFinite(Date.parse(held.startedAt))).toBe(true);
    expect(fs.statSync(lock.path).mode & 0o777).toBe(0o600);
    expect(lock.held()).toBe(true);
    lock.release();
    expect(fs.existsSync(lock.path)).toBe(false);
    expect(lock.held()).toBe(false);
    lock.release(); // twice is fine
  });

  it("a second acquire while held is refused with exit 5, naming the holder", () => {
    const p = store();
    const lock = acquireLoopLock(p);
    let err: unknown;
    try {
      acquireLoopLock(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoopLockBusyError);
    expect((err as LoopLockBusyError).exitCode).toBe(EXIT.busy);
    expect((err as Error).message).toBe(`another keepalive already runs on ${p}: pid ${process.pid} (this process), since ${JSON.parse(fs.readFileSync(lock.path, "utf8")).startedAt} holds ${lock.path} (stop it first; one loop per store)`);
    expect((err as LoopLockBusyError).holder?.pid).toBe(process.pid);
    lock.release();
  });

  it("is refused while another live process holds it", () => {
    const p = store();
    const other = liveChild();
    fs.writeFileSync(loopLockPath(p), body(other));
    expect(() => acquireLoopLock(p)).toThrow(new RegExp(`pid ${other.pid}, since 2026-07-01T12:00:00.000Z holds`));
    expect(JSON.parse(fs.readFileSync(loopLockPath(p), "utf8")).pid).toBe(other.pid);
  });

  it("takes over the file of a dead holder, and of a pid now used by another process", async () => {
    const p = store();
    const gone = await exitedPid();
    fs.writeFileSync(loopLockPath(p), body(gone));
    const a = acquireLoopLock(p);
    expect(JSON.parse(fs.readFileSync(a.path, "utf8")).pid).toBe(process.pid);
    a.release();

    const alive = liveChild();
    fs.writeFileSync(loopLockPath(p), body({ pid: alive.pid, starttime: alive.starttime + 1 }));
    const b = acquireLoopLock(p);
    expect(JSON.parse(fs.readFileSync(b.path, "utf8")).pid).toBe(process.pid);
    b.release();
  });

  it("an empty (just created) file is held for 10 s, then taken over", () => {
    const p = store();
    const lp = loopLockPath(p);
    fs.writeFileSync(lp, "");
    expect(() => acquireLoopLock(p)).toThrow(/a keepalive that is just starting holds/);
    const old = (Date.now() - 11_000) / 1000;
    fs.utimesSync(lp, old, old);
    acquireLoopLock(p).release();
    expect(fs.existsSync(lp)).toBe(false);
  });

  it("never takes over a holder on another host (its pid cannot be checked here)", async () => {
    const p = store();
    const gone = await exitedPid();
    fs.writeFileSync(loopLockPath(p), body({ ...gone, hostname: "elsewhere.example" }));
    expect(() => acquireLoopLock(p)).toThrow(new RegExp(`pid ${gone.pid} on host elsewhere\\.example`));
  });

  it("lives beside the REAL index when sessions.json is a symlink", () => {
    const real = store();
    const linkDir = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-looplink-"));
    dirs.push(linkDir);
    const link = path.join(linkDir, "sessions.json");
    fs.symlinkSync(real, link);
    const lock = acquireLoopLock(link);
    expect(lock.path).toBe(`${fs.realpathSync(real)}${LOOP_LOCK_SUFFIX}`);
    expect(() => acquireLoopLock(real)).toThrow(LoopLockBusyError);
    lock.release();
  });

  it("release leaves a file that is no longer ours alone", () => {
    const p = store();
    const lock = acquireLoopLock(p);
    const other = liveChild();
    fs.writeFileSync(lock.path, body(other));
    expect(lock.held()).toBe(false);
    lock.release();
    expect(JSON.parse(fs.readFileSync(lock.path, "utf8")).pid).toBe(other.pid);
  });

  it("fails with a write refusal (exit 4) when the pid file cannot be created", () => {
    const p = path.join(path.dirname(store()), "gone", "sessions.json");
    let err: unknown;
    try {
      acquireLoopLock(p);
    } catch (e) {
      err = e;
    }
    expect((err as { exitCode?: number }).exitCode).toBe(EXIT.writeRefused);
    expect((err as Error).message).toMatch(new RegExp(`^cannot create the keepalive lock .*gone/sessions\\.json\\.openclaw-sessions-keepalive\\.pid for ${p.replace(/[.]/g, "\\.")}: ENOENT`));
  });
});

describe("readLoopLock / judgeHolder", () => {
  it("reports the holder and whether it is stale", async () => {
    const p = store();
    expect(readLoopLock(p)).toBeUndefined();
    const lock = acquireLoopLock(p);
    expect(readLoopLock(p)).toMatchObject({ path: lock.path, holder: { pid: process.pid }, verdict: { stale: false } });
    lock.release();
    const gone = await exitedPid();
    fs.writeFileSync(loopLockPath(p), body(gone));
    expect(readLoopLock(p)?.verdict).toMatchObject({ stale: true, why: `pid ${gone.pid} is dead` });
  });

  it("garbage is someone starting up until it is 10 s old", () => {
    expect(judgeHolder("{not json", 1_000, 5_000)).toMatchObject({ stale: false });
    expect(judgeHolder("{not json", 1_000, 12_000)).toMatchObject({ stale: true, why: "unreadable and older than 10 s" });
    expect(judgeHolder(JSON.stringify({ pid: -3 }), 1_000, 12_000)).toMatchObject({ stale: true });
  });
});

describe("removeOurWriterLocks", () => {
  it("removes the writer's lock files that name this process, and nothing else", () => {
    const p = store();
    const own = `${p}.openclaw-sessions.lock`;
    fs.mkdirSync(own);
    fs.writeFileSync(`${own}.owner`, JSON.stringify({ pid: process.pid, hostname: os.hostname() }));
    fs.writeFileSync(`${p}.lock`, JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString() }));
    removeOurWriterLocks(p);
    expect(fs.readdirSync(path.dirname(p))).toEqual(["sessions.json"]);

    const other = liveChild();
    fs.mkdirSync(own);
    fs.writeFileSync(`${own}.owner`, JSON.stringify({ pid: other.pid, hostname: os.hostname() }));
    fs.writeFileSync(`${p}.lock`, JSON.stringify({ pid: other.pid, createdAt: new Date().toISOString() }));
    removeOurWriterLocks(p);
    expect(fs.readdirSync(path.dirname(p)).sort()).toEqual(["sessions.json", "sessions.json.lock", "sessions.json.openclaw-sessions.lock", "sessions.json.openclaw-sessions.lock.owner"]);
  });
});

describe("acquireLoopLock on a store of another user", () => {
  it.runIf(process.getuid?.() === 0)("run as root on a user's index, the pid file is the user's: a root loop killed cannot block theirs", () => {
    const p = store();
    fs.chownSync(p, 65534, 65534);
    const lock = acquireLoopLock(p);
    expect(fs.statSync(lock.path)).toMatchObject({ uid: 65534, gid: 65534 });
    lock.release();
  });

  const refusal = (p: string): Error & { exitCode?: number } => {
    try {
      acquireLoopLock(p);
    } catch (e) {
      return e as Error & { exitCode?: number };
    }
    throw new Error("acquired");
  };

  it("a directory at the pid file's path is refused (exit 4) as not a keepalive lock, saying to remove it, and left alone", () => {
    const p = store();
    fs.mkdirSync(loopLockPath(p));
    const err = refusal(p);
    expect(err).not.toBeInstanceOf(LoopLockBusyError);
    expect(err.exitCode).toBe(EXIT.writeRefused);
    expect(err.message).toContain(`${loopLockPath(p)} is not a keepalive lock (it is a directory): remove it`);
    expect(fs.statSync(loopLockPath(p)).isDirectory()).toBe(true);
  });

  it("a symlink to nothing there (O_EXCL cannot create through it, stat finds nothing) is refused at once (exit 4), not retried as a race", () => {
    const p = store();
    fs.symlinkSync("/nonexistent/keepalive.pid", loopLockPath(p));
    const err = refusal(p);
    expect(err.exitCode).toBe(EXIT.writeRefused);
    expect(err.message).toContain(`${loopLockPath(p)} is not a keepalive lock (it is a symlink to /nonexistent/keepalive.pid, which does not exist)`);
    expect(err.message).not.toMatch(/keeps changing/);
    expect(fs.readlinkSync(loopLockPath(p))).toBe("/nonexistent/keepalive.pid");
  });

  it("a symlink to itself (a loop) is refused the same way, saying it cannot be followed", () => {
    const p = store();
    fs.symlinkSync(path.basename(loopLockPath(p)), loopLockPath(p));
    const err = refusal(p);
    expect(err.exitCode).toBe(EXIT.writeRefused);
    expect(err.message).toContain(`which cannot be followed (ELOOP)`);
  });
});
