// The session rows of an agent database, read a page at a time: every unarchived row exactly once,
// in key order, and no read transaction held while the caller works between pages (a gateway's
// checkpoint then completes: the era C read protocol's "one short statement per query").
import { afterEach, describe, expect, it } from "vitest";
import { eachSessionRow } from "../../../src/store/sqlite/rows.js";
import { sqliteRuntime } from "../../../src/store/sqlite/runtime.js";
import { eraCStoreWithWriter } from "../../fixtures/era-c-writer.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

async function store(sessions: number) {
  const { m, writer, dbPath } = await eraCStoreWithWriter(cleanups, sessions, 7);
  const db = sqliteRuntime().open(dbPath, 1000);
  cleanups.push(() => db.close());
  return { m, writer, db };
}

describe("eachSessionRow", () => {
  it.each([1, 2, 7, 512])("pages of %i: every unarchived row once, in key order; archived and invalid rows left out, invalid ones named", async (perPage) => {
    const { m, writer, db } = await store(9);
    const keys = m.sessions.map((s) => s.sessionKey).sort();
    writer.prepare("UPDATE session_nodes SET archived_at = 1 WHERE session_key = ?").run(keys[3]!);
    writer.prepare("UPDATE session_nodes SET entry_valid = -1 WHERE session_key = ?").run(keys[5]!);
    const seen: string[] = [];
    const { invalid, unparsed } = eachSessionRow(db, (row) => seen.push(row.sessionKey), perPage);
    expect(seen).toEqual(keys.filter((_, i) => i !== 3 && i !== 5));
    expect(invalid).toEqual([keys[5]]);
    expect(unparsed).toEqual([]);
  });

  it("holds no read transaction while the caller works: a writer's TRUNCATE checkpoint between two rows completes (busy 0)", async () => {
    const { writer, db } = await store(6);
    const busy: number[] = [];
    let n = 0;
    eachSessionRow(
      db,
      () => {
        writer.prepare("UPDATE session_nodes SET updated_at = updated_at + 1 WHERE rowid = 1").run();
        busy.push(Number((writer.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number }).busy));
        n++;
      },
      2,
    );
    expect(n).toBe(6);
    expect(busy).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe("a row's entry fields", () => {
  /** One row set to `status`, its entry_json saying one start and chat type, its window others. */
  async function rowWith(status: string) {
    const { m, writer, db } = await store(1);
    const key = m.sessions[0]!.sessionKey;
    writer.prepare("UPDATE session_nodes SET status = ?, entry_json = json_set(entry_json, '$.startedAt', 111, '$.chatType', 'group', '$.abortedLastRun', json('true')) WHERE session_key = ?").run(status, key);
    writer.prepare("UPDATE session_windows SET started_at = 222, ended_at = 555, chat_type = 'direct' WHERE session_key = ?").run(key);
    const rows: Array<Record<string, unknown>> = [];
    eachSessionRow(db, (row) => rows.push(row.entry));
    return rows[0]!;
  }

  it.each(["done", "failed", "killed", "timeout"])("a %s row is read from its columns: the window's start, end and chat type, entry_json not parsed", async (status) => {
    const entry = await rowWith(status);
    expect([entry.status, entry.startedAt, entry.endedAt, entry.runtimeMs, entry.chatType, entry.abortedLastRun]).toEqual([status, 222, 555, 333, "direct", undefined]);
  });

  it("a running row takes the entry's own startedAt, chatType and abortedLastRun over the window's (the entry is canonical)", async () => {
    const entry = await rowWith("running");
    expect([entry.status, entry.startedAt, entry.chatType, entry.abortedLastRun]).toEqual(["running", 111, "group", true]);
  });
});

describe("rows OpenClaw did not write as it should: one bad row never hides the others", () => {
  it("an entry_json that is not JSON (running, or marked invalid): the store is read; the first judged from its columns and named, the second skipped", async () => {
    const { m, writer, db } = await store(4);
    const keys = m.sessions.map((s) => s.sessionKey).sort();
    writer.prepare("UPDATE session_nodes SET status = 'running', entry_json = '{not json' WHERE session_key = ?").run(keys[1]!);
    writer.prepare("UPDATE session_nodes SET status = 'running', entry_json = '{not json' WHERE session_key = ?").run(keys[2]!);
    // apart: the schema's trigger on entry_json resets entry_valid
    writer.prepare("UPDATE session_nodes SET entry_valid = -1 WHERE session_key = ?").run(keys[2]!);
    const seen: Array<[string, unknown]> = [];
    const problems = eachSessionRow(db, (row) => seen.push([row.sessionKey, row.entry.status]));
    expect(seen.map(([k]) => k)).toEqual([keys[0], keys[1], keys[3]]);
    expect(seen[1]).toEqual([keys[1], "running"]);
    expect(problems).toEqual({ invalid: [keys[2]], unparsed: [keys[1]] });
  });

  it("times a Date cannot hold and entry values of the wrong type are left out, the rest of the row kept", async () => {
    const { m, writer, db } = await store(1);
    const key = m.sessions[0]!.sessionKey;
    writer
      .prepare("UPDATE session_nodes SET status = 'running', entry_json = json_set(entry_json, '$.startedAt', 'yesterday', '$.abortedLastRun', 'yes', '$.lifecycleRunId', 7), last_interaction_at = 9000000000000000 WHERE session_key = ?")
      .run(key);
    writer.prepare("UPDATE session_windows SET started_at = -9000000000000000, ended_at = 9000000000000000 WHERE session_key = ?").run(key);
    const rows: Array<Record<string, unknown>> = [];
    eachSessionRow(db, (row) => rows.push(row.entry));
    expect(rows[0]).toMatchObject({ status: "running", sessionId: m.sessions[0]!.sessionId });
    for (const field of ["startedAt", "lastInteractionAt", "abortedLastRun", "lifecycleRunId"]) expect(rows[0], field).not.toHaveProperty(field);
  });
});
