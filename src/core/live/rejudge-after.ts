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
