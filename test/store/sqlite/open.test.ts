import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { chooseOpenMode, openStoreDb, checkAgentSchema, replacedSidecarsProblem, schemaReadFailure, sidecars } from "../../../src/store/sqlite/open.js";
import { compareVersion, MIN_SQLITE, missingForEraC, sqliteRuntime } from "../../../src/store/sqlite/runtime.js";
import { readEraCStore } from "../../../src/store/sqlite/read-store.js";
import { copyRun, sqlite, treeInodes } from "../../fixtures/real-openclaw-c.js";
import { buildRunnableByOthers, NOBODY } from "../../fixtures/as-another-user.js";

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
    ["-wal with content but no -shm, owner dead: refused", { wal: wal(4096) }, false, /-wal holds commits not yet in the main file but its -shm is missing/],
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

describe("a copy whose -wal holds commits but that has no -shm", () => {
  it("is refused with advice that works: the -wal is there already, and the copy given an empty -shm is read with the -wal's commits", () => {
    const copy = copyRun("c7-aborted");
    roots.push(copy.root);
    // a writer's commit left in its -wal (no checkpoint): copied with the database, without -shm
    const writer = new (sqlite().DatabaseSync)(copy.dbPath);
    const away = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-wal-copy-"));
    roots.push(away);
    const db = path.join(away, "openclaw-agent.sqlite");
    try {
      writer.exec("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; UPDATE session_nodes SET updated_at = 4242");
      fs.copyFileSync(copy.dbPath, db);
      fs.copyFileSync(`${copy.dbPath}-wal`, `${db}-wal`);
    } finally {
      writer.close();
    }
    expect(fs.statSync(`${db}-wal`).size).toBeGreaterThan(0);
    const store = { agentId: "main", storePath: db, era: "C" as const };
    let refusal = "";
    try {
      readEraCStore(store);
    } catch (err) {
      refusal = (err as Error).message;
    }
    // the old advice, "copy the store with its -wal", named what is already there
    expect(refusal).not.toMatch(/with its -wal to read it/);
    expect(refusal).toMatch(/its -shm is missing.*give the copy an empty -shm \(touch <copy>-shm\) and read the copy with --store/);
    expect(fs.existsSync(`${db}-shm`)).toBe(false);
    // the advice followed: SQLite rebuilds the index from the -wal, whose commit is read
    fs.writeFileSync(`${db}-shm`, "");
    const read = readEraCStore(store);
    expect(read.evidence.map((ev) => ev.entry.updatedAt)).toEqual([4242]);
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

describe("replacedSidecarsProblem: sidecars re-created during a plain open, for whom", () => {
  const st = (ino: number, uid: number, birthtimeMs = 5) => ({ ino, uid, birthtimeMs }) as fs.Stats;
  const db = "/s/openclaw-agent.sqlite";
  const owned = { wal: st(1, 1000), shm: st(2, 1000) };
  it("the same files, now this reader's (another user's sidecars all along): not this read's doing", () => {
    expect(replacedSidecarsProblem(db, 1000, { wal: st(1, 0), shm: st(2, 0) }, { wal: st(1, 0), shm: st(2, 0) }, 0)).toBeUndefined();
  });
  it("re-created for the store's owner (a gateway restarting, or SQLite run as root): harmless", () => {
    expect(replacedSidecarsProblem(db, 1000, owned, { wal: st(3, 1000), shm: st(4, 1000) }, 1000)).toBeUndefined();
  });
  it("re-created for a third user (a gateway of its own), not this reader's: not this read's doing", () => {
    expect(replacedSidecarsProblem(db, 1000, owned, { wal: st(3, 2000), shm: st(4, 2000) }, 0)).toBeUndefined();
  });
  it("gone since (the gateway closed after the read): nothing this reader made", () => {
    expect(replacedSidecarsProblem(db, 1000, owned, {}, 0)).toBeUndefined();
  });
  it("re-created under the same inode numbers (the file system reused them): told apart by birth time", () => {
    expect(replacedSidecarsProblem(db, 1000, owned, { wal: st(1, 0, 9), shm: st(2, 0, 9) }, 0)).toMatch(/-wal and .*-shm were re-created/);
  });
  it("re-created for this reader, another user than the store's: both named, with whom OpenClaw runs as and what to do", () => {
    expect(replacedSidecarsProblem(db, 1000, owned, { wal: st(3, 0), shm: st(4, 0) }, 0)).toBe(
      `${db}-wal and ${db}-shm were re-created during this read (OpenClaw closed the store meanwhile) and now belong to uid 0, not to the store's owner (uid 1000): OpenClaw running as uid 1000 cannot write this store until they are removed (when no gateway runs) or given to uid 1000`,
    );
  });
  it("only -shm re-created for another user: only it is named", () => {
    expect(replacedSidecarsProblem(db, 1000, owned, { wal: st(1, 1000), shm: st(4, 7) }, 7)).toMatch(/^\/s\/openclaw-agent\.sqlite-shm was re-created .* uid 7, .*until it is removed/);
  });
});

describe("a gateway closing the store between the open's check and the open", () => {
  /** A store whose sidecars exist (as beside a running gateway) and go away at `beforeOpen`, as a gateway's close removes them. */
  function storeWithSidecars(): string {
    const copy = copyRun("c7-aborted");
    roots.push(copy.root);
    fs.writeFileSync(`${copy.dbPath}-wal`, "");
    fs.writeFileSync(`${copy.dbPath}-shm`, "");
    return copy.dbPath;
  }
  const closeGateway = (dbPath: string) => () => {
    fs.rmSync(`${dbPath}-wal`);
    fs.rmSync(`${dbPath}-shm`);
  };

  it("run as root, SQLite gives the re-created sidecars to the store's owner: read, nothing to say", () => {
    const dbPath = storeWithSidecars();
    if (process.getuid?.() === 0) fs.chownSync(dbPath, 4321, 4321);
    const { db, mode, problem } = openStoreDb(dbPath, false, closeGateway(dbPath));
    try {
      expect(mode).toBe("plain");
      expect(problem).toBeUndefined();
      expect(db.prepare("SELECT count(*) AS n FROM session_nodes").get()?.n).toBe(1);
      const uid = process.getuid?.() === 0 ? 4321 : process.getuid?.();
      expect(sidecars(dbPath).wal?.uid).toBe(uid);
    } finally {
      db.close();
    }
  });

  // another user is needed: as root (CI, this machine), the reader runs as `nobody`
  it.runIf(process.getuid?.() === 0)("run as another user than the store's owner: the re-created sidecars are named, with the uids", () => {
    const dbPath = storeWithSidecars();
    fs.chmodSync(path.dirname(dbPath), 0o777);
    for (let dir = path.dirname(dbPath); dir !== path.dirname(dir) && dir.startsWith(os.tmpdir()) && dir !== os.tmpdir(); dir = path.dirname(dir)) fs.chmodSync(dir, 0o777);
    const build = buildRunnableByOthers();
    roots.push(path.dirname(build.node));
    const openJs = pathToFileURL(path.join(build.root, "dist/src/store/sqlite/open.js")).href;
    const script = `import { openStoreDb } from ${JSON.stringify(openJs)}; import fs from "node:fs";
      const p = ${JSON.stringify(dbPath)};
      const { db, problem } = openStoreDb(p, false, () => { fs.rmSync(p + "-wal"); fs.rmSync(p + "-shm"); });
      db.close(); process.stdout.write(JSON.stringify({ problem }));`;
    const out = execFileSync(build.node, ["--no-warnings", "--input-type=module", "-e", script], { uid: NOBODY, gid: NOBODY, encoding: "utf8", cwd: build.root });
    const { problem } = JSON.parse(out) as { problem?: string };
    expect(problem).toBe(
      `${dbPath}-wal and ${dbPath}-shm were re-created during this read (OpenClaw closed the store meanwhile) and now belong to uid 65534, not to the store's owner (uid 0): OpenClaw running as uid 0 cannot write this store until they are removed (when no gateway runs) or given to uid 0`,
    );
    expect(sidecars(dbPath).wal?.uid).toBe(65534);
  });
});

describe("an agent database reached through a symlink", () => {
  it("its -wal and -shm are looked for beside the file the link leads to, as SQLite keeps them: committed WAL rows are read, nothing is made beside the link", () => {
    const copy = copyRun("c7-aborted");
    roots.push(copy.root);
    const dir = path.dirname(copy.dbPath);
    const real = path.join(dir, "real.sqlite");
    fs.renameSync(copy.dbPath, real);
    fs.symlinkSync("real.sqlite", copy.dbPath);
    const { DatabaseSync } = sqlite();
    const writer = new DatabaseSync(real);
    writer.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0");
    writer.prepare("UPDATE session_nodes SET label = 'only in the wal'").run();
    try {
      const before = treeInodes(dir);
      const { db, mode } = openStoreDb(copy.dbPath, true);
      try {
        expect(mode).toBe("plain");
        expect(db.prepare("SELECT label FROM session_nodes").get()?.label).toBe("only in the wal");
      } finally {
        db.close();
      }
      expect(treeInodes(dir)).toEqual(before);
    } finally {
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
