// Pruning our backups: the newest are the last ones made (audit log order), not the ones with
// the largest epoch ms in their names; a clock stepped back must not cost the write its backup.
import fs from "node:fs";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { pruneOurBackups } from "../../../src/store/writer/backup.js";
import { applyPatches, readAuditTail, undoLast } from "../../../src/store/writer/index.js";
import { entry, makeStore, patchFor, type TempStore } from "./helpers/store.js";

let store: TempStore | undefined;
afterEach(() => {
  store?.cleanup();
  store = undefined;
});

const T = 1_800_000_000_000;

it("a write made after the clock stepped back keeps its backup, prunes the oldest made instead, and --undo restores it", async () => {
  store = makeStore({ k: entry("K", 0) });
  // five writes a second apart, then one with the clock set back an hour
  const clocks = [T, T + 1000, T + 2000, T + 3000, T + 4000, T + 5000, T - 3_600_000];
  const backups: string[] = [];
  const before: Buffer[] = [];
  for (const [i, now] of clocks.entries()) {
    before.push(store.bytes());
    const res = await applyPatches(store.storePath, [patchFor(store, "k", { updatedAt: i + 1 })], store.opts({ now: () => now }));
    backups.push(res.backupPath!);
  }
  expect(backups.at(-1)).toMatch(new RegExp(`\\.bak\\.${T - 3_600_000}$`));
  // the five made last are kept, the two made first are gone
  expect(backups.map((b) => fs.existsSync(b))).toEqual([false, false, true, true, true, true, true]);

  const undo = await undoLast(store.storePath, store.opts());
  expect(undo.restoredFrom).toBe(backups.at(-1));
  expect(store.bytes().equals(before.at(-1)!)).toBe(true);
  expect(readAuditTail(store.auditPath).at(-1)?.kind).toBe("undo");
});

it("pruning goes by the order the log lists our backups, leaves others' alone, and never deletes the write's own", () => {
  store = makeStore({ k: entry("K", 0) });
  const dir = path.dirname(store.storePath);
  const bak = (ms: number) => path.join(dir, `sessions.json.bak.${ms}`);
  for (const ms of [5, 1, 9, 3, 7]) fs.writeFileSync(bak(ms), "{}");
  // made in this order: 5, 9, 1, 9 again (a name pruned once is free to reuse), 3; 7 is not ours
  const ours = [bak(5), bak(9), bak(1), bak(9), bak(3)];
  expect(pruneOurBackups(store.storePath, ours, 2).sort()).toEqual([bak(1), bak(5)]);
  expect(store.dirFiles().filter((f) => f.includes(".bak."))).toEqual(["sessions.json.bak.3", "sessions.json.bak.7", "sessions.json.bak.9"]);
  expect(pruneOurBackups(store.storePath, ours, 0, new Set([bak(3)]))).toEqual([bak(9)]);
  expect(fs.existsSync(bak(3))).toBe(true);
});
