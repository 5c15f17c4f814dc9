// Faults injected between the read and the rename: the index is either replaced whole or left
// byte-identical, with nothing of ours left behind.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WriteRefusedError } from "../../../src/core/errors.js";
import { applyPatches, readAuditTail } from "../../../src/store/writer/index.js";
import { enospcAfterHalf, halfWrites } from "../../../src/store/writer/faults.js";
import { MAX_ATTEMPTS } from "../../../src/store/writer/write-cycle.js";
import { entry, makeStore, patchFor, realStoreBytes, type TempStore } from "./helpers/store.js";

let store: TempStore | undefined;
afterEach(() => {
  store?.cleanup();
  store = undefined;
  delete process.env.OPENCLAW_SESSIONS_FAULT;
});

const realWrite = (fd: number, b: Buffer, o: number, l: number, p: number) => fs.writeSync(fd, b, o, l, p);

/** The index untouched and nothing of ours beside it. */
function expectUntouched(s: TempStore, before: Buffer): void {
  expect(s.bytes().equals(before)).toBe(true);
  expect(s.dirFiles()).toEqual(["sessions.json"]);
  expect(fs.existsSync(s.auditPath) ? readAuditTail(s.auditPath) : []).toEqual([]);
}

/** An era B style rewrite by someone else: whole file, atomic rename, no lock. */
function foreignRewrite(s: TempStore, mutate: (o: Record<string, Record<string, unknown>>) => void): void {
  const obj = s.read();
  mutate(obj);
  const tmp = `${s.storePath}.foreign.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(obj, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, s.storePath);
}

describe("failures while writing the temp file", () => {
  it("ENOSPC half way: clear error naming the file and the cause, index byte-identical, no temp", async () => {
    store = makeStore(realStoreBytes());
    const before = store.bytes();
    const run = applyPatches(
      store.storePath,
      [patchFor(store, "agent:main:main", { status: "failed" })],
      store.opts({ faults: { writeChunk: enospcAfterHalf() } }),
    );
    await expect(run).rejects.toThrow(WriteRefusedError);
    await expect(run).rejects.toThrow(new RegExp(`could not write ${store.storePath}.*ENOSPC.*is unchanged`));
    expectUntouched(store, before);
  });

  it("ENOSPC injected through OPENCLAW_SESSIONS_FAULT behaves the same", async () => {
    store = makeStore(realStoreBytes());
    const before = store.bytes();
    process.env.OPENCLAW_SESSIONS_FAULT = "enospc";
    await expect(
      applyPatches(store.storePath, [patchFor(store, "agent:main:main", { status: "failed" })], store.opts()),
    ).rejects.toThrow(/ENOSPC/);
    expectUntouched(store, before);
  });

  it("short writes are continued until every byte is on disk", async () => {
    store = makeStore(realStoreBytes());
    const expected = store.read();
    expected["agent:main:main"].status = "failed";
    let calls = 0;
    const half = halfWrites();
    const res = await applyPatches(
      store.storePath,
      [patchFor(store, "agent:main:main", { status: "failed" })],
      store.opts({ faults: { writeChunk: (...a) => (calls++, half(...a)) } }),
    );
    expect(res.wrote).toBe(true);
    expect(calls).toBeGreaterThan(5);
    expect(store.bytes().toString()).toBe(JSON.stringify(expected, null, 2));
  });

  it("a write that stops making progress fails cleanly", async () => {
    store = makeStore(realStoreBytes());
    const before = store.bytes();
    let calls = 0;
    const stall = (fd: number, b: Buffer, o: number, l: number, p: number) =>
      calls++ === 0 ? realWrite(fd, b, o, Math.floor(l / 3), p) : 0;
    await expect(
      applyPatches(store.storePath, [patchFor(store, "agent:main:main", { status: "failed" })], store.opts({ faults: { writeChunk: stall } })),
    ).rejects.toThrow(/short write: \d+ of \d+ bytes/);
    expectUntouched(store, before);
  });

  it("a write that claims bytes it never wrote is caught by reading the temp file back", async () => {
    store = makeStore(realStoreBytes());
    const before = store.bytes();
    const liar = (fd: number, b: Buffer, o: number, l: number, p: number) => {
      realWrite(fd, b, o, Math.floor(l / 2), p);
      return l;
    };
    await expect(
      applyPatches(store.storePath, [patchFor(store, "agent:main:main", { status: "failed" })], store.opts({ faults: { writeChunk: liar } })),
    ).rejects.toThrow(/verification failed/);
    expectUntouched(store, before);
  });

  it("the temp file uses OpenClaw's naming and the index's mode", async () => {
    store = makeStore({ a: entry("A", 1) }, 0o640);
    let seen = "";
    let mode = 0;
    await applyPatches(
      store.storePath,
      [patchFor(store, "a", { status: "done" })],
      store.opts({
        faults: {
          afterTempWrite: (tmp) => {
            seen = path.basename(tmp);
            mode = fs.statSync(tmp).mode & 0o777;
          },
        },
      }),
    );
    expect(seen).toMatch(new RegExp(`^sessions\\.json\\.${process.pid}\\.[0-9a-f-]{36}\\.tmp$`));
    expect(mode).toBe(0o640);
  });
});

describe("the index changes between our read and the rename", () => {
  it("starts over from a fresh read, keeping the other writer's change and ours", async () => {
    store = makeStore({ ours: entry("O", 1), theirs: entry("T", 1) });
    const attempts: number[] = [];
    const res = await applyPatches(
      store.storePath,
      [patchFor(store, "ours", { status: "done" })],
      store.opts({
        faults: {
          beforeRename: ({ attempt }) => {
            attempts.push(attempt);
            if (attempt === 1) foreignRewrite(store!, (o) => (o.theirs.counter = 1));
          },
        },
      }),
    );
    expect(attempts).toEqual([1, 2]);
    expect(res.wrote).toBe(true);
    expect(store.read()).toEqual({ ours: entry("O", 1, { status: "done" }), theirs: entry("T", 1, { counter: 1 }) });
    // the backup holds what was really replaced: the other writer's version
    expect(JSON.parse(fs.readFileSync(res.backupPath!, "utf8")).theirs.counter).toBe(1);
    expect(store.dirFiles().filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(store.dirFiles().filter((f) => f.includes(".bak."))).toHaveLength(1);
  });

  it("skips the change on the new read when the other writer touched the same entry", async () => {
    store = makeStore({ ours: entry("O", 1) });
    const res = await applyPatches(
      store.storePath,
      [patchFor(store, "ours", { status: "done" })],
      store.opts({
        faults: {
          beforeRename: ({ attempt }) => {
            if (attempt === 1) foreignRewrite(store!, (o) => (o.ours.updatedAt = 2));
          },
        },
      }),
    );
    expect(res.wrote).toBe(false);
    expect(res.skipped[0].why).toMatch(/changed since planned/);
    expect(store.read().ours).toEqual(entry("O", 2));
    expect(store.dirFiles()).toEqual(["sessions.json"]);
  });

  it("notices a rewrite with identical bytes (stat signature) and retries", async () => {
    store = makeStore({ ours: entry("O", 1) });
    const attempts: number[] = [];
    await applyPatches(
      store.storePath,
      [patchFor(store, "ours", { status: "done" })],
      store.opts({
        faults: {
          beforeRename: ({ attempt }) => {
            attempts.push(attempt);
            if (attempt === 1) foreignRewrite(store!, () => {});
          },
        },
      }),
    );
    expect(attempts).toEqual([1, 2]);
    expect(store.read().ours.status).toBe("done");
  });

  it("gives up with a clear error when the index keeps changing, leaving the other writer's last version", async () => {
    store = makeStore({ ours: entry("O", 1), theirs: entry("T", 1) });
    let n = 0;
    const run = applyPatches(
      store.storePath,
      [patchFor(store, "ours", { status: "done" })],
      store.opts({ faults: { beforeRename: () => foreignRewrite(store!, (o) => (o.theirs.counter = ++n)) } }),
    );
    await expect(run).rejects.toThrow(new RegExp(`kept changing while we tried to write it \\(${MAX_ATTEMPTS} attempts\\); nothing written`));
    expect(n).toBe(MAX_ATTEMPTS);
    const last = store.bytes();
    expect(JSON.parse(last.toString())).toEqual({ ours: entry("O", 1), theirs: entry("T", 1, { counter: n }) });
    expect(store.dirFiles().filter((f) => f !== "sessions.json" && !f.endsWith(".foreign.tmp"))).toEqual([]);
  });
});

describe("losing a lock before the rename", () => {
  it("proper-lockfile reports our lock compromised: recorded, no rename, process alive", async () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    const lockDir = `${store.storePath}.openclaw-sessions.lock`;
    const run = applyPatches(
      store.storePath,
      [patchFor(store, "a", { status: "done" })],
      store.opts({
        faults: {
          beforeRename: async () => {
            // someone else's mtime on our lock: the library's next update sees it and gives up
            const old = new Date(Date.now() - 60_000);
            fs.utimesSync(lockDir, old, old);
            await new Promise((r) => setTimeout(r, 2500));
          },
        },
      }),
    );
    await expect(run).rejects.toThrow(/lost our lock .*openclaw-sessions\.lock \(Unable to update lock within the stale threshold\).*is unchanged/);
    expect(store.bytes().equals(before)).toBe(true);
    expect(store.dirFiles().filter((f) => f.endsWith(".tmp") || f.includes(".bak."))).toEqual([]);
  }, 15_000);

  it("our lock directory removed by someone: no rename", async () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    const lockDir = `${store.storePath}.openclaw-sessions.lock`;
    await expect(
      applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ faults: { beforeRename: () => fs.rmdirSync(lockDir) } })),
    ).rejects.toThrow(/lost our lock/);
    expect(store.bytes().equals(before)).toBe(true);
  });

  it("the gateway's sessions.json.lock taken from us (judged stale): no rename, their lock left alone", async () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    const gwLock = `${store.storePath}.lock`;
    const theirs = JSON.stringify({ pid: 1, createdAt: new Date().toISOString() });
    await expect(
      applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ faults: { beforeRename: () => fs.writeFileSync(gwLock, theirs) } })),
    ).rejects.toThrow(/lost .*sessions\.json\.lock/);
    expect(store.bytes().equals(before)).toBe(true);
    expect(fs.readFileSync(gwLock, "utf8")).toBe(theirs);
  });
});

describe("a directory on the index's path replaced by a symlink out of the agents tree meanwhile", () => {
  /** Moves the sessions dir out of the tree and leaves a symlink to it in its place. */
  function swapOut(s: TempStore): { outside: string; index: string } {
    const dir = path.dirname(s.storePath);
    const outside = path.join(s.root, "OUTSIDE");
    fs.renameSync(dir, outside);
    fs.symlinkSync(outside, dir);
    return { outside, index: path.join(outside, "sessions.json") };
  }

  it("while we wait for the gateway's lock: refused once it is ours, before anything is written there", async () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    // a live holder (this process): the writer waits for the lock after taking its own
    const gwLock = `${store.storePath}.lock`;
    fs.writeFileSync(gwLock, JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString() }));
    let tempWritten = false;
    const run = applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ faults: { afterTempWrite: () => void (tempWritten = true) } }));
    await until(() => fs.existsSync(`${store!.storePath}.openclaw-sessions.lock.owner`));
    const { outside, index } = swapOut(store);
    fs.unlinkSync(path.join(outside, "sessions.json.lock"));
    await expect(run).rejects.toThrow(new RegExp(`refusing to write ${store.storePath}: it now leads to ${index}.*nothing written`));
    expect(tempWritten).toBe(false);
    expect(fs.readFileSync(index).equals(before)).toBe(true);
    expect(fs.readdirSync(outside)).toEqual(["sessions.json"]);
  });

  it("between the temp file and the rename: no rename, temp and backup removed", async () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    let moved: { outside: string; index: string } | undefined;
    const run = applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ faults: { beforeRename: () => void (moved = swapOut(store!)) } }));
    await expect(run).rejects.toThrow(/it now leads to .*OUTSIDE\/sessions\.json.*nothing written/);
    expect(fs.readFileSync(moved!.index).equals(before)).toBe(true);
    expect(fs.readdirSync(moved!.outside)).toEqual(["sessions.json"]);
  });
});

async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setTimeout(r, 10));
}
