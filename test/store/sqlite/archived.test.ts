// Which era C rows left the live set because OpenClaw archived them (archived_at set): the rows
// the live reader skips, named with the sessionId that left, and never anything else.
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { archivedIn, judgeDepartures } from "../../../src/server/departures.js";
import { readArchivedRows } from "../../../src/store/sqlite/archived.js";
import { readEraCStore } from "../../../src/store/sqlite/read-store.js";
import { eraCStoreWithWriter } from "../../fixtures/era-c-writer.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

async function store() {
  const { m, writer, dbPath } = await eraCStoreWithWriter(cleanups, 4, 3);
  return { m, writer, ref: { agentId: "main", storePath: dbPath, era: "C" as const } };
}

describe("readArchivedRows", () => {
  it("names the archived rows among the keys asked, with their sessionId and archived_at; the live read no longer lists them", async () => {
    const { m, writer, ref } = await store();
    const [a, b, c] = m.sessions;
    writer.prepare("UPDATE session_nodes SET archived_at = ? WHERE session_key IN (?, ?)").run(1_800_000_000_000, a!.sessionKey, b!.sessionKey);
    expect(readArchivedRows(ref, [a!.sessionKey, c!.sessionKey, "agent:main:nobody"])).toEqual([{ sessionKey: a!.sessionKey, sessionId: a!.sessionId, archivedAt: 1_800_000_000_000 }]);
    expect(readArchivedRows(ref, [])).toEqual([]);
    const live = readEraCStore(ref).evidence.map((e) => e.sessionKey);
    expect(live).not.toContain(a!.sessionKey);
    expect(live).not.toContain(b!.sessionKey);
    expect(live).toContain(c!.sessionKey);
  });
});

describe("judgeDepartures with era C", () => {
  it("archived rows are archived, rows gone from the table are deleted; an unreadable store tells nothing", async () => {
    const { m, writer, ref } = await store();
    const [a, b] = m.sessions;
    writer.prepare("UPDATE session_nodes SET archived_at = ? WHERE session_key = ?").run(Date.now(), a!.sessionKey);
    writer.prepare("DELETE FROM session_nodes WHERE session_key = ?").run(b!.sessionKey);
    const departed = [a!, b!].map((s) => ({ agentId: "main", sessionKey: s.sessionKey, sessionId: s.sessionId }));
    const missing = { agentId: "main", storePath: path.join(os.tmpdir(), "no-such-dir-ocs", "openclaw-agent.sqlite"), era: "C" as const };
    const reasons = await judgeDepartures(departed, {
      auditPath: path.join(os.tmpdir(), "no-such-audit-ocs.jsonl"),
      storesOf: () => [],
      archived: (d) => archivedIn([missing, ref], d),
    });
    expect(reasons).toEqual(["archived", "deleted"]);
  });

  it("an archived row now holding another sessionId does not make the departed one archived", async () => {
    const { m, writer, ref } = await store();
    const [a] = m.sessions;
    writer.prepare("UPDATE session_nodes SET archived_at = ? WHERE session_key = ?").run(Date.now(), a!.sessionKey);
    const departed = [{ agentId: "main", sessionKey: a!.sessionKey, sessionId: "an-older-id" }];
    const reasons = await judgeDepartures(departed, { auditPath: path.join(os.tmpdir(), "no-such-audit-ocs.jsonl"), storesOf: () => [], archived: (d) => archivedIn([ref], d) });
    expect(reasons).toEqual(["deleted"]);
  });
});
