// node:sqlite and zstd, loaded only when an era C store is met: everything else runs on Node 20,
// which has neither. @types/node 20 does not know node:sqlite, so the few calls used are typed here.
import { createRequire } from "node:module";
import { UnreadableError } from "../../core/errors.js";

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

/** The runtime, or an UnreadableError saying plainly what is missing. */
export function sqliteRuntime(): SqliteRuntime {
  if (cached) return cached;
  const version = process.versions.sqlite;
  const require = createRequire(import.meta.url);
  const zlib = require("node:zlib") as { zstdDecompressSync?: (buf: Uint8Array) => Buffer };
  const missing = missingForEraC(process.versions.node, typeof version === "string" ? version : undefined, typeof zlib.zstdDecompressSync === "function");
  if (missing || typeof zlib.zstdDecompressSync !== "function") throw new UnreadableError(missing ?? "no zstd");
  const mod = withoutSqliteWarning(() => require("node:sqlite") as SqliteModule);
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

/**
 * Node prints "ExperimentalWarning: SQLite is an experimental feature" on first load in some
 * releases: our stdout/stderr are for the user's sessions, so that one warning is dropped.
 */
function withoutSqliteWarning<T>(load: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : typeof warning === "object" ? warning.name : (rest[0] as { type?: string } | undefined)?.type;
    if (/sqlite/i.test(text) && (type === "ExperimentalWarning" || /experimental/i.test(text))) return;
    return (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = original;
  }
}
