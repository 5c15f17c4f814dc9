import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { agentDbPath, agentDbProblem, isEraC, jsonStoreEra, probeAgentDb, sqliteHasTable, startsLikeSqlite, storeEra } from "../../src/store/era.js";
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

describe("probeAgentDb: a file that cannot be read is unreadable, never \"no sessions\"", () => {
  const eraC = path.join(samples, "era-c.sqlite");

  it("has, lacks (a readable SQLite file without session_nodes, an empty file), absent", () => {
    const dir = makeStateDir();
    expect(probeAgentDb(eraC)).toEqual({ kind: "has" });
    expect(probeAgentDb(path.join(samples, "no-sessions.sqlite"))).toEqual({ kind: "lacks" });
    fs.writeFileSync(path.join(dir, "empty.sqlite"), "");
    expect(probeAgentDb(path.join(dir, "empty.sqlite"))).toEqual({ kind: "lacks" });
    expect(probeAgentDb(path.join(dir, "missing.sqlite"))).toEqual({ kind: "absent" });
    expect(probeAgentDb(path.join(dir, "missing", "x.sqlite"))).toEqual({ kind: "absent" });
    expect(agentDbProblem(eraC)).toBeUndefined();
    expect(agentDbProblem(path.join(samples, "no-sessions.sqlite"))).toMatch(/without OpenClaw's session tables/);
  });

  it("a file that is not SQLite, one cut inside the header, one shorter than its header's page count, a directory", () => {
    const dir = makeStateDir();
    const put = (name: string, data: Buffer | string) => {
      fs.writeFileSync(path.join(dir, name), data);
      return probeAgentDb(path.join(dir, name));
    };
    expect(put("text.sqlite", "garbage\n")).toEqual({ kind: "unreadable", why: "not an SQLite database (its first bytes are not the SQLite header)" });
    const whole = fs.readFileSync(eraC);
    expect(put("head.sqlite", whole.subarray(0, 50))).toEqual({ kind: "unreadable", why: "cut short: 50 bytes, less than SQLite's 100-byte header" });
    const pages = whole.readUInt32BE(28);
    const pageSize = whole.readUInt16BE(16);
    expect(pages * pageSize).toBe(whole.length);
    expect(put("cut.sqlite", whole.subarray(0, 3 * pageSize))).toEqual({
      kind: "unreadable",
      why: `cut short: its header counts ${pages} pages of ${pageSize} bytes (${whole.length} bytes), the file has ${3 * pageSize}`,
    });
    fs.mkdirSync(path.join(dir, "dir.sqlite"));
    expect(probeAgentDb(path.join(dir, "dir.sqlite"))).toEqual({ kind: "unreadable", why: "a directory, not a database file" });
  });

  it("a main file shorter than its header's count is not called cut short while committed -wal frames are there to replay (a checkpoint cut off mid-way)", () => {
    const dir = makeStateDir();
    const db = path.join(dir, "x.sqlite");
    const main = fs.readFileSync(path.join(samples, "wal-only.sqlite"));
    // page 1 as a checkpoint writes it first: the header already counts the page still to come
    main.writeUInt32BE(main.length / main.readUInt16BE(16) + 1, 28);
    fs.writeFileSync(db, main);
    expect(probeAgentDb(db)).toMatchObject({ kind: "unreadable", why: expect.stringMatching(/^cut short: its header counts 3 pages/) });
    fs.copyFileSync(path.join(samples, "wal-only.sqlite-wal"), `${db}-wal`);
    expect(probeAgentDb(db)).toEqual({ kind: "has" });
  });

  it("a file this user may not read (EACCES, as for a gateway run by another user with a 0600 database) says so, with what to do", () => {
    const denied = Object.assign(new Error("EACCES: permission denied, open"), { code: "EACCES" });
    const spy = vi.spyOn(fs, "openSync").mockImplementation(() => {
      throw denied;
    });
    try {
      expect(probeAgentDb(eraC)).toEqual({ kind: "unreadable", why: expect.stringMatching(/^permission denied: this user \(uid \d+\) cannot read it; run as the gateway's user or grant read access$/) });
    } finally {
      spy.mockRestore();
    }
  });

  it("page 1 scribbled over after SQLite's 100-byte header (its b-tree header garbage) is damaged, not a database without session_nodes", () => {
    const dir = makeStateDir();
    const db = path.join(dir, "x.sqlite");
    const bytes = fs.readFileSync(eraC);
    // what `dd if=/dev/urandom seek=100 count=3000` does, with bytes that are no b-tree page type
    bytes.fill(0x2e, 100, 3100);
    fs.writeFileSync(db, bytes);
    expect(probeAgentDb(db)).toEqual({ kind: "unreadable", why: expect.stringMatching(/page 1, of the schema table, is not a table b-tree page: type byte 46\): the file is damaged$/) });
    expect(agentDbProblem(db)).not.toMatch(/session tables/);
  });

  it("a schema cell pointer outside its page is damage too", () => {
    const dir = makeStateDir();
    const db = path.join(dir, "x.sqlite");
    const bytes = fs.readFileSync(path.join(samples, "no-sessions.sqlite"));
    expect(bytes[100]).toBe(0x0d);
    bytes.writeUInt16BE(3, 103); // no-sessions.sqlite's page 1 is one leaf: its first cell pointer follows its 8-byte header
    bytes.writeUInt16BE(0xfff0, 108);
    fs.writeFileSync(db, bytes);
    expect(probeAgentDb(db)).toMatchObject({ kind: "unreadable", why: expect.stringMatching(/points a cell outside the page.*the file is damaged$/) });
  });

  it("a -wal longer than the walk reads is unreadable for now, not a database without session_nodes (its newest schema pages may lie past the frames walked)", () => {
    const dir = makeStateDir();
    const db = path.join(dir, "x.sqlite");
    fs.copyFileSync(eraC, db);
    // a real WAL header, then room for more frames than the walk reads (a sparse file)
    const wal = `${db}-wal`;
    fs.copyFileSync(path.join(samples, "wal-only.sqlite-wal"), wal);
    const pageSize = fs.readFileSync(wal).readUInt32BE(8);
    fs.truncateSync(wal, 32 + (131_072 + 1) * (24 + pageSize));
    expect(probeAgentDb(db)).toEqual({ kind: "unreadable", why: expect.stringMatching(/-wal holds more than 131072 frames, too many to walk/) });
    fs.rmSync(wal);
  });

  it("an empty main file with a -wal beside it is unreadable (opening it would make SQLite delete the -wal), never a database", () => {
    const dir = makeStateDir();
    const db = path.join(dir, "x.sqlite");
    fs.writeFileSync(db, "");
    fs.copyFileSync(path.join(samples, "wal-only.sqlite-wal"), `${db}-wal`);
    expect(probeAgentDb(db)).toEqual({ kind: "unreadable", why: "the main file is empty but a -wal is beside it: SQLite would delete that -wal on opening it" });
  });

  it("startsLikeSqlite: SQLite's magic or a prefix of it, nothing else", () => {
    const dir = makeStateDir();
    fs.writeFileSync(path.join(dir, "a"), "SQLite for");
    fs.writeFileSync(path.join(dir, "b"), "{}");
    fs.writeFileSync(path.join(dir, "c"), "");
    expect(startsLikeSqlite(eraC)).toBe(true);
    expect(startsLikeSqlite(path.join(dir, "a"))).toBe(true);
    expect(startsLikeSqlite(path.join(dir, "b"))).toBe(false);
    expect(startsLikeSqlite(path.join(dir, "c"))).toBe(false);
    expect(startsLikeSqlite(path.join(dir, "missing"))).toBe(false);
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

  it("the config's version stamp outranks a sessions.json.lock (one a killed writer left beside a 2026.7 store)", () => {
    const state = makeStateDir();
    const store = writeIndex(state, "main", {});
    fs.writeFileSync(`${store}.lock`, JSON.stringify({ pid: 999_999_999, createdAt: "2026-12-01T11:00:00.000Z" }));
    expect(jsonStoreEra(store, { meta: { lastTouchedVersion: "2026.7.1" } })).toBe("B");
    expect(jsonStoreEra(store, { meta: { lastTouchedVersion: "2026.4.26" } })).toBe("A");
    expect(jsonStoreEra(store, {})).toBe("A");
  });

  it("a sessions.json.lock our own writer holds (same pid and start as our lock's owner record) is no evidence of era A", () => {
    const state = makeStateDir();
    const store = writeIndex(state, "main", {});
    const ownerRecord = `${store}.openclaw-sessions.lock.owner`;
    fs.writeFileSync(`${store}.lock`, JSON.stringify({ pid: 4242, createdAt: new Date().toISOString(), starttime: 77 }));
    fs.writeFileSync(ownerRecord, JSON.stringify({ pid: 4242, starttime: 77, hostname: "h", acquiredAt: new Date().toISOString() }));
    expect(jsonStoreEra(store, {})).toBe("AB");
    expect(jsonStoreEra(store, { meta: { lastTouchedVersion: "2026.7.1" } })).toBe("B");
    // another process's lock (a gateway's), or the same pid of another process's life: era A
    fs.writeFileSync(ownerRecord, JSON.stringify({ pid: 4243, starttime: 77, hostname: "h", acquiredAt: new Date().toISOString() }));
    expect(jsonStoreEra(store, {})).toBe("A");
    fs.writeFileSync(ownerRecord, JSON.stringify({ pid: 4242, starttime: 78, hostname: "h", acquiredAt: new Date().toISOString() }));
    expect(jsonStoreEra(store, {})).toBe("A");
    fs.rmSync(ownerRecord);
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
