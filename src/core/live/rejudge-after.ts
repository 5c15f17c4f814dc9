// How soon a heartbeat's reasons can read differently when its verdict cannot (verdict-due.ts):
// only the ages in them move ("ended 3m05s ago"), and each counts in the unit formatDuration gives
// it. The youngest moment a reason shows an age of sets the unit: seconds under an hour, minutes
// under a day, hours after; older ones count in coarser units and move no more often.
import type { SessionFacts } from "../health/index.js";
import { latest } from "../health/format.js";
import type { Evidence } from "../types.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The youngest moment any reason can show an age of. Most are activity (the last activity is the
 * newest of them); beyond it a lock's file time, a gateway's start (a run's liveness reasons
 * name it) and a recovery mark's updatedAt.
 */
export function youngestAgeShown(ev: Evidence, f: Pick<SessionFacts, "claim" | "lastActivityAt">): number | undefined {
  return latest(
    f.lastActivityAt,
    ev.lock?.mtimeMs,
    ev.lock?.createdAt,
    f.claim ? ev.gateway?.startedAt : undefined,
    ev.entry.abortedLastRun === true ? ev.entry.updatedAt : undefined,
  );
}

/** 0: as often as the feed re-reads ages (every few seconds); else after a minute or an hour. */
export function rejudgeAfterMs(youngest: number | undefined, now: number): number {
  if (youngest === undefined) return HOUR; // no moment known: no age shown that moves
  const age = now - youngest;
  if (age < HOUR) return 0;
  if (age < DAY) return MINUTE;
  return HOUR;
}

/**
 * When a verdict that time alone cannot change is next re-judged (by the feed's slow tick): at
 * once when its ages move every few seconds, else after rejudgeAfterMs, spread over its last
 * quarter so that 10,000 sessions read at once do not all come due on the same tick.
 */
export function nextRejudgeAt(rejudgeAfter: number, at: number): number {
  return rejudgeAfter === 0 ? at : at + rejudgeAfter * (0.75 + Math.random() / 4);
}
