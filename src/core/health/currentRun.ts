// Which trajectory run, if any, is the run the session is on now.
//
// 2026.7.1 writes a run's trajectory only when the run ends, so while a run is in flight (or after
// it was killed) the file's last run is an EARLIER turn, often ending in success. 2026.4.26 writes
// lines live. Either way the last run is the current one only if it was still being written at or
// after the current run started.

import type { RunEndRecord, TrajectoryRun, TrajectoryTail } from "../types.js";
import { ago, shortId } from "./format.js";

/** The run's session.ended with the flags that say how it ended (see outcome.ts). */
export type RunEnd = RunEndRecord;

export interface CurrentRun {
  /** the trajectory's last run, when it is the current one */
  run?: TrajectoryRun;
  /** how the current run ended, if it did */
  end?: RunEnd;
  /** the trajectory's last run even when it is an earlier turn (its model is still a hint) */
  last?: TrajectoryRun;
  reason: string;
}

/**
 * A model retry appends another session.started..ended block under the same runId, and
 * model.fallback_step may follow session.ended: the run is over only if nothing of a new attempt
 * (a prompt or a tool call) came after its last end.
 */
export function runEnd(run: TrajectoryRun): RunEnd | undefined {
  const ended = run.ended;
  if (!ended) return undefined;
  const retried =
    (run.promptSubmittedAt ?? -Infinity) > ended.at || run.openToolCalls.some((call) => call.since > ended.at);
  return retried ? undefined : ended;
}

/** Transcript lines this much newer than a session.ended belong to a later run (used only without an anchor). */
export const AFTER_END_SLACK_MS = 2_000;

/**
 * `anchor`: when the claimed run started. Without one, `writtenAfter` (the transcript's newest
 * entry) stands in: lines written well after the trajectory's end are a later, unrecorded run.
 */
export function currentRun(
  trajectory: TrajectoryTail | undefined,
  anchor: number | undefined,
  now: number,
  writtenAfter?: number,
  /** why a trajectory that is there was not read (Evidence.trajectoryProblem) */
  problem?: string,
): CurrentRun {
  if (!trajectory) return { reason: problem ?? "no trajectory sidecar (capture off, or OpenClaw before 2026.4.22)" };
  const last = trajectory.run;
  if (!last) return { reason: "trajectory holds no readable event" };
  const id = shortId(last.runId);
  const end = runEnd(last);
  const recordedUntil = end?.at ?? last.lastEventAt ?? last.firstEventAt;
  if (anchor !== undefined && recordedUntil !== undefined && recordedUntil < anchor) {
    const what = end ? `ended ${end.status}` : "was last written";
    return {
      last,
      reason: `trajectory run ${id} ${what} ${ago(now, recordedUntil)}, before the current run started: the current run is not recorded yet`,
    };
  }
  if (end && anchor === undefined && writtenAfter !== undefined && writtenAfter > end.at + AFTER_END_SLACK_MS) {
    return {
      last,
      reason: `trajectory run ${id} ended ${end.status} ${ago(now, end.at)}, but the transcript was written ${ago(now, writtenAfter)}: a later run is not recorded yet`,
    };
  }
  if (end) return { run: last, end, last, reason: `trajectory run ${id} ended ${end.status} ${ago(now, end.at)}` };
  const retry = last.ended ? `, retrying after session.ended(${last.ended.status})` : "";
  const lastEvent = last.lastEventAt === undefined ? "" : ` (last event ${ago(now, last.lastEventAt)})`;
  return { run: last, last, reason: `trajectory run ${id} has not ended${retry}${lastEvent}` };
}
