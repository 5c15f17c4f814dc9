// node:sqlite and zstd, loaded only when an era C store is met: everything else runs on Node 20,
// which has neither. @types/node 20 does not know node:sqlite, so the few calls used are typed here.
import { createRequire } from "node:module";
import { UnreadableError } from "../../core/errors.js";
import { requireNodeSqlite } from "./node-sqlite.js";

export type SqlValue = null | number | bigint | string | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface Statement {
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
  iterate?(...params: SqlValue[]): IterableIterator<Row>;
  /** Node >= 22.16: rows come as arrays of values in SELECT order (typed as Row here) */
  setReturnArrays?(enabled: boolean): void;
}

export interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  close(): void;
  readonly isOpen?: boolean;
}

interface SqliteModule {
  DatabaseSync: new (location: string, options?: { readOnly?: boolean; timeout?: number; open?: boolean }) => Database;
}

export interface SqliteRuntime {
  open(location: string, timeoutMs: number): Database;
  zstdDecompress(frame: Uint8Array): Buffer;
  sqliteVersion: string;
}

/** OpenClaw refuses older SQLite: 3.51.3 fixed a WAL-reset corruption (the era C notes). */
export const MIN_SQLITE = [3, 51, 3] as const;
export const NEEDS = "Node 24 (as OpenClaw 2026.8+ itself requires), whose bundled SQLite is >= 3.51.3 and has zstd";

let cached: SqliteRuntime | undefined;

/** What this Node lacks for era C, in one sentence; undefined when it has everything. */
export function missingForEraC(node: string, sqlite: string | undefined, hasZstd: boolean): string | undefined {
  if (sqlite === undefined) return `reading OpenClaw's SQLite store needs ${NEEDS}; this is Node ${node} without node:sqlite`;
  if (compareVersion(sqlite, MIN_SQLITE) < 0) return `reading OpenClaw's SQLite store needs ${NEEDS}; Node ${node} bundles SQLite ${sqlite}`;
  if (!hasZstd) return `reading OpenClaw's SQLite store needs ${NEEDS}; Node ${node} has no zstd`;
  return undefined;
}

/** What this Node lacks for era C (the sentence sqliteRuntime would throw); undefined when nothing. */
export function runtimeMissing(): string | undefined {
  try {
    sqliteRuntime();
    return undefined;
  } catch (err) {
    if (err instanceof UnreadableError) return err.message;
    throw err;
  }
}

/** The runtime, or an UnreadableError saying plainly what is missing. */
export function sqliteRuntime(): SqliteRuntime {
  if (cached) return cached;
  const version = process.versions.sqlite;
  const require = createRequire(import.meta.url);
  const zlib = require("node:zlib") as { zstdDecompressSync?: (buf: Uint8Array) => Buffer };
  const missing = missingForEraC(process.versions.node, typeof version === "string" ? version : undefined, typeof zlib.zstdDecompressSync === "function");
  if (missing || typeof zlib.zstdDecompressSync !== "function") throw new UnreadableError(missing ?? "no zstd");
  const mod = requireNodeSqlite<SqliteModule>();
  const decompress = zlib.zstdDecompressSync;
  cached = {
    sqliteVersion: version ?? "",
    open: (location, timeoutMs) => new mod.DatabaseSync(location, { readOnly: true, timeout: timeoutMs }),
    zstdDecompress: (frame) => decompress(frame),
  };
  return cached;
}

export function compareVersion(version: string, min: readonly number[]): number {
  const parts = version.split(".").map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < min.length; i++) {
    const d = (parts[i] ?? 0) - min[i];
    if (d !== 0) return d;
  }
  return 0;
}
