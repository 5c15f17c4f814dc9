// Does anything claim that a run is in progress? Only two things can: the index (`status:
// running`, written by the gateway) and a transcript lock (the only trace an embedded
// `openclaw agent --local` run leaves, since it never writes `status`).

import { TERMINAL_STATUSES, type IndexEntry, type StoreStatus } from "../types.js";
import { ago } from "./format.js";
import type { Owner } from "./owner.js";

export interface Claim {
  by: "index" | "lock";
  /** when the claimed run started: trajectory runs recorded before it are earlier turns */
  anchor?: number;
  /** the index's own startedAt for a running row: transcript messages before it are earlier turns */
  indexStartedAt?: number;
  reason: string;
}

export function isTerminal(status: string | undefined): boolean {
  return TERMINAL_STATUSES.includes(status as StoreStatus);
}

export function runInProgress(entry: IndexEntry, owner: Owner, now: number): Claim | undefined {
  if (entry.status === "running") {
    const started = entry.startedAt;
    return {
      by: "index",
      anchor: started,
      indexStartedAt: started,
      reason: started === undefined ? "index says running (no startedAt)" : `index says running, run started ${ago(now, started)}`,
    };
  }
  if (owner.kind === "none" || owner.since === undefined) return undefined;
  // A gateway run releases its lock a moment after writing its terminal status: a lock taken
  // before the recorded end is that run's, not a new one.
  const recordedEnd = entry.endedAt ?? entry.startedAt;
  if (isTerminal(entry.status) && recordedEnd !== undefined && owner.since <= recordedEnd) return undefined;
  const who = entry.status === undefined ? "no status in index (embedded run)" : `index says ${entry.status}`;
  return { by: "lock", anchor: owner.since, reason: `${who}; a transcript lock was taken ${ago(now, owner.since)}` };
}
