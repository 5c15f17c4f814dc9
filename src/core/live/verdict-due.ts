// When time alone can next change a session's verdict (not just the ages in its reasons), with no
// file changing: the moment the next threshold of the health model passes. Between two such
// moments the verdict is the same at any `now`, so a live feed judges a session again only then.
//
// The clock moves a verdict in these places only, each a threshold the health model owns:
//   - an unreadable lock counts as held for UNREADABLE_LOCK_HELD_MS after its mtime (owner.ts);
//   - a gateway's abortedLastRun mark is a recovery in progress for RECOVERY_WINDOW_MS (liveness.ts,
//     ownerEraC.ts), and an era C live gateway's restart recovery holds a row it runs no task for
//     until recoveryOverAt (ownerEraC.ts);
//   - --stale-after after the last activity: a lock-less run is no longer the live gateway's, a
//     dead run nothing can repair reads `lost`, cleanup judges a `running` row (liveness.ts,
//     deriveHeartbeat.ts, repair.ts);
//   - the whole-run timeout after the run's start (deriveHeartbeat.ts, repair.ts);
//   - an error's persist grace, ERROR_GRACE_MS after the run's end (repair.ts);
//   - the stall threshold of the state a run is in (stalledCheck.ts).
// Everything else a verdict reads changes only with a file, a lock owner's death or the gateway,
// which the feed sees by itself (file events, its owner checks, its gateway re-reads). A dead owner
// stays dead: an unresponsive run left by a killed gateway needs judging again only when
// --stale-after passes (it then reads `lost`, or cleanup's repair shows as its outcome), not every
// second.
import type { SessionFacts } from "../health/index.js";
import { RECOVERY_WINDOW_MS } from "../health/liveness.js";
import { UNREADABLE_LOCK_HELD_MS } from "../health/owner.js";
import { recoveryOverAt } from "../health/ownerEraC.js";
import { ERROR_GRACE_MS } from "../health/repair.js";
import { runTimeoutOf, stallLimit, staleAfterOf } from "../thresholds.js";
import type { Evidence, Thresholds } from "../types.js";

/**
 * The first moment after `now` at which the verdict judged at `now` can differ (Infinity: never,
 * by time alone). The model compares each threshold T with `<` or `>=` (flips at T) or with `<=`
 * or `>` (flips at T + 1, on a clock of whole milliseconds): both are moments to judge again, so
 * neither kind is missed by a tick landing on T.
 */
export function verdictDueAt(ev: Evidence, f: SessionFacts, now: number, th: Thresholds): number {
  const thresholds: number[] = [];
  if (ev.lock?.owner === "unknown") thresholds.push(ev.lock.mtimeMs + UNREADABLE_LOCK_HELD_MS);
  if (ev.entry.abortedLastRun === true) thresholds.push(ev.entry.updatedAt + RECOVERY_WINDOW_MS);
  if (ev.era === "C") {
    const over = recoveryOverAt(ev);
    if (over !== undefined) thresholds.push(over);
  }
  if (f.lastActivityAt !== undefined) thresholds.push(f.lastActivityAt + staleAfterOf(th));
  if (f.claim) {
    if (f.startedAt !== undefined) thresholds.push(f.startedAt + runTimeoutOf(th));
    if (f.activity.end) thresholds.push(f.activity.end.at + ERROR_GRACE_MS);
    if (f.activity.state !== "complete" && f.activity.since !== undefined) thresholds.push(f.activity.since + stallLimit(th, f.activity.state));
  }
  let due = Infinity;
  for (const t of thresholds) {
    if (t > now) due = Math.min(due, t);
    else if (t + 1 > now) due = Math.min(due, t + 1);
  }
  return due;
}
