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
  /** the last run's events (a finished row's are never read: read-store.ts) */
  trajectory(sessionId: string): TrajectoryTail | undefined;
}

/** `zstdTranscripts`: the store's transcript_events has event_zstd (agent schema 23); older ones hold text only. */
export function tailReader(db: Database, rt: SqliteRuntime, dbPath: string, warn: (w: string) => void, zstdTranscripts = true): TailReader {
  let transcriptRows: Statement | undefined;
  let trajectoryRun: Statement | undefined;
  const decode = (r: Row): Record<string, unknown> | undefined => {
    try {
      if (typeof r.event_json === "string") return JSON.parse(r.event_json) as Record<string, unknown>;
      // events >= 1 KiB that zstd shrinks by >= 10 % are stored compressed (transcript-payload.ts)
      if (r.event_zstd instanceof Uint8Array) return JSON.parse(rt.zstdDecompress(r.event_zstd).toString("utf8")) as Record<string, unknown>;
    } catch (err) {
      warn(`${dbPath}: transcript row ${String(r.seq)} unreadable (${(err as Error).message})`);
    }
    return undefined;
  };
  const parseAll = function* (rows: Row[]): Generator<Record<string, unknown>> {
    for (const r of rows) {
      try {
        if (typeof r.event_json === "string") yield JSON.parse(r.event_json) as Record<string, unknown>;
      } catch {
        /* one broken event does not hide the run */
      }
    }
  };
  return {
    transcript(sessionId, updatedAt) {
      transcriptRows ??= db.prepare(
        `SELECT seq, event_json, ${zstdTranscripts ? "event_zstd" : "NULL AS event_zstd"} FROM transcript_events WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
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
        `SELECT event_json FROM trajectory_runtime_events
         WHERE session_id = ? AND run_id IS (SELECT run_id FROM trajectory_runtime_events WHERE session_id = ? ORDER BY seq DESC LIMIT 1)
         ORDER BY seq DESC LIMIT ?`,
      );
      const rows = trajectoryRun.all(sessionId, sessionId, TRAJECTORY_MAX);
      if (rows.length === 0) return undefined;
      const summary = summarizeTrajectory(parseAll(rows));
      return { path: `${dbPath} (trajectory of ${sessionId})`, size: rows.length, mtimeMs: summary.lastEventAt ?? 0, ...summary };
    },
  };
}
