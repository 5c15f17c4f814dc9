// What every write does after its rename (openSession's finish): its audit lines, then our old
// backups pruned by what the log says we made. Tests of the write cycle itself are in
// write-cycle.test.ts; backup order in backup.test.ts.
import fs from "node:fs";
import { afterEach, expect, it } from "vitest";
import { applyPatches } from "../../../src/store/writer/index.js";
import { denyReading } from "./helpers/deny-reading.js";
import { entry, makeStore, patchFor, type TempStore } from "./helpers/store.js";

let store: TempStore | undefined;
afterEach(() => {
  store?.cleanup();
  store = undefined;
});

it("a log it may append to but not read: the write stands, no backup is pruned, and a warning says why", async () => {
  store = makeStore({ k: entry("K", 0) });
  const backups: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const res = await applyPatches(store.storePath, [patchFor(store, "k", { updatedAt: i })], store.opts({ keepBackups: 1, now: () => 1_000 * i }));
    backups.push(res.backupPath!);
    expect(res.undoable).toBe(true);
  }
  // with the log readable, only the newest is kept
  expect(backups.map((b) => fs.existsSync(b))).toEqual([false, false, true]);

  const spy = denyReading(store.auditPath);
  let res;
  try {
    res = await applyPatches(store.storePath, [patchFor(store, "k", { updatedAt: 4 })], store.opts({ keepBackups: 1, now: () => 4_000 }));
  } finally {
    spy.mockRestore();
  }
  expect(res.wrote).toBe(true);
  // the line is appended, but --undo (which reads the log) could not find it: not undoable
  expect(res.undoable).toBe(false);
  expect(store.read().k!.updatedAt).toBe(4);
  // which backups are ours is not known: none is deleted (OpenClaw's look the same)
  expect(fs.existsSync(backups[2]!)).toBe(true);
  expect(fs.existsSync(res.backupPath!)).toBe(true);
  expect(res.warnings).toEqual([
    expect.stringMatching(new RegExp(`^${store.storePath} was written, but none of its old backups was pruned: cannot read the audit log ${store.auditPath}: permission denied`)),
  ]);
});
