// The era A store lock: a live, fresh holder is waited for and never robbed; a dead, reused or
// old holder is removed, as OpenClaw itself does.
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { EXIT, WriteRefusedError } from "../../../src/core/errors.js";
import { applyPatches } from "../../../src/store/writer/index.js";
import { judgeLock } from "../../../src/store/writer/lock-gateway.js";
import { readProcStartTime as procStartTime } from "../../../src/store/proc.js";
import { applyOnce, giveStoreTo, IS_ROOT, NOBODY, removeOthersCopy } from "./helpers/as-user.js";
import { FIXTURES } from "./helpers/build.js";
import { deadPid, spawnNode, type Child } from "./helpers/procs.js";
import { entry, makeStore, patchFor, type TempStore } from "./helpers/store.js";

let store: TempStore | undefined;
const children: Child[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.proc.kill("SIGKILL");
    await c.exited;
  }
  store?.cleanup();
  store = undefined;
});
afterAll(removeOthersCopy);

const HOLDER = path.join(FIXTURES, "hold-gateway-lock.mjs");

function hold(s: TempStore, ms: number | "until-signal", kind = ""): Child {
  const c = spawnNode(HOLDER, [s.storePath, String(ms), kind]);
  children.push(c);
  return c;
}

function writeLock(s: TempStore, body: string, ageMs = 0): string {
  const p = `${s.storePath}.lock`;
  fs.writeFileSync(p, body);
  if (ageMs) {
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(p, t, t);
  }
  return p;
}

describe("judgeLock", () => {
  const now = Date.parse("2026-07-01T12:00:00Z");
  const iso = (ms: number) => new Date(ms).toISOString();
  const me = { pid: process.pid, starttime: procStartTime(process.pid) };

  it.each([
    ["live owner, fresh", JSON.stringify({ pid: me.pid, createdAt: iso(now - 1000), starttime: me.starttime }), now, false],
    ["live owner without starttime", JSON.stringify({ pid: me.pid, createdAt: iso(now) }), now, false],
    ["live owner, created 31 s ago", JSON.stringify({ pid: me.pid, createdAt: iso(now - 31_000) }), now, true],
    ["pid reused (other starttime)", JSON.stringify({ pid: me.pid, createdAt: iso(now), starttime: (me.starttime ?? 0) + 1 }), now, true],
    ["empty, fresh mtime", "", now - 100, false],
    ["half written, fresh mtime", '{"pid":', now - 100, false],
    ["empty, mtime 31 s old", "", now - 31_000, true],
    ["no pid, mtime 31 s old", '{"createdAt":"x"}', now - 31_000, true],
  ])("%s -> stale %s", (_n, body, mtime, stale) => {
    expect(judgeLock(body as string, mtime as number, now).stale).toBe(stale);
  });

  it("a dead pid is stale", async () => {
    const pid = await deadPid();
    expect(judgeLock(JSON.stringify({ pid, createdAt: new Date().toISOString() }), Date.now(), Date.now())).toMatchObject({
      stale: true,
      why: `pid ${pid} is dead`,
    });
  });
});

describe("judgeLock names a live holder", () => {
  it("by its pid and command line, so a gateway can be told from another tool holding OpenClaw's lock", () => {
    const v = judgeLock(JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString() }), Date.now(), Date.now());
    const argv0 = fs.readFileSync(`/proc/${process.pid}/cmdline`, "utf8").split("\0")[0]!;
    expect(v).toMatchObject({ stale: false });
    expect((v as { holder: string }).holder.startsWith(`pid ${process.pid} (${argv0}`)).toBe(true);
  });
});

describe("taking the gateway's sessions.json.lock", () => {
  it("holds it as a plain file with OpenClaw's body, and removes it afterwards", async () => {
    store = makeStore({ a: entry("A", 1) });
    let seen: { isFile: boolean; body: Record<string, unknown> } | undefined;
    await applyPatches(
      store.storePath,
      [patchFor(store, "a", { status: "done" })],
      store.opts({
        faults: {
          beforeRename: () => {
            const p = `${store!.storePath}.lock`;
            seen = { isFile: fs.statSync(p).isFile(), body: JSON.parse(fs.readFileSync(p, "utf8")) };
          },
        },
      }),
    );
    expect(seen?.isFile).toBe(true);
    expect(Object.keys(seen!.body)).toEqual(["pid", "createdAt", "starttime"]);
    expect(seen!.body.pid).toBe(process.pid);
    expect(seen!.body.starttime).toBe(procStartTime(process.pid));
    expect(new Date(seen!.body.createdAt as string).toISOString()).toBe(seen!.body.createdAt);
    expect(fs.existsSync(`${store.storePath}.lock`)).toBe(false);
  });

  it("waits for a live, fresh holder and writes only after it let go", async () => {
    store = makeStore({ a: entry("A", 1) });
    const holder = hold(store, 700);
    await holder.waitFor((l) => l === "locked");
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    await holder.exited;
    expect(holder.lines).toEqual(["locked", "index-unchanged", "intact"]);
    expect(res.wrote).toBe(true);
    expect(store.read().a.status).toBe("done");
  });

  it("gives up after gatewayLockWaitMs without robbing a live holder", async () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    // held until we have given up, however long that takes on a loaded machine (was: a fixed 3 s)
    const holder = hold(store, "until-signal");
    await holder.waitFor((l) => l === "locked");
    const run = applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ gatewayLockWaitMs: 300 }));
    await expect(run).rejects.toThrow(WriteRefusedError);
    await expect(run).rejects.toThrow(new RegExp(`held by pid ${holder.proc.pid}`));
    expect(store.bytes().equals(before)).toBe(true);
    holder.proc.kill("SIGUSR2");
    await holder.exited;
    expect(holder.lines).toEqual(["locked", "index-unchanged", "intact"]);
  });

  it("steals a lock whose pid is dead", async () => {
    store = makeStore({ a: entry("A", 1) });
    const lock = writeLock(store, JSON.stringify({ pid: await deadPid(), createdAt: new Date().toISOString() }));
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ gatewayLockWaitMs: 2000 }));
    expect(res.wrote).toBe(true);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it("steals a lock whose pid now belongs to another process (start time differs)", async () => {
    store = makeStore({ a: entry("A", 1) });
    writeLock(store, JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString(), starttime: procStartTime(process.pid)! - 5 }));
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ gatewayLockWaitMs: 2000 }));
    expect(res.wrote).toBe(true);
  });

  it("steals a live owner's lock created more than 30 s ago", async () => {
    store = makeStore({ a: entry("A", 1) });
    writeLock(store, JSON.stringify({ pid: process.pid, createdAt: new Date(Date.now() - 31_000).toISOString() }));
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ gatewayLockWaitMs: 2000 }));
    expect(res.wrote).toBe(true);
  });

  it("treats an empty or half-written fresh lock as held, and an old one as stale", async () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    for (const body of ["", '{"pid":12']) {
      const lock = writeLock(store, body);
      await expect(
        applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ gatewayLockWaitMs: 200 })),
      ).rejects.toThrow(/sessions\.json\.lock is held by a process that is still writing the lock file/);
      expect(fs.readFileSync(lock, "utf8")).toBe(body);
      expect(store.bytes().equals(before)).toBe(true);
    }
    writeLock(store, "", 31_000);
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ gatewayLockWaitMs: 2000 }));
    expect(res.wrote).toBe(true);
  });

  it("waits for an empty lock a live gateway is still filling in", async () => {
    store = makeStore({ a: entry("A", 1) });
    const holder = hold(store, 500, "empty");
    await holder.waitFor((l) => l === "locked");
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    await holder.exited;
    expect(holder.lines).toEqual(["locked", "index-unchanged", "intact"]);
    expect(res.wrote).toBe(true);
  });
});

// Each runs the writer in a child process: before the fix these spun at 100% CPU for ever (no
// sleep, no deadline, deaf to signals), which only the child's safety timeout could stop.
describe("a sessions.json.lock that cannot be read", () => {
  it("a directory there is refused at once (exit 4), saying what it is and what to do, and left alone", () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    const lock = `${store.storePath}.lock`;
    fs.mkdirSync(lock);
    // a minute's wait allowed: only a refusal that does not wait returns within the safety timeout
    const out = applyOnce(store, "a", { gatewayLockWaitMs: 60_000 });
    expect(out.status).toBe(EXIT.writeRefused);
    expect(out.result?.message).toContain(`${fs.realpathSync(lock)} is a directory, not the gateway's lock file`);
    expect(out.result?.message).toContain(`rmdir ${fs.realpathSync(lock)}`);
    expect(store.bytes().equals(before)).toBe(true);
    expect(fs.statSync(lock).isDirectory()).toBe(true);
  });

  it("a symlink to nothing there is refused at once (exit 4), saying what it is, not waited on as a lock appearing and disappearing", () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    const lock = `${store.storePath}.lock`;
    fs.symlinkSync("/nonexistent/sessions.json.lock", lock);
    const out = applyOnce(store, "a", { gatewayLockWaitMs: 60_000 });
    expect(out.status).toBe(EXIT.writeRefused);
    expect(out.result?.message).toContain(`is not the gateway's lock file (it is a symlink to /nonexistent/sessions.json.lock, which does not exist)`);
    expect(out.result?.message).not.toMatch(/appearing and disappearing/);
    expect(store.bytes().equals(before)).toBe(true);
    expect(fs.readlinkSync(lock)).toBe("/nonexistent/sessions.json.lock");
  });

  it.runIf(IS_ROOT)("another user's lock this user may not read is held by an unknown process: waited for, then refused (exit 4)", () => {
    store = makeStore({ a: entry("A", 1) });
    giveStoreTo(store, NOBODY, NOBODY);
    const before = store.bytes();
    const lock = writeLock(store, JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString() }));
    fs.chmodSync(lock, 0o600);
    const out = applyOnce(store, "a", { uid: NOBODY, gatewayLockWaitMs: 300 });
    expect(out.status).toBe(EXIT.writeRefused);
    expect(out.result?.name).toBe("WriteConflictError");
    expect(out.result?.message).toMatch(/sessions\.json\.lock exists but this user \(uid 65534\) cannot read it \(.*permission denied.*; it belongs to uid 0\): held by an unknown process/);
    expect(store.bytes().equals(before)).toBe(true);
    expect(fs.existsSync(lock)).toBe(true);
  });

  it.runIf(IS_ROOT)("a stale lock this user may not remove (sticky directory, another owner) is refused (exit 4), not retried for ever", async () => {
    store = makeStore({ a: entry("A", 1) });
    giveStoreTo(store, NOBODY, NOBODY);
    const sessions = path.dirname(store.storePath);
    fs.chownSync(sessions, 0, 0);
    fs.chmodSync(sessions, 0o1777);
    const before = store.bytes();
    const lock = writeLock(store, JSON.stringify({ pid: await deadPid(), createdAt: new Date().toISOString() }));
    const out = applyOnce(store, "a", { uid: NOBODY, gatewayLockWaitMs: 60_000 });
    expect(out.status).toBe(EXIT.writeRefused);
    expect(out.result?.message).toMatch(/sessions\.json\.lock is stale \(pid \d+ is dead\) but this user cannot remove it/);
    expect(store.bytes().equals(before)).toBe(true);
    expect(fs.existsSync(lock)).toBe(true);
  });
});
