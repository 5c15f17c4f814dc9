// How a run ended, and what OpenClaw persists for that ending: one table per OpenClaw version
// family, learned from real runs (docs/finalize-outcomes.md names the run behind each row).
// The finalize plan writes these rows and `status` shows them as the outcome, so the two can
// never disagree. Correct a row here and both follow.

import type { Era, Outcome, RunEndRecord, StoreStatus } from "../types.js";

export type TerminalStatus = Exclude<StoreStatus, "running">;

/**
 * Why a run ended. `dead-owner`: nothing ended it, its process died (what OpenClaw's restart
 * recovery repairs); `run-timeout`: past the whole-run timeout with no end written.
 */
export type EndCause = "success" | "error" | "timeout" | "user-abort" | "dead-owner" | "run-timeout";

export interface OutcomeRow {
  status: TerminalStatus;
  abortedLastRun: boolean;
  /** OpenClaw's terminal patch writes runtimeMs; its restart recovery writes none */
  runtimeMs: boolean;
  /** the real run (or observation, docs/finalize-outcomes.md) the row was learned from */
  learnedFrom: string;
}

export type VersionFamily = "2026.4" | "2026.5-2026.7";

export const OUTCOME_TABLES: Readonly<Record<VersionFamily, Readonly<Record<EndCause, OutcomeRow>>>> = {
  "2026.5-2026.7": {
    success: { status: "done", abortedLastRun: false, runtimeMs: true, learnedFrom: "2026.7.1 s1-quick-done" },
    error: { status: "failed", abortedLastRun: false, runtimeMs: true, learnedFrom: "2026.7.1 s5-malformed (persisted after the 15 s grace)" },
    timeout: { status: "timeout", abortedLastRun: false, runtimeMs: true, learnedFrom: "2026.7.1 s5-http500 (failover reason timeout), --timeout run" },
    "user-abort": { status: "killed", abortedLastRun: true, runtimeMs: true, learnedFrom: "2026.7.1 chat.abort run (docs/finalize-outcomes.md)" },
    "dead-owner": { status: "failed", abortedLastRun: true, runtimeMs: false, learnedFrom: "2026.7.1 restart recovery after SIGKILL (docs/finalize-outcomes.md)" },
    "run-timeout": { status: "timeout", abortedLastRun: false, runtimeMs: true, learnedFrom: "inferred: the gateway's timeout patch (as --timeout)" },
  },
  "2026.4": {
    success: { status: "done", abortedLastRun: false, runtimeMs: true, learnedFrom: "2026.4.26 quick turn" },
    error: { status: "failed", abortedLastRun: false, runtimeMs: true, learnedFrom: "2026.4.26 HTTP 500 run (interop): persisted failed at once, no grace" },
    timeout: { status: "timeout", abortedLastRun: true, runtimeMs: true, learnedFrom: "2026.4.26 --timeout run (interop): timeout + abortedLastRun" },
    "user-abort": { status: "killed", abortedLastRun: true, runtimeMs: true, learnedFrom: "inferred: session.ended(interrupted), the gateway's terminal patch (aborted)" },
    "dead-owner": { status: "failed", abortedLastRun: true, runtimeMs: false, learnedFrom: "2026.4.26 restart recovery after SIGKILL (interop: model wait, mid-tool, abort)" },
    "run-timeout": { status: "timeout", abortedLastRun: true, runtimeMs: true, learnedFrom: "inferred: the gateway's timeout patch (as --timeout)" },
  },
};

/**
 * Era A stores are 2026.4 and older; era B is 2026.5-2026.7. A store whose version cannot be
 * told (no era) gets the 2026.5-2026.7 table: it is the family the JSON era detection falls back
 * to. The two tables agree on every status (abortedLastRun for a timeout differs: outcomeRow).
 */
export function versionFamily(era: Era | undefined): { family: VersionFamily; why: string } {
  if (era === "A") return { family: "2026.4", why: "era A store (OpenClaw 2026.4 or older)" };
  if (era === "B") return { family: "2026.5-2026.7", why: "era B store (OpenClaw 2026.5-2026.7)" };
  return { family: "2026.5-2026.7", why: "OpenClaw version unknown: the 2026.5-2026.7 table" };
}

/**
 * The row to write for `cause`. Where the version is unknown and the families disagree (only on
 * abortedLastRun, for a timeout), the flag the row already carries stands: a 2026.4 gateway sets
 * it before it writes the timeout status, so a row caught between the two (seen on 2026.4.26,
 * gateway killed right after a `--timeout` run) says which family wrote it, and clearing it
 * would undo what OpenClaw itself wrote for that run.
 */
export function outcomeRow(cause: EndCause, era: Era | undefined, rowAborted?: boolean): OutcomeRow {
  const row = OUTCOME_TABLES[versionFamily(era).family][cause];
  // only a recorded timeout end: a run past its whole-run timeout with no end ("run-timeout") was
  // never caught between the flag and the status, so the row's flag says nothing of who wrote it
  if (cause !== "timeout") return row;
  const versionKnown = era === "A" || era === "B";
  if (versionKnown || typeof rowAborted !== "boolean" || rowAborted === row.abortedLastRun) return row;
  return { ...row, abortedLastRun: rowAborted, learnedFrom: `${row.learnedFrom}; abortedLastRun as the row has it (the version families differ on it)` };
}

/**
 * Why a trajectory run ended, from the fields each version writes: 2026.4.26 (and 2026.9) write
 * `interrupted` for an abort; 2026.7.1 writes `error` with `externalAbort` (abort) or `timedOut`
 * (timeout), and a model failure its fallback chain classed as a timeout (HTTP 500 among them)
 * ends `error` followed by a model.fallback_step whose failure reason is `timeout`.
 */
export function endCause(end: RunEndRecord): { cause: EndCause; why: string } {
  switch (end.status) {
    case "success":
      return { cause: "success", why: "session.ended(success)" };
    case "interrupted":
      if (end.timedOut || end.idleTimedOut || end.timedOutByRunBudget) return { cause: "timeout", why: "session.ended(interrupted) with timedOut" };
      return { cause: "user-abort", why: "session.ended(interrupted)" };
    case "error": {
      if (end.timedOut || end.idleTimedOut || end.timedOutByRunBudget) return { cause: "timeout", why: "session.ended(error) with timedOut" };
      if (end.externalAbort || end.aborted) return { cause: "user-abort", why: "session.ended(error) with externalAbort" };
      if (end.failoverReason === "timeout") {
        return { cause: "timeout", why: "session.ended(error), then model.fallback_step failure reason timeout" };
      }
      const more = end.failoverReason ? `, model.fallback_step failure reason ${end.failoverReason}` : "";
      return { cause: "error", why: `session.ended(error)${more}` };
    }
    default:
      return { cause: "error", why: `session.ended(${end.status}): not a success, recorded as an error` };
  }
}

/**
 * Whether the gateway persists this ending only after its 15 s error grace (2026.7.1): a run that
 * failed on its own, including a model failure its fallback chain classed as a timeout (HTTP
 * 500: persisted as `timeout`). A user abort (`externalAbort`) and a run timeout (`timedOut`)
 * carry their flags and are persisted at once. A gateway that dies inside the grace persists
 * nothing: the row stays `running` and its restart recovery fails it as a dead run.
 */
export function persistedAfterGrace(end: RunEndRecord): boolean {
  if (end.status !== "error") return false;
  return !(end.timedOut || end.idleTimedOut || end.timedOutByRunBudget || end.externalAbort || end.aborted);
}

/** A reply's stopReason as an ending, for a run that wrote no session.ended (embedded runs). */
export function replyCause(stopReason: string | undefined): { cause: EndCause; why: string } {
  if (stopReason === "error") return { cause: "error", why: "its last reply stopped with an error" };
  if (stopReason === "aborted") return { cause: "user-abort", why: "its last reply was aborted" };
  return { cause: "success", why: `its last reply (${stopReason ?? "no stopReason"})` };
}

/**
 * The fields to write, as OpenClaw writes them for that row. The gateway's terminal patch sets
 * `updatedAt = endedAt`, but our repair comes later and the row may have been bumped since (a
 * recovery mark, a keepalive): updatedAt never moves backwards, since OpenClaw's pruning ages
 * entries by it and its restart recovery stamps its own (later) start time. endedAt stays the
 * truthful end.
 */
export function repairFields(row: OutcomeRow, endedAt: number, startedAt: number | undefined, updatedAt: number | undefined, runtimeMs?: number): Record<string, unknown> {
  const set: Record<string, unknown> = { status: row.status, endedAt };
  // `runtimeMs`: the gateway's own, where the row already holds it for this run (repair.ts)
  if (row.runtimeMs && startedAt !== undefined) set.runtimeMs = runtimeMs ?? Math.max(0, endedAt - startedAt);
  set.updatedAt = typeof updatedAt === "number" && Number.isFinite(updatedAt) ? Math.max(updatedAt, endedAt) : endedAt;
  set.abortedLastRun = row.abortedLastRun;
  return set;
}

export const TERMINAL_OUTCOMES: readonly Outcome[] = ["done", "failed", "timeout", "killed"];
