import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UnreadableError, WriteRefusedError } from "../../../src/core/errors.js";
import { applyPatches, readAuditTail, undoLast } from "../../../src/store/writer/index.js";
import { buildWriter, FIXTURES } from "./helpers/build.js";
import { denyReading } from "./helpers/deny-reading.js";
import { spawnNode } from "./helpers/procs.js";
import { entry, makeStore, patchFor, realStoreBytes, type TempStore } from "./helpers/store.js";

let store: TempStore | undefined;
afterEach(() => {
  store?.cleanup();
  store = undefined;
});

describe("undoLast", () => {
  it("restores the bytes our last write replaced, and an undo can itself be undone", async () => {
    store = makeStore(realStoreBytes("s5-errors-within-grace"));
    const original = store.bytes();
    const keys = Object.keys(store.read());
    const applied = await applyPatches(
      store.storePath,
      [patchFor(store, keys[0], { status: "failed" }), patchFor(store, keys[1], undefined, { remove: true, action: "prune" })],
      store.opts({ now: () => 1_000 }),
    );
    const written = store.bytes();
    const undo = await undoLast(store.storePath, store.opts({ now: () => 2_000 }));
    expect(store.bytes().equals(original)).toBe(true);
    expect(undo.restoredFrom).toBe(applied.backupPath);
    expect(undo).toMatchObject({ beforeCount: 1, afterCount: 2 });
    expect(fs.readFileSync(undo.backupPath).equals(written)).toBe(true);
    const last = readAuditTail(store.auditPath).at(-1)!;
    expect(last).toMatchObject({ kind: "undo", restoredFrom: applied.backupPath, backupPath: undo.backupPath });

    await undoLast(store.storePath, store.opts({ now: () => 3_000 }));
    expect(store.bytes().equals(written)).toBe(true);
  });

  it("files changed alongside are changed before the restored index is renamed in, and with what the undo restores", async () => {
    store = makeStore({ a: entry("A", 1), b: entry("B", 1) });
    await applyPatches(store.storePath, [patchFor(store, "b", undefined, { remove: true, action: "prune" })], store.opts());
    const seen: string[] = [];
    await undoLast(store.storePath, store.opts(), (now, restored, undone) => ({
      apply: () => void seen.push(`apply: index has ${Object.keys(store!.read())}, restores ${Object.keys(restored)} over ${Object.keys(now)}, undoing ${undone.kind}`),
      revert: () => void seen.push("revert"),
    }));
    expect(seen).toEqual(["apply: index has a, restores a,b over a, undoing apply"]);
    expect(Object.keys(store.read())).toEqual(["a", "b"]);
  });

  it("files changed alongside are changed back when the restored index is not renamed in (a fault before the rename)", async () => {
    store = makeStore({ a: entry("A", 1), b: entry("B", 1) });
    await applyPatches(store.storePath, [patchFor(store, "b", undefined, { remove: true, action: "prune" })], store.opts());
    const before = store.bytes();
    const seen: string[] = [];
    const run = undoLast(
      store.storePath,
      store.opts({ faults: { beforeRename: () => Promise.reject(new Error("injected")) } }),
      () => ({ apply: () => void seen.push("apply"), revert: () => void seen.push("revert") }),
    );
    await expect(run).rejects.toThrow(/injected/);
    expect(seen).toEqual(["apply", "revert"]);
    expect(store.bytes().equals(before)).toBe(true);
  });

  it("refuses when the index changed since our write, naming the backup to inspect", async () => {
    store = makeStore({ a: entry("A", 1), b: entry("B", 1) });
    const applied = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    const obj = store.read();
    obj.b.updatedAt = 2; // the gateway wrote since
    fs.writeFileSync(store.storePath, JSON.stringify(obj, null, 2));
    const before = store.bytes();
    const run = undoLast(store.storePath, store.opts());
    await expect(run).rejects.toThrow(WriteRefusedError);
    await expect(run).rejects.toThrow(new RegExp(`changed after openclaw-sessions wrote it.*${applied.backupPath}`));
    expect(store.bytes().equals(before)).toBe(true);
  });

  it("refuses when the audit log knows no write of ours to this index", async () => {
    store = makeStore({ a: entry("A", 1) });
    await expect(undoLast(store.storePath, store.opts())).rejects.toThrow(/nothing to undo/);
  });

  it("refuses when the backup is gone or was altered", async () => {
    store = makeStore({ a: entry("A", 1) });
    const applied = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    const written = store.bytes();
    fs.writeFileSync(applied.backupPath!, "{}");
    await expect(undoLast(store.storePath, store.opts())).rejects.toThrow(/not the file openclaw-sessions saved/);
    fs.unlinkSync(applied.backupPath!);
    await expect(undoLast(store.storePath, store.opts())).rejects.toThrow(/cannot read the backup/);
    expect(store.bytes().equals(written)).toBe(true);
  });

  it("refuses an era C store", async () => {
    store = makeStore({ a: entry("A", 1) });
    await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    await expect(undoLast(store.storePath, store.opts({ era: "C" }))).rejects.toThrow(/SQLite/);
  });

  it("a cleanup undo refuses when keepalive's touch is the last write, naming the cleanup write it would undo, the touch after it and the backup to restore by hand; nothing written", async () => {
    store = makeStore({ a: entry("A", 1, { status: "running" }), b: entry("B", 1) });
    await applyPatches(store.storePath, [patchFor(store, "a", { status: "failed" })], store.opts({ now: () => Date.UTC(2026, 0, 1) }));
    await applyPatches(store.storePath, [patchFor(store, "b", { updatedAt: 5 }, { action: "touch" })], store.opts({ command: "keepalive", now: () => Date.UTC(2026, 0, 2) }));
    const before = store.bytes();
    const run = undoLast(store.storePath, store.opts());
    await expect(run).rejects.toThrow(WriteRefusedError);
    await expect(run).rejects.toThrow(
      /the cleanup write an undo would put back, cleanup's apply at 2026-01-01T00:00:00.000Z, was followed by keepalive's touch at 2026-01-02T00:00:00.000Z, the last write of .*; a cleanup write cannot be undone once the index changed after it, nothing written\. What it replaced is in .*sessions\.json\.bak\.1767225600000: inspect it to restore by hand$/,
    );
    expect(store.bytes().equals(before)).toBe(true);
  });

  it("a cleanup undo after only keepalive's touches says no cleanup write is on record, not that one cannot be undone; nothing written", async () => {
    store = makeStore({ a: entry("A", 1), b: entry("B", 1) });
    await applyPatches(store.storePath, [patchFor(store, "b", { updatedAt: 5 }, { action: "touch" })], store.opts({ command: "keepalive", now: () => Date.UTC(2026, 0, 2) }));
    const before = store.bytes();
    const run = undoLast(store.storePath, store.opts());
    await expect(run).rejects.toThrow(WriteRefusedError);
    await expect(run).rejects.toThrow(
      new RegExp(`the last write of .* was keepalive's touch at 2026-01-02T00:00:00.000Z, and ${store.auditPath} records no cleanup write of it before that: nothing for cleanup --undo to undo`),
    );
    await expect(run).rejects.not.toThrow(/cannot be undone once/);
    expect(store.bytes().equals(before)).toBe(true);
  });

  it("an audit log this user cannot read is exit 3 naming it, never nothing to undo; nothing written", async () => {
    store = makeStore({ a: entry("A", 1, { status: "running" }) });
    await applyPatches(store.storePath, [patchFor(store, "a", { status: "failed" })], store.opts());
    const before = store.bytes();
    const spy = denyReading(store.auditPath);
    try {
      const run = undoLast(store.storePath, store.opts());
      await expect(run).rejects.toThrow(UnreadableError);
      await expect(run).rejects.toMatchObject({ exitCode: 3 });
      await expect(run).rejects.toThrow(`cannot read the audit log ${store.auditPath}: permission denied`);
    } finally {
      spy.mockRestore();
    }
    expect(store.bytes().equals(before)).toBe(true);
  });

  it("tells keepalive's touch apart on audit lines written before the command was recorded (by its action)", async () => {
    store = makeStore({ a: entry("A", 1, { status: "running" }), b: entry("B", 1) });
    await applyPatches(store.storePath, [patchFor(store, "a", { status: "failed" })], store.opts());
    await applyPatches(store.storePath, [patchFor(store, "b", { updatedAt: 5 }, { action: "touch" })], store.opts({ command: "keepalive" }));
    // the log as an older openclaw-sessions wrote it: no intent lines, no command
    const old = readAuditTail(store.auditPath)
      .filter((l) => l.kind !== "intent")
      .map(({ command: _, ...l }) => JSON.stringify(l));
    fs.writeFileSync(store.auditPath, `${old.join("\n")}\n`);
    const before = store.bytes();
    await expect(undoLast(store.storePath, store.opts())).rejects.toThrow(/cleanup's apply at \S+Z, was followed by keepalive's touch at/);
    expect(store.bytes().equals(before)).toBe(true);
  });
});

describe("undoLast after a write killed around its rename", () => {
  const build = buildWriter();
  const killAt = (s: TempStore, key: string, hook: string) =>
    spawnNode(path.join(FIXTURES, "kill-at.mjs"), [build.modulePath, s.storePath, s.agentsRoot, s.auditPath, key, hook]);

  it("killed right after the rename, before its audit lines: the intent line makes it undoable", async () => {
    store = makeStore({ a: entry("A", 1, { status: "running" }) });
    const original = store.bytes();
    const child = killAt(store, "a", "afterRename");
    expect((await child.exited).signal).toBe("SIGKILL");
    expect(store.read().a.killedAt).toBe("afterRename");
    expect(readAuditTail(store.auditPath).map((l) => l.kind)).toEqual(["intent"]);
    await undoLast(store.storePath, store.opts());
    expect(store.bytes().equals(original)).toBe(true);
  });

  it("killed after its intent line but before the rename: the write before it is still the one undone", async () => {
    store = makeStore({ a: entry("A", 1, { status: "running" }), b: entry("B", 1) });
    const original = store.bytes();
    await applyPatches(store.storePath, [patchFor(store, "b", { status: "done" })], store.opts());
    const written = store.bytes();
    const child = killAt(store, "a", "beforeRename");
    expect((await child.exited).signal).toBe("SIGKILL");
    expect(store.bytes().equals(written)).toBe(true);
    expect(readAuditTail(store.auditPath).at(-1)?.kind).toBe("intent");
    await undoLast(store.storePath, store.opts());
    expect(store.bytes().equals(original)).toBe(true);
  });
});
