// A session's transcript and trajectory as the era C store keeps them: rows of the same JSON
// lines the file era wrote, so the same summaries read them (store/transcript.ts,
// store/trajectory.ts). Rows are read newest first with a LIMIT, never the whole history.
import type { TranscriptTail, TrajectoryTail } from "../../core/types.js";
import { summarizeTrajectory } from "../trajectory.js";
import { summarizeTranscript } from "../transcript.js";
import { num } from "./rows.js";
import type { Database, Row, SqliteRuntime, Statement } from "./runtime.js";

/** Rows per step: the newest assistant message is usually within the last few events. */
const TRANSCRIPT_STEP = 8;
/** Never walk back further than this for one session's newest assistant message. */
const TRANSCRIPT_MAX = 512;
/** A run holds tens of trajectory events; the last run's end and prompt are what matter. */
const TRAJECTORY_MAX = 256;

export interface TailReader {
  transcript(sessionId: string, updatedAt: number | undefined): TranscriptTail;
  trajectory(sessionId: string): TrajectoryTail | undefined;
}

/**
 * Only the fields the summaries read are taken out of each event, by SQLite's JSON functions:
 * an assistant reply or a trace.metadata event is kilobytes, and parsing them whole for every
 * session was most of `status`'s time. zstd rows are decoded here and summarised the same way.
 */
const TRANSCRIPT_FIELDS = `CASE WHEN event_json IS NULL THEN NULL ELSE json_array(
    event_json ->> '$.type', event_json ->> '$.timestamp', event_json ->> '$.modelId',
    event_json ->> '$.message.role', event_json ->> '$.message.timestamp', event_json ->> '$.message.stopReason',
    event_json ->> '$.message.model', event_json ->> '$.message.toolCallId',
    CASE WHEN json_type(event_json, '$.message.content') = 'array' THEN (
      SELECT json_group_array(json_object('type', 'toolCall', 'id', value ->> '$.id', 'name', value ->> '$.name'))
      FROM json_each(event_json, '$.message.content') WHERE value ->> '$.type' = 'toolCall') END
  ) END`;

const TRAJECTORY_FIELDS = `json_array(event_json ->> '$.traceSchema', event_json ->> '$.type', event_json ->> '$.ts', event_json ->> '$.runId',
    event_json ->> '$.provider', event_json ->> '$.modelId', event_json ->> '$.data.status', event_json ->> '$.data.toolCallId',
    event_json ->> '$.data.id', event_json ->> '$.data.name', event_json ->> '$.data.toolName')`;

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

/** [type, timestamp, modelId, role, msgTimestamp, stopReason, model, toolCallId, toolCalls] -> the entry's shape. */
function transcriptEntry(f: unknown[]): Record<string, unknown> {
  const [type, timestamp, modelId, role, at, stopReason, model, toolCallId, calls] = f;
  const entry: Record<string, unknown> = { type: orUndefined(type), timestamp: orUndefined(timestamp), modelId: orUndefined(modelId) };
  if (role !== null) {
    entry.message = {
      role,
      timestamp: orUndefined(at),
      stopReason: orUndefined(stopReason),
      model: orUndefined(model),
      toolCallId: orUndefined(toolCallId),
      content: typeof calls === "string" ? (JSON.parse(calls) as unknown[]) : undefined,
    };
  }
  return entry;
}

function trajectoryEvent(f: unknown[]): Record<string, unknown> {
  const [traceSchema, type, ts, runId, provider, modelId, status, toolCallId, id, name, toolName] = f;
  return {
    traceSchema: orUndefined(traceSchema),
    type: orUndefined(type),
    ts: orUndefined(ts),
    runId: orUndefined(runId),
    provider: orUndefined(provider),
    modelId: orUndefined(modelId),
    data: { status: orUndefined(status), toolCallId: orUndefined(toolCallId), id: orUndefined(id), name: orUndefined(name), toolName: orUndefined(toolName) },
  };
}

export function tailReader(db: Database, rt: SqliteRuntime, dbPath: string, warn: (w: string) => void): TailReader {
  let transcriptRows: Statement | undefined;
  let trajectoryRun: Statement | undefined;
  const decode = (r: Row): Record<string, unknown> | undefined => {
    try {
      if (typeof r.f === "string") return transcriptEntry(JSON.parse(r.f) as unknown[]);
      // events >= 1 KiB that zstd shrinks by >= 10 % are stored compressed (transcript-payload.ts)
      if (r.event_zstd instanceof Uint8Array) return JSON.parse(rt.zstdDecompress(r.event_zstd).toString("utf8")) as Record<string, unknown>;
    } catch (err) {
      warn(`${dbPath}: transcript row ${String(r.seq)} unreadable (${(err as Error).message})`);
    }
    return undefined;
  };
  return {
    transcript(sessionId, updatedAt) {
      transcriptRows ??= db.prepare(
        `SELECT seq, CASE WHEN event_json IS NULL THEN event_zstd END AS event_zstd, ${TRANSCRIPT_FIELDS} AS f
         FROM transcript_events WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      );
      const tail: TranscriptTail = { path: `${dbPath} (transcript of ${sessionId})`, size: 0, mtimeMs: updatedAt ?? 0, openToolCalls: [] };
      let before = Number.MAX_SAFE_INTEGER;
      let read = 0;
      let step = TRANSCRIPT_STEP;
      // walk back in growing steps until the newest assistant message (what the summary needs)
      function* events(): Generator<Record<string, unknown>> {
        for (;;) {
          const rows = transcriptRows!.all(sessionId, before, step);
          for (const r of rows) {
            before = num(r.seq) ?? before;
            read++;
            const e = decode(r);
            if (e) yield e;
          }
          if (rows.length < step || read >= TRANSCRIPT_MAX) return;
          step = Math.min(step * 4, TRANSCRIPT_MAX - read);
        }
      }
      summarizeTranscript(events(), tail);
      tail.size = read;
      return tail;
    },
    trajectory(sessionId) {
      // the last run only: a live or killed run has no rows yet (inserted when it ends, trajectory/runtime.ts)
      trajectoryRun ??= db.prepare(
        `SELECT ${TRAJECTORY_FIELDS} AS f FROM trajectory_runtime_events
         WHERE session_id = ? AND run_id IS (SELECT run_id FROM trajectory_runtime_events WHERE session_id = ? ORDER BY seq DESC LIMIT 1)
         ORDER BY seq DESC LIMIT ?`,
      );
      const rows = trajectoryRun.all(sessionId, sessionId, TRAJECTORY_MAX);
      if (rows.length === 0) return undefined;
      const parsed = (function* () {
        for (const r of rows) {
          try {
            if (typeof r.f === "string") yield trajectoryEvent(JSON.parse(r.f) as unknown[]);
          } catch {
            /* one broken event does not hide the run */
          }
        }
      })();
      const summary = summarizeTrajectory(parsed);
      return { path: `${dbPath} (trajectory of ${sessionId})`, size: rows.length, mtimeMs: summary.lastEventAt ?? 0, ...summary };
    },
  };
}
