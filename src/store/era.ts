// Which storage era a store belongs to (README: "Storage eras"). Era C matters most: its gateway refuses
// to start while a sessions.json exists, so we must never write one there.
//
// Era C is detected by the agent database having a `session_nodes` table: the file alone exists
// from 2026.6.5 on without session tables. Node 20 has no node:sqlite, so instead of a
// dependency this reads the schema table (sqlite_master, rooted at page 1) straight from the
// file format: walk its b-tree, read each row's `type` and `name`. A fresh WAL database may hold
// its schema only in the `-wal` file, so committed WAL frames override database pages.
import fs from "node:fs";
import path from "node:path";
import type { Era, StoreRef } from "../core/types.js";
import { lastTouchedVersion, type OpenClawConfig } from "./config.js";
import { lockBodyFields } from "./lock-body.js";
import { ownLockOwnerPath } from "./own-lock-name.js";

const SQLITE_MAGIC = "SQLite format 3\0";
const WAL_MAGIC = [0x377f0682, 0x377f0683];
/** Never read more than this many WAL frame headers (512 MiB of 4 KiB pages); a longer -wal is not walked. */
const MAX_WAL_FRAMES = 131_072;
const MAX_SCHEMA_PAGES = 2_048;

export const AGENT_DB_FILE = "openclaw-agent.sqlite";

export function agentDbPath(stateDir: string, agentId: string): string {
  return path.join(stateDir, "agents", agentId, "agent", AGENT_DB_FILE);
}

/** The file's first bytes are (a prefix of) SQLite's header magic. */
export function startsLikeSqlite(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const head = readAt(fd, 16, 0);
    return head.length > 0 && SQLITE_MAGIC.startsWith(head.toString("latin1"));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** True when the SQLite database at dbPath (with its -wal) has a table named `tableName`. */
export function sqliteHasTable(dbPath: string, tableName: string): boolean {
  return probeTable(dbPath, tableName).kind === "has";
}

/**
 * What an agent database file is: `absent`; `has` the table; `lacks` it (a readable SQLite file
 * without it, or an empty file, which SQLite reads as an empty database); or `unreadable`, with
 * why (no permission, not SQLite, cut short, a schema that cannot be walked): then whether it
 * holds sessions cannot be known, and saying "no sessions" would hide them.
 */
export type TableProbe = { kind: "absent" | "has" | "lacks" } | { kind: "unreadable"; why: string };

export function probeTable(dbPath: string, tableName: string): TableProbe {
  let reader: PageReader | undefined;
  try {
    const opened = openPages(dbPath);
    if (opened === "absent") return { kind: "absent" };
    if (opened === "empty") return { kind: "lacks" }; // an empty file is an empty database
    if (typeof opened === "string") return { kind: "unreadable", why: opened };
    reader = opened;
    return { kind: schemaHas(reader, `table:${tableName}`) ? "has" : "lacks" };
  } catch (err) {
    return { kind: "unreadable", why: `its schema cannot be read (${(err as Error).message}): the file is damaged` };
  } finally {
    reader?.close();
  }
}

/**
 * Where SQLite keeps a database's -wal and -shm: beside the file a symlinked path leads to, as it
 * resolves symlinks before naming them (and so does OpenClaw's gateway). Beside the link itself
 * they are never found, and a store would be read as if it had none. One realpath for both.
 */
export function sidecarPaths(dbPath: string): { wal: string; shm: string } {
  let real = dbPath;
  try {
    real = fs.realpathSync(dbPath);
  } catch {
    // gone or unreadable: its own name, which the caller's stat then reports
  }
  return { wal: `${real}-wal`, shm: `${real}-shm` };
}

/** What a user who may not read a file is told, the same for the database and its sidecars. */
function permissionDenied(what: string): string {
  return `permission denied: this user (uid ${process.getuid?.() ?? "?"}) cannot read ${what}; run as the gateway's user or grant read access`;
}

/**
 * A -wal or -shm this user may not open, or undefined. SQLite opens them at the first read and
 * says only "unable to open database file", which names neither the file nor the cause; asked
 * after a failed open, so a readable store pays nothing. Opened for reading only, never created:
 * a sidecar that is not there is not this problem.
 */
export function sidecarAccessProblem(dbPath: string): string | undefined {
  const at = sidecarPaths(dbPath);
  const denied = (["wal", "shm"] as const).filter((k) => {
    try {
      fs.closeSync(fs.openSync(at[k], "r"));
      return false;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === "EACCES" || code === "EPERM";
    }
  });
  if (denied.length === 0) return undefined;
  const files = denied.map((k) => `its -${k} ${at[k]}`).join(" and ");
  return permissionDenied(files);
}

/** The agent database's probe for OpenClaw 2026.8+ session tables. */
export function probeAgentDb(dbPath: string): TableProbe {
  return probeTable(dbPath, "session_nodes");
}

export function isEraC(stateDir: string, agentId: string): boolean {
  return sqliteHasTable(agentDbPath(stateDir, agentId), "session_nodes");
}

/** Why an agent database cannot hold OpenClaw 2026.8+ sessions we can read; undefined when it has them. */
export function agentDbProblem(dbPath: string, probe: TableProbe = probeAgentDb(dbPath)): string | undefined {
  switch (probe.kind) {
    case "has":
      return undefined;
    case "absent":
      return "no such file";
    case "lacks":
      if (fs.statSync(dbPath, { throwIfNoEntry: false })?.size === 0) return "an empty file (0 bytes): OpenClaw's session tables were never created in it (its creation cut short?)";
      return "an SQLite database without OpenClaw's session tables (no session_nodes): not an OpenClaw 2026.8+ agent database";
    case "unreadable":
      return probe.why;
  }
}

/**
 * A or B for a JSON store, only from evidence that shows it. The two eras write the same files;
 * only the era A gateway takes `sessions.json.lock` (for milliseconds per write), and the config
 * records the version that last wrote it (meta.lastTouchedVersion). Without either, the files do
 * not tell A from B and we say "AB" rather than guess. Writers take the era A lock for every JSON
 * store anyway (the design notes), but a finalize writes the era's outcome (2026.4 also sets
 * abortedLastRun on a timeout): so the stamp outranks a lock file, which a killed writer leaves
 * behind, and a lock our own writer holds (its pid in our lock's owner record) is no evidence of A.
 */
export function jsonStoreEra(storePath: string, config: OpenClawConfig): "A" | "B" | "AB" {
  // the stamp first: a lock left behind by a killed writer (ours, or any tool taking OpenClaw's
  // lock) beside a 2026.5+ store would otherwise make it A, and cleanup write 2026.4's outcome
  const v = configVersion(config);
  if (v) return v.year < 2026 || (v.year === 2026 && v.month <= 4) ? "A" : "B";
  return eraALockSeen(storePath) ? "A" : "AB";
}

/** A `sessions.json.lock` that is not our writer's (one that cannot be read counts: it is there). */
function eraALockSeen(storePath: string): boolean {
  const lock = smallFile(`${storePath}.lock`);
  if (lock === undefined) return false;
  const held = lockBodyFields(lock);
  const ours = lockBodyFields(smallFile(ownLockOwnerPath(storePath)) ?? "");
  if (held?.pid === undefined || held.pid !== ours?.pid) return true;
  return held.starttime !== undefined && ours.starttime !== undefined && held.starttime !== ours.starttime;
}

/** A lock body's text: undefined when there is no such file, "" when it cannot be read. */
function smallFile(p: string): string | undefined {
  try {
    return fs.readFileSync(p, "utf8");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? undefined : "";
  }
}

/** meta.lastTouchedVersion as year and month (OpenClaw's versions are YYYY.M.D). */
function configVersion(config: OpenClawConfig): { year: number; month: number } | undefined {
  const version = lastTouchedVersion(config);
  const m = version ? /^(\d+)\.(\d+)\./.exec(version.trim()) : null;
  return m ? { year: Number(m[1]), month: Number(m[2]) } : undefined;
}

/**
 * What the config says of era C: "before" (an OpenClaw < 2026.8 last wrote it: its agent
 * database holds no sessions, whatever can be read of it), "since" (2026.8+: the sessions are in
 * the database, never in a sessions.json), or undefined when it does not say.
 */
export function configEraC(config: OpenClawConfig): "before" | "since" | undefined {
  const v = configVersion(config);
  if (!v) return undefined;
  return v.year > 2026 || (v.year === 2026 && v.month >= 8) ? "since" : "before";
}

/** A sessions.json on an OpenClaw 2026.8+ install: shown, never written (StoreRef.importPending). */
export function importPendingMessage(store: StoreRef): string {
  return (
    `agent ${store.agentId}: ${store.storePath} awaits import: the config was last written by OpenClaw ${store.importPending ?? "2026.8+"}, ` +
    `which keeps sessions in SQLite and imports this index when its gateway starts (refusing to start until then); ` +
    `it is shown as it is and never written by openclaw-sessions (start the gateway to import it)`
  );
}

export function storeEra(stateDir: string, agentId: string, storePath: string, config: OpenClawConfig): Era {
  return isEraC(stateDir, agentId) ? "C" : jsonStoreEra(storePath, config);
}

// ------------------------------------------------------------------ SQLite file format

interface PageReader {
  pageSize: number;
  usable: number;
  page(n: number): Buffer;
  close(): void;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** The file's pages, or why there are none: absent, an empty database, or a reason it cannot be read. */
function openPages(dbPath: string): PageReader | "absent" | "empty" | string {
  let dbFd: number;
  try {
    dbFd = fs.openSync(dbPath, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "absent";
    if (code === "EACCES" || code === "EPERM") return permissionDenied("it");
    if (code === "EISDIR") return "a directory, not a database file";
    return `cannot be opened (${(err as Error).message})`;
  }
  const stat = fs.fstatSync(dbFd);
  if (stat.isDirectory()) {
    fs.closeSync(dbFd);
    return "a directory, not a database file";
  }
  let walFd: number | undefined;
  try {
    walFd = fs.openSync(sidecarPaths(dbPath).wal, "r");
  } catch {
    walFd = undefined;
  }
  const close = () => {
    fs.closeSync(dbFd);
    if (walFd !== undefined) fs.closeSync(walFd);
  };
  try {
    const wal = walFd === undefined ? undefined : readWalIndex(walFd);
    const header = readAt(dbFd, 100, 0);
    let pageSize: number;
    let reserved = 0;
    const fail = (why: string): string => {
      close();
      return why;
    };
    // pages whose newest frame lies past the frames walked would be read stale: not a verdict
    if (wal?.tooLong) return fail(`its -wal holds more than ${MAX_WAL_FRAMES} frames, too many to walk (a gateway that has not checkpointed): try again once it has`);
    if (header.length === 100 && header.toString("latin1", 0, 16) === SQLITE_MAGIC) {
      const raw = header.readUInt16BE(16);
      pageSize = raw === 1 ? 65_536 : raw;
      reserved = header[20];
    } else if (header.length === 0 && walFd !== undefined) {
      // SQLite never leaves page 1 only in the -wal (WAL mode writes it to the main file first),
      // and opening an empty main file deletes the -wal beside it: never call this readable
      return fail("the main file is empty but a -wal is beside it: SQLite would delete that -wal on opening it");
    } else if (header.length === 0) {
      close();
      return "empty";
    } else if (header.length < 100 && SQLITE_MAGIC.startsWith(header.toString("latin1", 0, Math.min(16, header.length)))) {
      return fail(`cut short: ${header.length} bytes, less than SQLite's 100-byte header`);
    } else {
      return fail("not an SQLite database (its first bytes are not the SQLite header)");
    }
    if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return fail(`damaged: its header gives page size ${pageSize}`);
    // the header's page count is valid when its change counter matches (offsets 24 and 92); a file
    // shorter than that count lost its end, unless committed WAL frames are there to replay
    // the size after the header was read: a checkpoint that grew the file and rewrote page 1
    // meanwhile gives a header and a size of the same moment, not an old size and a new count
    const size = fs.fstatSync(dbFd).size;
    const pages = header.length === 100 && header.readUInt32BE(24) === header.readUInt32BE(92) ? header.readUInt32BE(28) : 0;
    if (pages > 0 && size < pages * pageSize && !(wal && wal.frames.size > 0)) {
      return fail(`cut short: its header counts ${pages} pages of ${pageSize} bytes (${pages * pageSize} bytes), the file has ${size}`);
    }
    const page = (n: number): Buffer => {
      const frameOffset = wal?.frames.get(n);
      if (frameOffset !== undefined && walFd !== undefined && wal!.pageSize === pageSize) {
        return readAt(walFd, pageSize, frameOffset);
      }
      return readAt(dbFd, pageSize, (n - 1) * pageSize);
    };
    return { pageSize, usable: pageSize - reserved, page, close };
  } catch (err) {
    close();
    throw err;
  }
}

/** Offsets of the newest COMMITTED frame of each page in the WAL (frames of an older WAL generation have other salts). */
function readWalIndex(fd: number): { pageSize: number; frames: Map<number, number>; tooLong?: boolean } | undefined {
  const h = readAt(fd, 32, 0);
  if (h.length < 32 || !WAL_MAGIC.includes(h.readUInt32BE(0))) return undefined;
  const pageSize = h.readUInt32BE(8);
  const salt1 = h.readUInt32BE(16);
  const salt2 = h.readUInt32BE(20);
  if (pageSize < 512 || pageSize > 65_536) return undefined;
  if (Math.floor((fs.fstatSync(fd).size - 32) / (24 + pageSize)) > MAX_WAL_FRAMES) return { pageSize, frames: new Map(), tooLong: true };
  const committed = new Map<number, number>();
  let pending = new Map<number, number>();
  for (let i = 0; i < MAX_WAL_FRAMES; i++) {
    const at = 32 + i * (24 + pageSize);
    const fh = readAt(fd, 24, at);
    if (fh.length < 24) break;
    if (fh.readUInt32BE(8) !== salt1 || fh.readUInt32BE(12) !== salt2) break;
    pending.set(fh.readUInt32BE(0), at + 24);
    if (fh.readUInt32BE(4) !== 0) {
      for (const [pg, off] of pending) committed.set(pg, off);
      pending = new Map();
    }
  }
  return { pageSize, frames: committed };
}

function varint(buf: Buffer, at: number): [value: number, next: number] {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    const b = buf[at + i];
    if (b === undefined) throw new RangeError("varint past end of page");
    if (i === 8) return [v * 256 + b, at + 9];
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) return [v, at + i + 1];
  }
  return [v, at + 9];
}

/**
 * Whether sqlite_master (the b-tree rooted at page 1) has a row whose "type:name" is `wanted`.
 * Pages are visited left to right and the walk stops at the row: OpenClaw creates its tables
 * first, so `session_nodes` is in the first leaf, and the rest of a large schema (~190 rows,
 * ~40 KB of SQL in 2026.9) is never read.
 */
function schemaHas(r: PageReader, wanted: string): boolean {
  const stack = [1];
  const seen = new Set<number>();
  while (stack.length > 0 && seen.size < MAX_SCHEMA_PAGES) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const page = r.page(n);
    const base = n === 1 ? 100 : 0;
    const kind = page[base];
    const cells = page.readUInt16BE(base + 3);
    const headerLen = kind === 0x05 ? 12 : 8;
    if (kind === 0x05) {
      // children left to right: the cells' pointers, then the right-most; pushed in reverse
      stack.push(page.readUInt32BE(base + 8));
      for (let i = cells - 1; i >= 0; i--) stack.push(page.readUInt32BE(page.readUInt16BE(base + headerLen + 2 * i)));
      continue;
    }
    // sqlite_master is a table b-tree: every page of it is a table leaf (0x0d) or interior (0x05)
    // page. Anything else is damage (a scribbled page 1 most often), which must not pass for a
    // database that merely lacks the table: that would call a damaged store "not OpenClaw's".
    if (kind !== 0x0d) throw new RangeError(`page ${n}, of the schema table, is not a table b-tree page: type byte ${String(kind)}`);
    for (let i = 0; i < cells; i++) {
      const cell = page.readUInt16BE(base + headerLen + 2 * i);
      if (cell < base + headerLen || cell >= r.pageSize) throw new RangeError(`page ${n}, of the schema table, points a cell outside the page: offset ${cell}`);
      const [payloadLen, afterLen] = varint(page, cell);
      const [, payloadStart] = varint(page, afterLen);
      const local = Math.min(payloadLen, localPayload(payloadLen, r.usable));
      const row = readRecordStrings(page.subarray(payloadStart, payloadStart + local), 2);
      if (row[0] !== undefined && row[1] !== undefined && `${row[0]}:${row[1]}` === wanted) return true;
    }
  }
  return false;
}

function localPayload(p: number, usable: number): number {
  const x = usable - 35;
  if (p <= x) return p;
  const m = Math.floor(((usable - 12) * 32) / 255) - 23;
  const k = m + ((p - m) % (usable - 4));
  return k <= x ? k : m;
}

/** The first `count` columns of a record, as strings when they are text. */
function readRecordStrings(rec: Buffer, count: number): Array<string | undefined> {
  const [headerSize, afterSize] = varint(rec, 0);
  const types: number[] = [];
  for (let at = afterSize; at < headerSize && types.length < count; ) {
    const [t, next] = varint(rec, at);
    types.push(t);
    at = next;
  }
  const out: Array<string | undefined> = [];
  let at = headerSize;
  for (const t of types) {
    const len = serialLength(t);
    out.push(t >= 13 && t % 2 === 1 && at + len <= rec.length ? rec.toString("utf8", at, at + len) : undefined);
    at += len;
  }
  return out;
}

function serialLength(t: number): number {
  if (t >= 12) return Math.floor((t - (t % 2 === 0 ? 12 : 13)) / 2);
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][t] ?? 0;
}
