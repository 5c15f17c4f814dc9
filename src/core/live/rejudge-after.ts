// How soon a resting session's heartbeat can read differently with no file changing: only the ages
// in its reasons move ("ended 3m05s ago"), and each counts in the unit formatDuration gives it.
// Every age in a resting session's reasons is of a moment at or before its last activity, so the
// youngest of them sets the unit: seconds under an hour, minutes under a day, hours after.
import type { Heartbeat } from "../types.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 0: as often as the feed re-reads ages (every few seconds); else after a minute or an hour. */
export function rejudgeAfterMs(hb: Pick<Heartbeat, "lastActivityAt">, now: number): number {
  if (hb.lastActivityAt === undefined) return HOUR; // no moment known: no age shown that moves
  const age = now - hb.lastActivityAt;
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
