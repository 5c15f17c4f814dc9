// The session rows of an agent database: promoted columns and their indexes, plus, for rows not
// `done`, one json_extract of the few entry_json fields the health model needs (the column set
// has no startedAt/abortedLastRun/lifecycleRunId). Every entry_json is never parsed whole.
import type { IndexEntry } from "../../core/types.js";
import type { Database, Row } from "./runtime.js";

export interface SessionRow {
  sessionKey: string;
  entry: IndexEntry;
  /** window transcript_updated_at: when a transcript row was last written */
  transcriptUpdatedAt?: number;
}

/** `entry_json` fields read for rows that are not `done`, in this order. */
const EXTRACTED = ["startedAt", "endedAt", "runtimeMs", "abortedLastRun", "lifecycleRunId", "lastRunError", "chatType"] as const;

export const SESSION_ROWS_SQL = `
SELECT n.session_key AS key, n.current_session_id AS sid, n.status AS status, n.updated_at AS updated_at,
       n.entry_valid AS valid, n.last_interaction_at AS last_interaction_at, n.created_at AS created_at,
       n.spawned_by AS spawned_by, n.parent_session_key AS parent, n.label AS label, n.display_name AS display_name,
       w.started_at AS w_started, w.ended_at AS w_ended, w.model AS model, w.model_provider AS provider,
       w.created_at AS w_created, w.transcript_updated_at AS transcript_updated_at,
       CASE WHEN n.status IS 'done' THEN NULL ELSE json_extract(n.entry_json, ${EXTRACTED.map((f) => `'$.${f}'`).join(", ")}) END AS extra
FROM session_nodes n LEFT JOIN session_windows w ON w.session_id = n.current_session_id
WHERE n.archived_at IS NULL`;

export interface SessionRowsRead {
  rows: SessionRow[];
  /** entry_valid = -1: OpenClaw itself skips these */
  invalid: string[];
}

export function readSessionRows(db: Database): SessionRowsRead {
  const rows: SessionRow[] = [];
  const invalid = eachSessionRow(db, (row) => rows.push(row));
  return { rows, invalid };
}

/**
 * Hands each valid row to `onRow` as SQLite steps to it (the statement stays open meanwhile, so
 * `onRow` may run other statements on the same connection); returns the invalid rows' keys.
 * No row outlives its turn unless `onRow` keeps it: 50,000 rows are never all alive at once.
 */
export function eachSessionRow(db: Database, onRow: (row: SessionRow) => void): string[] {
  const invalid: string[] = [];
  const statement = db.prepare(SESSION_ROWS_SQL);
  for (const r of statement.iterate ? statement.iterate() : statement.all()) {
    const key = str(r.key);
    if (key === undefined) continue;
    if (r.valid === -1) {
      invalid.push(key);
      continue;
    }
    onRow(toSessionRow(key, r));
  }
  return invalid;
}

function toSessionRow(key: string, r: Row): SessionRow {
  const entry: IndexEntry = { sessionId: str(r.sid) ?? "", updatedAt: num(r.updated_at) ?? 0 };
  const status = str(r.status);
  if (status !== undefined) entry.status = status;
  setIf(entry, "startedAt", num(r.w_started));
  setIf(entry, "endedAt", num(r.w_ended));
  setIf(entry, "lastInteractionAt", num(r.last_interaction_at));
  setIf(entry, "sessionStartedAt", num(r.w_created));
  setIf(entry, "model", str(r.model));
  setIf(entry, "modelProvider", str(r.provider));
  setIf(entry, "label", str(r.label));
  setIf(entry, "displayName", str(r.display_name));
  setIf(entry, "spawnedBy", str(r.spawned_by));
  setIf(entry, "parentSessionKey", str(r.parent));
  const extra = typeof r.extra === "string" ? parseArray(r.extra) : undefined;
  if (extra) {
    EXTRACTED.forEach((field, i) => {
      const v = extra[i];
      if (v === null || v === undefined) return;
      // the entry is canonical; the window mirrors it (the era C notes)
      (entry as Record<string, unknown>)[field] = v;
    });
  }
  if (entry.endedAt !== undefined && entry.startedAt !== undefined && entry.runtimeMs === undefined && status !== "running") {
    entry.runtimeMs = entry.endedAt - entry.startedAt;
  }
  const out: SessionRow = { sessionKey: key, entry };
  const tu = num(r.transcript_updated_at);
  if (tu !== undefined) out.transcriptUpdatedAt = tu;
  return out;
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
