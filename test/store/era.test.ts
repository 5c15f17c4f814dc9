import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { agentDbPath, isEraC, jsonStoreEra, sqliteHasTable, storeEra } from "../../src/store/era.js";
import { indexPath, makeStateDir, writeIndex } from "../fixtures/store-builder.js";

// Real SQLite files made by test/store/fixtures/era/make.py.
const samples = path.join(import.meta.dirname, "fixtures", "era");

function placeDb(stateDir: string, sample: string, agentId = "main"): string {
  const db = agentDbPath(stateDir, agentId);
  fs.mkdirSync(path.dirname(db), { recursive: true });
  fs.copyFileSync(path.join(samples, sample), db);
  if (fs.existsSync(path.join(samples, `${sample}-wal`))) fs.copyFileSync(path.join(samples, `${sample}-wal`), `${db}-wal`);
  return db;
}

describe("sqliteHasTable", () => {
  it("finds session_nodes through an interior sqlite_master page", () => {
    const db = path.join(samples, "era-c.sqlite");
    expect(sqliteHasTable(db, "session_nodes")).toBe(true);
    expect(sqliteHasTable(db, "filler_00")).toBe(true);
    expect(sqliteHasTable(db, "filler_39")).toBe(true);
    expect(sqliteHasTable(db, "nope")).toBe(false);
  });

  it("is not fooled by the table name appearing in row data or as a prefix", () => {
    const db = path.join(samples, "no-sessions.sqlite");
    expect(fs.readFileSync(db).includes("CREATE TABLE session_nodes")).toBe(true);
    expect(sqliteHasTable(db, "kv")).toBe(true);
    expect(sqliteHasTable(db, "session_nodes")).toBe(false);
  });

  it("reads a schema committed only to the -wal file", () => {
    const dir = makeStateDir();
    const db = path.join(dir, "x.sqlite");
    fs.copyFileSync(path.join(samples, "wal-only.sqlite"), db);
    expect(sqliteHasTable(db, "session_nodes")).toBe(false);
    fs.copyFileSync(path.join(samples, "wal-only.sqlite-wal"), `${db}-wal`);
    expect(sqliteHasTable(db, "session_nodes")).toBe(true);
    expect(sqliteHasTable(db, "meta")).toBe(true);
  });

  it("says no for a missing file, an empty file and a file that is not SQLite", () => {
    const dir = makeStateDir();
    expect(sqliteHasTable(path.join(dir, "missing.sqlite"), "session_nodes")).toBe(false);
    fs.writeFileSync(path.join(dir, "empty.sqlite"), "");
    expect(sqliteHasTable(path.join(dir, "empty.sqlite"), "session_nodes")).toBe(false);
    fs.writeFileSync(path.join(dir, "text.sqlite"), "CREATE TABLE session_nodes (id TEXT)\n".repeat(300));
    expect(sqliteHasTable(path.join(dir, "text.sqlite"), "session_nodes")).toBe(false);
    // SQLite header followed by garbage pages: no crash, no table
    const junk = Buffer.alloc(8192, 0xff);
    junk.write("SQLite format 3\0", 0, "latin1");
    junk.writeUInt16BE(4096, 16);
    fs.writeFileSync(path.join(dir, "junk.sqlite"), junk);
    expect(sqliteHasTable(path.join(dir, "junk.sqlite"), "session_nodes")).toBe(false);
  });
});

describe("store era", () => {
  it("is C when the agent database has session_nodes, per agent", () => {
    const state = makeStateDir();
    placeDb(state, "era-c.sqlite", "main");
    placeDb(state, "no-sessions.sqlite", "work");
    expect(isEraC(state, "main")).toBe(true);
    expect(isEraC(state, "work")).toBe(false);
    expect(storeEra(state, "main", indexPath(state, "main"), {})).toBe("C");
    expect(storeEra(state, "work", indexPath(state, "work"), {})).toBe("AB");
  });

  it("is A with a sessions.json.lock beside the index, else AB (no evidence of either)", () => {
    const state = makeStateDir();
    const store = writeIndex(state, "main", {});
    // no lock and no version stamp: the files cannot tell A from B
    expect(jsonStoreEra(store, {})).toBe("AB");
    fs.writeFileSync(`${store}.lock`, "");
    expect(jsonStoreEra(store, {})).toBe("A");
  });

  it.each([
    ["2026.4.26", "A"],
    ["2026.3.1", "A"],
    ["2025.12.9", "A"],
    ["2026.5.28", "B"],
    ["2026.7.1", "B"],
    ["garbage", "AB"],
    ["2026", "AB"],
  ])("config meta.lastTouchedVersion %s -> %s", (version, era) => {
    const state = makeStateDir();
    const store = writeIndex(state, "main", {});
    expect(jsonStoreEra(store, { meta: { lastTouchedVersion: version } })).toBe(era);
  });
});
