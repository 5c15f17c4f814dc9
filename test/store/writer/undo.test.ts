import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { WriteRefusedError } from "../../../src/core/errors.js";
import { applyPatches, readAuditTail, undoLast } from "../../../src/store/writer/index.js";
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
});
