// Why a session left the store, as `serve` tells its clients (socket.drain): our audit log's word
// for a prune. Era C's archived rows are in test/store/sqlite/archived.test.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { judgeDepartures } from "../../src/server/departures.js";
import { denyReading } from "../store/writer/helpers/deny-reading.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function storeWithPruneOnRecord() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-departures-"));
  dirs.push(dir);
  const storePath = path.join(dir, "sessions.json");
  fs.writeFileSync(storePath, "{}");
  const auditPath = path.join(dir, "audit.jsonl");
  const line = { kind: "apply", command: "cleanup", removed: true, action: "prune", sessionKey: "agent:main:a", sessionId: "A", storePath: fs.realpathSync(storePath), backupPath: `${storePath}.bak.1`, writeId: "w", ts: "t", pid: 1, backupSha256: "", writtenSha256: "" };
  fs.writeFileSync(auditPath, `${JSON.stringify(line)}\n`);
  return { storePath, auditPath, departed: [{ agentId: "main", sessionKey: "agent:main:a", sessionId: "A" }] };
}

it("a prune on record is 'pruned'; with the log unreadable the drain still goes out ('deleted'), and a warning names the log", async () => {
  const s = storeWithPruneOnRecord();
  const warnings: string[] = [];
  const opts = { auditPath: s.auditPath, storesOf: () => [s.storePath], warn: (m: string) => warnings.push(m) };
  expect(await judgeDepartures(s.departed, opts)).toEqual(["pruned"]);
  expect(warnings).toEqual([]);

  const spy = denyReading(s.auditPath);
  try {
    expect(await judgeDepartures(s.departed, opts)).toEqual(["deleted"]);
  } finally {
    spy.mockRestore();
  }
  expect(warnings).toEqual([expect.stringMatching(new RegExp(`^cannot read the audit log ${s.auditPath}: permission denied.*; departed sessions are reported as deleted, not pruned$`))]);
});
