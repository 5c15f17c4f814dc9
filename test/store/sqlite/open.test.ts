import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chooseOpenMode, openStoreDb, checkAgentSchema, schemaReadFailure } from "../../../src/store/sqlite/open.js";
import { compareVersion, MIN_SQLITE, missingForEraC, sqliteRuntime } from "../../../src/store/sqlite/runtime.js";
import { readEraCStore } from "../../../src/store/sqlite/read-store.js";
import { copyRun, sqlite, treeInodes } from "../../fixtures/real-openclaw-c.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

describe("chooseOpenMode: never a sidecar created, never a stale immutable read", () => {
  const wal = (size: number) => ({ size });
  const cases: Array<[string, Parameters<typeof chooseOpenMode>[0], boolean, RegExp | "plain" | "immutable"]> = [
    ["both sidecars, owner alive: plain read-only", { wal: wal(100), shm: wal(32768) }, true, "plain"],
    ["both sidecars, owner dead: plain read-only (the -wal may hold the data)", { wal: wal(100), shm: wal(32768) }, false, "plain"],
    ["no sidecars, owner dead: immutable (a copy, a backup)", {}, false, "immutable"],
    ["empty -wal without -shm, owner dead: immutable", { wal: wal(0) }, false, "immutable"],
    ["-shm without -wal, owner dead: immutable", { shm: wal(32768) }, false, "immutable"],
    ["no sidecars, owner alive: refused", {}, true, /owner is alive/],
    ["-wal with content but no -shm, owner dead: refused", { wal: wal(4096) }, false, /-wal holds/],
    // SQLite deletes the -wal of an empty main file when it opens it, even read-only
    ["an empty main file with both sidecars: refused, whoever owns it", { main: 0, wal: wal(12360), shm: wal(32768) }, false, /main file is empty but a -wal is beside it/],
    ["an empty main file with both sidecars, owner alive: refused", { main: 0, wal: wal(12360), shm: wal(32768) }, true, /main file is empty but a -wal is beside it/],
    ["an empty main file with an empty -wal alone: refused", { main: 0, wal: wal(0) }, false, /main file is empty but a -wal is beside it/],
    ["an empty main file, no sidecars, owner dead: immutable (an empty database)", { main: 0 }, false, "immutable"],
  ];
  for (const [name, files, alive, want] of cases) {
    it(name, () => {
      const got = chooseOpenMode(files, alive);
      if (want instanceof RegExp) expect(got).toMatch(want);
      else expect(got).toBe(want);
    });
  }
});

describe("schemaReadFailure: what a failed version-gate statement means, by SQLite's primary code", () => {
  const failure = (errcode: number | undefined, message = "boom") => schemaReadFailure(Object.assign(new Error(message), errcode === undefined ? {} : { errcode }));
  it.each([
    [11, "damaged (boom)"],
    [779, "damaged (boom)"], // SQLITE_CORRUPT_INDEX
    [267, "damaged (boom)"], // SQLITE_CORRUPT_VTAB
    [26, "damaged (boom)"],
    [1, "unsupported store version (boom)"],
    [undefined, "unsupported store version (boom)"],
    [5, "cannot be read now (boom)"], // BUSY
    [266, "cannot be read now (boom)"], // IOERR_READ
    [14, "cannot be read now (boom)"], // CANTOPEN
  ])("errcode %s: %s", (code, want) => {
    expect(failure(code)).toBe(want);
  });
});

describe("runtime", () => {
  it("this Node bundles SQLite >= 3.51.3 and zstd (era C tests run on Node 24, as CI does)", () => {
    expect(compareVersion(process.versions.sqlite ?? "0", MIN_SQLITE)).toBeGreaterThanOrEqual(0);
    expect(sqliteRuntime().sqliteVersion).toBe(process.versions.sqlite);
  });
  it("compares dotted versions numerically", () => {
    expect(compareVersion("3.47.2", MIN_SQLITE)).toBeLessThan(0);
    expect(compareVersion("3.51.3", MIN_SQLITE)).toBe(0);
    expect(compareVersion("3.100.0", MIN_SQLITE)).toBeGreaterThan(0);
  });
});

describe("schema gate", () => {
  function dbWith(userVersion: number, role: string, zstdColumn = false): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-gate-"));
    roots.push(dir);
    const file = path.join(dir, "openclaw-agent.sqlite");
    const { DatabaseSync } = sqlite();
    const db = new DatabaseSync(file);
    db.exec(`CREATE TABLE schema_meta (meta_key TEXT PRIMARY KEY, role TEXT NOT NULL, schema_version INTEGER NOT NULL, agent_id TEXT, app_version TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
             CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY);
             CREATE TABLE transcript_events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, event_json TEXT, created_at INTEGER NOT NULL${zstdColumn ? ", event_zstd BLOB" : ""});
             INSERT INTO schema_meta VALUES ('primary', '${role}', ${userVersion}, 'main', '2026.9.6', 0, 0);
             PRAGMA user_version = ${userVersion};`);
    db.close();
    return file;
  }
  it.each([
    [19, false],
    [21, false],
    [23, true],
  ])("user_version %i (a release OpenClaw shipped) passes the gate; compressed transcript rows: %s", (version, zstd) => {
    const file = dbWith(version, "agent", zstd);
    const { db } = openStoreDb(file, false);
    try {
      expect(checkAgentSchema(db, file)).toMatchObject({ version, agentId: "main", zstdTranscripts: zstd });
    } finally {
      db.close();
    }
  });
  it.each([18, 20, 22, 24])("user_version %i (no release wrote it) is an unsupported store version naming the ones read", (version) => {
    const file = dbWith(version, "agent");
    const { db } = openStoreDb(file, false);
    try {
      expect(() => checkAgentSchema(db, file)).toThrow(new RegExp(`unsupported store version \\(user_version ${version}; the agent database versions read are 19 \\(OpenClaw 2026\\.8\\.1-2026\\.9\\.4\\), 21 \\(OpenClaw 2026\\.9\\.5\\), 23`));
    } finally {
      db.close();
    }
  });
  it("user_version 22 is an unsupported store version", () => {
    const file = dbWith(22, "agent");
    const { db } = openStoreDb(file, false);
    try {
      expect(() => checkAgentSchema(db, file)).toThrow(/unsupported store version \(user_version 22/);
    } finally {
      db.close();
    }
  });
  it("a page overwritten inside the file (the size and header intact): SQLITE_CORRUPT -> damaged", () => {
    const file = dbWith(23, "agent");
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    // every page after the first, b-tree headers included: whatever schema_meta's root is, it is garbage now
    bytes.fill(0xa5, pageSize);
    fs.writeFileSync(file, bytes);
    expect(() => readEraCStore({ agentId: "main", storePath: file, era: "C" })).toThrow(/: damaged \((database disk image is malformed|file is not a database)\)$/);
  });
  it("a global DB (role 'global') is not an agent store", () => {
    const file = dbWith(23, "global");
    expect(() => readEraCStore({ agentId: "main", storePath: file, era: "C" })).toThrow(/unsupported store version .*no schema_meta role 'agent'/);
  });
});

describe("opening a copy without sidecars", () => {
  it("creates no -wal/-shm even in a writable dir (immutable=1), and reads it", () => {
    const copy = copyRun("c7-aborted");
    roots.push(copy.root);
    const before = treeInodes(path.dirname(copy.dbPath));
    const { db, mode } = openStoreDb(copy.dbPath, false);
    try {
      expect(mode).toBe("immutable");
      expect(db.prepare("SELECT count(*) AS n FROM session_nodes").get()?.n).toBe(1);
    } finally {
      db.close();
    }
    expect(treeInodes(path.dirname(copy.dbPath))).toEqual(before);
    expect(fs.existsSync(`${copy.dbPath}-wal`) || fs.existsSync(`${copy.dbPath}-shm`)).toBe(false);
  });
});

describe("a plain open beside a live writer", () => {
  it("is read-only, query-only, and waits 5 s for a busy writer (busy_timeout set as a pragma: Node 22 ignores the option)", () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const { DatabaseSync } = sqlite();
    const writer = new DatabaseSync(copy.dbPath);
    writer.prepare("SELECT count(*) FROM session_nodes").get();
    const { db, mode } = openStoreDb(copy.dbPath, true);
    try {
      expect(mode).toBe("plain");
      expect(db.prepare("PRAGMA busy_timeout").get()).toEqual({ timeout: 5000 });
      expect(db.prepare("PRAGMA query_only").get()).toEqual({ query_only: 1 });
      expect(() => db.exec("UPDATE session_nodes SET label = 'x'")).toThrow(/readonly|query_only|read-only/i);
    } finally {
      db.close();
      writer.close();
    }
  });
});

describe("missingForEraC: what an older Node lacks, said plainly", () => {
  const cases: Array<[string, string, string | undefined, boolean, RegExp | undefined]> = [
    ["Node 20: no node:sqlite", "20.20.2", undefined, false, /needs Node 24 .*this is Node 20\.20\.2 without node:sqlite/],
    ["Node 22.14: SQLite 3.47.2 is older than 3.51.3", "22.14.0", "3.47.2", false, /Node 22\.14\.0 bundles SQLite 3\.47\.2/],
    ["a new SQLite without zstd", "23.0.0", "3.52.0", false, /Node 23\.0\.0 has no zstd/],
    ["Node 24: everything", "24.22.3", "3.54.1", true, undefined],
  ];
  for (const [name, node, sqliteVersion, zstd, want] of cases) {
    it(name, () => {
      const got = missingForEraC(node, sqliteVersion, zstd);
      if (want) expect(got).toMatch(want);
      else expect(got).toBeUndefined();
    });
  }
});
