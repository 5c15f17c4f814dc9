// Opening an OpenClaw agent database without ever writing a byte or a file beside it
// (the era C read-only protocol of the OpenClaw format notes). A read-only open in a writable directory CREATES -wal and
// -shm when they are missing; the gateway checks their inodes and kills itself when they change,
// and a pair created by another user makes the owner's next write fail. So:
//   - both sidecars present: a plain read-only open (it only reads -wal; -shm is the shared index
//     every reader updates);
//   - a sidecar missing: `immutable=1`, which opens no sidecar at all, but only when no owner is
//     alive and -wal holds nothing (immutable ignores the WAL and would show stale rows);
//   - anything else: refused.
import fs from "node:fs";
import { pathToFileURL } from "node:url";
import { DamagedStoreError, UnreadableError } from "../../core/errors.js";
import { sidecarPaths } from "../era.js";
import { sqliteRuntime, type Database } from "./runtime.js";

export const BUSY_TIMEOUT_MS = 5000;

export type OpenMode = "plain" | "immutable";

export interface OpenedDb {
  db: Database;
  mode: OpenMode;
  /** plain mode: the sidecars were re-created during the open, for another user than the store's (replacedSidecarsProblem) */
  problem?: string;
}

export interface Sidecars {
  wal?: fs.Stats;
  shm?: fs.Stats;
}

export function sidecars(dbPath: string): Sidecars {
  const at = sidecarPaths(dbPath);
  return {
    wal: fs.statSync(at.wal, { throwIfNoEntry: false }),
    shm: fs.statSync(at.shm, { throwIfNoEntry: false }),
  };
}

/**
 * A -wal with commits not yet copied into the main file, and no -shm. The -wal is there, so
 * "copy it with its -wal" would not help: what is missing is a -shm for SQLite to open, and only
 * a copy may be given one (SQLite rebuilds an empty -shm from the -wal; in the store itself a
 * file created by a reader is what a gateway kills itself over). A gateway that opens the store
 * recovers the -wal and creates the -shm as the owner.
 */
export const WAL_WITHOUT_SHM =
  "its -wal holds commits not yet in the main file but its -shm is missing: reading it would create the -shm, and an immutable open would miss the -wal; not read. " +
  "To read it, copy the database and its -wal to another directory, give the copy an empty -shm (touch <copy>-shm) and read the copy with --store; " +
  "or start OpenClaw's gateway on this state dir: its open recovers the -wal and makes the -shm, and the store can be read again";

/**
 * How the file may be opened; a string is the refusal. Pure, so the rule has a table test.
 * `main`: the main file's size. SQLite, opening a 0-byte main file with a -wal beside it, even
 * read-only, DELETES the -wal (measured on Node 24's SQLite 3.54, whatever the -wal holds):
 * such a store is refused before any open. SQLite never writes that state itself (WAL mode
 * writes page 1 to the main file first), so it is a broken copy or a truncated file.
 */
export function chooseOpenMode(files: { main?: number; wal?: { size: number }; shm?: { size: number } }, ownerAlive: boolean): OpenMode | string {
  if (files.main === 0 && files.wal) return "the main file is empty but a -wal is beside it: SQLite would delete that -wal on opening it; not read";
  if (files.wal && files.shm) return "plain";
  if (ownerAlive) {
    return "its owner is alive but -wal/-shm are missing: a read-only open would create them under the owner; not read";
  }
  if (files.wal && files.wal.size > 0) {
    return WAL_WITHOUT_SHM;
  }
  return "immutable";
}

/**
 * Opens an OpenClaw SQLite file (an agent DB or the global DB) by the rules above, or refuses with why.
 * `beforeOpen` runs between the check and the open: tests put a gateway's close there.
 */
export function openStoreDb(dbPath: string, ownerAlive: boolean, beforeOpen?: () => void): OpenedDb {
  const rt = sqliteRuntime();
  const main = fs.statSync(dbPath, { throwIfNoEntry: false });
  const seen = sidecars(dbPath);
  const mode = chooseOpenMode({ main: main?.size, ...seen }, ownerAlive);
  if (mode !== "plain" && mode !== "immutable") throw new UnreadableError(`${dbPath}: ${mode}`);
  beforeOpen?.();
  // a plain path would be taken as a filename with "?" in it: a URI names the flags
  const location = mode === "immutable" ? `${pathToFileURL(dbPath).href}?mode=ro&immutable=1` : dbPath;
  let db: Database;
  try {
    db = rt.open(location, BUSY_TIMEOUT_MS);
  } catch (err) {
    throw new UnreadableError(`cannot open ${dbPath} read-only: ${(err as Error).message}`);
  }
  try {
    // Node 22 ignores the `timeout` option; the pragma is honoured everywhere
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec("PRAGMA query_only = 1");
    if (mode === "immutable" || !main) return { db, mode };
    // SQLite opens -wal and -shm at the first read, not at the open
    db.prepare("PRAGMA user_version").get();
  } catch (err) {
    db.close();
    throw new UnreadableError(`cannot read ${dbPath}: ${(err as Error).message}`);
  }
  const problem = replacedSidecarsProblem(dbPath, main.uid, seen, sidecars(dbPath));
  return problem ? { db, mode, problem } : { db, mode };
}

/**
 * The one race a plain open cannot close: OpenClaw's last connection closing (which removes -wal
 * and -shm) between the check above and SQLite opening them, which then CREATES them for this
 * reader. No open flag prevents it (`readonly_shm=1` still creates -wal, measured on SQLite 3.54).
 * Harmless when they belong to the store's owner (SQLite run as root hands them to it); made for
 * this reader's user instead, they stop OpenClaw's next write, so that is said, with what to do.
 * Never removed here: a gateway starting meanwhile may already use them. A file is "re-created"
 * when its inode or birth time differs: a removed file's inode number is often reused at once.
 */
export function replacedSidecarsProblem(
  dbPath: string,
  storeUid: number,
  before: Sidecars,
  after: Sidecars,
  readerUid: number | undefined = process.geteuid?.(),
): string | undefined {
  const foreign = (["wal", "shm"] as const).filter((k) => {
    const was = before[k];
    const now = after[k];
    if (!was || !now || now.uid !== readerUid || now.uid === storeUid) return false;
    return now.ino !== was.ino || now.birthtimeMs !== was.birthtimeMs;
  });
  if (foreign.length === 0) return undefined;
  const files = foreign.map((k) => `${dbPath}-${k}`);
  const them = foreign.length > 1;
  return `${files.join(" and ")} ${them ? "were" : "was"} re-created during this read (OpenClaw closed the store meanwhile) and now belong to uid ${readerUid}, not to the store's owner (uid ${storeUid}): OpenClaw running as uid ${storeUid} cannot write this store until ${them ? "they are" : "it is"} removed (when no gateway runs) or given to uid ${storeUid}`;
}

/**
 * The agent database versions OpenClaw has written, each read with the same statements: the
 * tables and columns this reader uses (session_nodes, session_windows, transcript_events,
 * trajectory_runtime_events, schema_meta) are the same in all three, except that transcript rows
 * gained `event_zstd` in 23. Checked against each release's own schema SQL (2026.8.1 .. 2026.9.6,
 * OPENCLAW_AGENT_SCHEMA_SQL in the published packages) and against stores real 2026.8.2, 2026.9.4
 * and 2026.9.5 gateways wrote (test/fixtures/real-openclaw-c-older).
 * OpenClaw refuses a version it does not know, and so does this reader: a later schema may move
 * what it reads.
 */
export const AGENT_SCHEMA_RELEASES: Readonly<Record<number, string>> = {
  19: "OpenClaw 2026.8.1-2026.9.4",
  21: "OpenClaw 2026.9.5",
  23: "OpenClaw 2026.9.6",
};

/** The newest version known (what the simulator writes). */
export const AGENT_SCHEMA_VERSION = 23;

export interface AgentSchema {
  version: number;
  agentId?: string;
  appVersion?: string;
  /** transcript_events has event_zstd (compressed rows, 2026.9.6 on); older stores hold text only */
  zstdTranscripts: boolean;
}

/** The known versions, for messages: "19 (OpenClaw 2026.8.1-2026.9.4), ...". */
export function knownAgentSchemas(): string {
  return Object.entries(AGENT_SCHEMA_RELEASES)
    .map(([v, release]) => `${v} (${release})`)
    .join(", ");
}

/** Throws "unsupported store version" unless user_version is a known agent DB version and schema_meta says role 'agent'. */
export function checkAgentSchema(db: Database, dbPath: string): AgentSchema {
  let version: unknown;
  let meta: { role?: unknown; agent_id?: unknown; app_version?: unknown } | undefined;
  let transcriptColumns: Set<string>;
  try {
    version = db.prepare("PRAGMA user_version").get()?.user_version;
    meta = db.prepare("SELECT role, agent_id, app_version FROM schema_meta WHERE role = 'agent' LIMIT 1").get();
    transcriptColumns = tableColumns(db, "transcript_events");
  } catch (err) {
    const message = `${dbPath}: ${schemaReadFailure(err)}`;
    throw sqliteSaysDamaged(err) ? new DamagedStoreError(message) : new UnreadableError(message);
  }
  if (typeof version !== "number" || !(version in AGENT_SCHEMA_RELEASES) || !meta) {
    const what = meta ? `user_version ${String(version)}` : `user_version ${String(version)}, no schema_meta role 'agent'`;
    throw new UnreadableError(`${dbPath}: unsupported store version (${what}; the agent database versions read are ${knownAgentSchemas()})`);
  }
  return {
    version,
    agentId: typeof meta.agent_id === "string" ? meta.agent_id : undefined,
    appVersion: typeof meta.app_version === "string" ? meta.app_version : undefined,
    zstdTranscripts: transcriptColumns.has("event_zstd"),
  };
}

/**
 * Why the version gate's statements failed, by SQLite's primary result code (node:sqlite reports
 * extended codes: the low byte is the primary one): a damaged file (CORRUPT 11, NOTADB 26) is
 * not a version to upgrade to, a missing table or column (ERROR 1) is a schema this reader does
 * not know, and anything else (BUSY, IOERR, CANTOPEN, a -shm it may not map) is just unreadable now.
 */
export function schemaReadFailure(err: unknown): string {
  const message = (err as Error).message;
  const primary = primaryCode(err);
  if (sqliteSaysDamaged(err)) return `damaged (${message})`;
  if (primary === 1 || primary === undefined) return `unsupported store version (${message})`;
  return `cannot be read now (${message})`;
}

/** SQLite's own verdict that the file is damaged: SQLITE_CORRUPT (11) or SQLITE_NOTADB (26). */
export function sqliteSaysDamaged(err: unknown): boolean {
  const primary = primaryCode(err);
  return primary === 11 || primary === 26;
}

function primaryCode(err: unknown): number | undefined {
  const code = (err as { errcode?: unknown } | undefined)?.errcode;
  return typeof code === "number" ? code & 0xff : undefined;
}

/** A table's column names: what differs between the schema versions OpenClaw wrote. */
export function tableColumns(db: Database, table: string): Set<string> {
  return new Set(db.prepare("SELECT name FROM pragma_table_info(?)").all(table).map((r) => String(r.name)));
}
