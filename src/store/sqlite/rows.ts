// The session rows of an agent database: promoted columns and their indexes, plus, for rows
// without a terminal status, one json_extract of the few entry_json fields the health model needs
// (the column set has no startedAt/abortedLastRun/lifecycleRunId). A finished row is judged from
// its columns alone: its window mirrors the entry's start, end and chat type (every real store in
// test/fixtures and ../shared/real-openclaw), so its ~4 KB entry_json is never parsed (measured
// 12 ms of the 85 ms statement at 10,000 rows). Every entry_json is never parsed whole.
import { TERMINAL_STATUSES, type IndexEntry } from "../../core/types.js";
import type { Database, SqlValue } from "./runtime.js";

export interface SessionRow {
  sessionKey: string;
  entry: IndexEntry;
  /** window transcript_updated_at: when a transcript row was last written */
  transcriptUpdatedAt?: number;
}

/** `entry_json` fields read for rows without a terminal status, in this order. */
const EXTRACTED = ["startedAt", "endedAt", "runtimeMs", "abortedLastRun", "lifecycleRunId", "lastRunError", "chatType"] as const;

/** Column 17 of a row whose entry_json is not JSON. */
const UNPARSED = "!";

/** The row statement's columns, in SELECT order: rows are read as arrays where node:sqlite can. */
const COLUMNS = [
  "n.session_key", // 0
  "n.current_session_id", // 1
  "n.status", // 2
  "n.updated_at", // 3
  "n.entry_valid", // 4
  "n.last_interaction_at", // 5
  "n.created_at", // 6
  "n.spawned_by", // 7
  "n.parent_session_key", // 8
  "n.label", // 9
  "n.display_name", // 10
  "w.started_at", // 11
  "w.ended_at", // 12
  "w.model", // 13
  "w.model_provider", // 14
  "w.created_at", // 15
  "w.transcript_updated_at", // 16
  // json_extract throws on text that is not JSON, failing the whole page: such a row (and one OpenClaw
  // marks invalid) is read from its columns, the rest of the store as usual
  `CASE WHEN n.status IN (${TERMINAL_STATUSES.map((st) => `'${st}'`).join(", ")}) OR n.entry_valid = -1 THEN NULL WHEN json_valid(n.entry_json) THEN json_extract(n.entry_json, ${EXTRACTED.map((f) => `'$.${f}'`).join(", ")}) ELSE '${UNPARSED}' END`, // 17
  "w.chat_type", // 18
];

export const SESSION_ROWS_SQL = `
SELECT ${COLUMNS.map((c, i) => `${c} AS c${i}`).join(",\n       ")}
FROM session_nodes n LEFT JOIN session_windows w ON w.session_id = n.current_session_id
WHERE n.archived_at IS NULL`;

/** Rows per statement: each page is one short statement, and no more rows are alive at once. */
export const ROWS_PER_PAGE = 512;

/** The first page, then each next one after the last key seen (keyset paging on OpenClaw's
 * idx_agent_session_nodes_active, which holds the unarchived keys in order). */
const FIRST_PAGE_SQL = `${SESSION_ROWS_SQL}\nORDER BY n.session_key LIMIT ?`;
const NEXT_PAGE_SQL = `${SESSION_ROWS_SQL} AND n.session_key > ?\nORDER BY n.session_key LIMIT ?`;

/** The rows not read as OpenClaw wrote them, by key. */
export interface RowProblems {
  /** entry_valid = -1: OpenClaw itself skips these */
  invalid: string[];
  /** an entry_json that is not JSON: judged from the row's columns alone */
  unparsed: string[];
}

/**
 * Hands each valid row to `onRow`, a page of ROWS_PER_PAGE rows at a time; returns the invalid
 * rows' keys. Each page is one short statement, finished before `onRow` runs (which reads tails on
 * the same connection): no read transaction lasts the whole store, so a gateway's checkpoint is
 * never held back by a big store's read. A row written between two pages is seen as of its page;
 * one added behind the cursor is seen at the next read. No more than a page of rows is alive at
 * once unless `onRow` keeps them: 50,000 rows are never all in memory.
 * Rows come as arrays where node:sqlite offers them (Node >= 22.16, 24): no object with 18 named
 * properties per row (measured ~15 % of the statement's CPU at 10,000 rows).
 */
export function eachSessionRow(db: Database, onRow: (row: SessionRow) => void, rowsPerPage = ROWS_PER_PAGE): RowProblems {
  const problems: RowProblems = { invalid: [], unparsed: [] };
  const first = db.prepare(FIRST_PAGE_SQL);
  const next = db.prepare(NEXT_PAGE_SQL);
  const arrays = typeof first.setReturnArrays === "function";
  if (arrays) {
    first.setReturnArrays!(true);
    next.setReturnArrays!(true);
  }
  let page = first.all(rowsPerPage);
  for (;;) {
    let last: string | undefined;
    for (const r of page) {
      // without arrays, an object's values are in SELECT order
      const v = (arrays ? r : Object.values(r)) as unknown as readonly SqlValue[];
      const key = str(v[0]);
      if (key === undefined) continue;
      last = key;
      if (v[4] === -1) {
        problems.invalid.push(key);
        continue;
      }
      if (v[17] === UNPARSED) problems.unparsed.push(key);
      onRow(toSessionRow(key, v));
    }
    if (page.length < rowsPerPage || last === undefined) return problems;
    page = next.all(last, rowsPerPage);
  }
}

function toSessionRow(key: string, v: readonly SqlValue[]): SessionRow {
  const entry: IndexEntry = { sessionId: str(v[1]) ?? "", updatedAt: time(v[3]) ?? 0 };
  const status = str(v[2]);
  if (status !== undefined) entry.status = status;
  setIf(entry, "startedAt", time(v[11]));
  setIf(entry, "endedAt", time(v[12]));
  setIf(entry, "lastInteractionAt", time(v[5]));
  setIf(entry, "sessionStartedAt", time(v[15]));
  setIf(entry, "model", str(v[13]));
  setIf(entry, "modelProvider", str(v[14]));
  setIf(entry, "label", str(v[9]));
  setIf(entry, "displayName", str(v[10]));
  setIf(entry, "spawnedBy", str(v[7]));
  setIf(entry, "parentSessionKey", str(v[8]));
  setIf(entry, "chatType", str(v[18]));
  const extra = typeof v[17] === "string" && v[17] !== UNPARSED ? parseArray(v[17]) : undefined;
  if (extra) {
    EXTRACTED.forEach((field, i) => {
      // the entry is canonical, the window mirrors it (the era C notes); a value of the wrong type is left out
      const x = EXTRACTED_TYPE[field](extra[i]);
      if (x !== undefined) (entry as Record<string, unknown>)[field] = x;
    });
  }
  if (entry.endedAt !== undefined && entry.startedAt !== undefined && entry.runtimeMs === undefined && status !== "running") {
    entry.runtimeMs = entry.endedAt - entry.startedAt;
  }
  const out: SessionRow = { sessionKey: key, entry };
  const tu = time(v[16]);
  if (tu !== undefined) out.transcriptUpdatedAt = tu;
  return out;
}

const bool = (x: unknown): boolean | undefined => (typeof x === "boolean" ? x : undefined);

/** What each extracted field must be to be kept. */
const EXTRACTED_TYPE: Record<(typeof EXTRACTED)[number], (x: unknown) => unknown> = {
  startedAt: time,
  endedAt: time,
  runtimeMs: num,
  abortedLastRun: bool,
  lifecycleRunId: str,
  lastRunError: str,
  chatType: str,
};

/** The largest time a Date holds (ECMAScript: 8.64e15 ms from the epoch): beyond, a value is junk. */
const MAX_TIME_MS = 8.64e15;

/** An epoch-ms timestamp, or undefined for anything a Date cannot hold. */
export function time(v: unknown): number | undefined {
  const n = num(v);
  return n !== undefined && Math.abs(n) <= MAX_TIME_MS ? n : undefined;
}

function parseArray(text: string): unknown[] | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function setIf(entry: IndexEntry, field: string, value: unknown): void {
  if (value !== undefined) entry[field] = value;
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "bigint") return Number(v);
  return undefined;
}
