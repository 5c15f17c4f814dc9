// Our own lock between openclaw-sessions processes: a busy store names the holder; a holder
// killed with SIGKILL is taken over at once, without waiting for its lock to go stale.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError, EXIT } from "../../../src/core/errors.js";
import { applyPatches, ownLockPath } from "../../../src/store/writer/index.js";
import { buildWriter, FIXTURES } from "./helpers/build.js";
import { applyOnce, giveStoreTo, IS_ROOT, NOBODY, removeOthersCopy } from "./helpers/as-user.js";
import { deadPid, spawnNode } from "./helpers/procs.js";
import { entry, makeStore, patchFor, type TempStore } from "./helpers/store.js";

let build: ReturnType<typeof buildWriter>;
let store: TempStore | undefined;
beforeAll(() => {
  build = buildWriter();
});
afterAll(() => {
  build?.cleanup();
  store?.cleanup();
  removeOthersCopy();
});

it("another process's write: exit 5 naming its pid; after it is SIGKILLed, taken over at once", async () => {
  store = makeStore({ "agent:main:k": entry("K", 1), other: entry("O", 1) });
  const original = store.read();
  // the child parks between its verified temp file and the rename, holding both locks
  const child = spawnNode(
    path.join(FIXTURES, "apply-loop.mjs"),
    [build.modulePath, store.storePath, store.agentsRoot, store.auditPath, "agent:main:k", "1"],
    { OPENCLAW_SESSIONS_FAULT: "slow-rename:60000" },
  );
  try {
    await child.waitFor((l) => l === "ready");
    const temp = /^sessions\.json\.\d+\.[0-9a-f-]{36}\.tmp$/;
    while (!store.dirFiles().some((f) => temp.test(f))) await new Promise((r) => setTimeout(r, 20));
    expect(fs.statSync(ownLockPath(store.storePath)).isDirectory()).toBe(true);

    // one retry (50 ms), not the default dozen (about 5 s): the holder is parked for a minute
    const busy = await applyPatches(store.storePath, [patchFor(store, "other", { status: "done" })], store.opts({ ownLockRetries: 1 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(busy).toBeInstanceOf(CliError);
    expect((busy as CliError).exitCode).toBe(EXIT.busy);
    expect((busy as Error).message).toContain(`pid ${child.proc.pid}`);
    expect((busy as Error).message).toContain(store.storePath);

    child.proc.kill("SIGKILL");
    await child.exited;
    const started = Date.now();
    const res = await applyPatches(store.storePath, [patchFor(store, "other", { status: "done" })], store.opts());
    // the lock directory is fresh (4 s staleness): only the dead-owner takeover is this quick
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.wrote).toBe(true);
    expect(store.read()).toEqual({ ...original, other: entry("O", 1, { status: "done" }) });
    expect(fs.existsSync(ownLockPath(store.storePath))).toBe(false);
    expect(fs.existsSync(`${store.storePath}.lock`)).toBe(false);
  } finally {
    child.proc.kill("SIGKILL");
  }
}, 30_000);

/**
 * Whether this file system gives Node real birth times: without statx libuv reports the change
 * time, which moves when a file's times are set (lock-own.ts then falls back to staleness).
 */
function birthTimesKept(): boolean {
  const f = path.join(os.tmpdir(), `ocs-btime-${process.pid}`);
  fs.writeFileSync(f, "x");
  // past the file system's timestamp tick (ext4 stamps at kernel-tick granularity)
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(f, past, past);
  const st = fs.statSync(f);
  fs.rmSync(f);
  return st.birthtimeMs > 0 && st.birthtimeMs !== st.ctimeMs;
}

it.runIf(birthTimesKept())("a dead holder's owner file left beside a lock directory made after it is not taken for the new holder's: busy (exit 5), nothing removed", async () => {
  store?.cleanup();
  store = makeStore({ other: entry("O", 1) });
  const before = store.bytes();
  const lock = ownLockPath(store.storePath);
  // the dead holder's owner file, then a live process takes the (stale) directory over and is
  // about to write its own owner file: the directory is fresh, the owner file older than it
  const dead = JSON.stringify({ pid: await deadPid(), hostname: os.hostname(), acquiredAt: new Date(Date.now() - 60_000).toISOString() });
  fs.writeFileSync(`${lock}.owner`, dead, { mode: 0o600 });
  await new Promise((r) => setTimeout(r, 20));
  fs.mkdirSync(lock);
  const dirIno = fs.statSync(lock).ino;
  const busy = await applyPatches(store.storePath, [patchFor(store, "other", { status: "done" })], store.opts({ ownLockRetries: 1 })).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(busy).toBeInstanceOf(CliError);
  expect((busy as CliError).exitCode).toBe(EXIT.busy);
  expect(store.bytes().equals(before)).toBe(true);
  expect(fs.statSync(lock).ino).toBe(dirIno);
  expect(fs.readFileSync(`${lock}.owner`, "utf8")).toBe(dead);
});

// sudo on a user's store: a root run SIGKILLed left `.owner` root 0600, and every later run by
// the index's owner failed to replace it (EACCES, exit 4).
describe.runIf(IS_ROOT)("our lock on another user's store", () => {
  it("a root write SIGKILLed there leaves its lock to the index's owner, whose next write takes it over at once", async () => {
    store?.cleanup();
    store = makeStore({ k: entry("K", 1) });
    giveStoreTo(store, NOBODY, NOBODY);
    // root's own audit log, so that only the lock is shared with the user's run
    const child = spawnNode(
      path.join(FIXTURES, "apply-loop.mjs"),
      [build.modulePath, store.storePath, store.agentsRoot, path.join(store.root, "root-audit.jsonl"), "k", "1"],
      { OPENCLAW_SESSIONS_FAULT: "slow-rename:60000" },
    );
    try {
      await child.waitFor((l) => l === "ready");
      const temp = /^sessions\.json\.\d+\.[0-9a-f-]{36}\.tmp$/;
      while (!store.dirFiles().some((f) => temp.test(f))) await new Promise((r) => setTimeout(r, 20));
    } finally {
      child.proc.kill("SIGKILL");
      await child.exited;
    }
    const lock = ownLockPath(store.storePath);
    for (const left of [lock, `${lock}.owner`, `${store.storePath}.lock`]) expect(fs.statSync(left)).toMatchObject({ uid: NOBODY, gid: NOBODY });

    const out = applyOnce(store, "k", { uid: NOBODY });
    expect(out.result).toEqual({ wrote: true });
    expect(store.read().k.status).toBe("done");
    expect(fs.existsSync(lock)).toBe(false);
    expect(fs.existsSync(`${lock}.owner`)).toBe(false);
  }, 30_000);

  it("an owner file another user's dead process left, which this user cannot read, is replaced once the lock is ours", async () => {
    store?.cleanup();
    store = makeStore({ k: entry("K", 1) });
    giveStoreTo(store, NOBODY, NOBODY);
    const lock = ownLockPath(store.storePath);
    fs.mkdirSync(lock);
    // stale by proper-lockfile's rule (its holder stopped refreshing it), so it is taken at once
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    fs.writeFileSync(`${lock}.owner`, JSON.stringify({ pid: await deadPid(), hostname: os.hostname(), acquiredAt: old.toISOString() }), { mode: 0o600 });

    const out = applyOnce(store, "k", { uid: NOBODY });
    expect(out.result).toEqual({ wrote: true });
    expect(store.read().k.status).toBe("done");
    expect(fs.existsSync(`${lock}.owner`)).toBe(false);
  });
});
