// Does anything claim that a run is in progress? Three things can: the index (`status:
// running`, written by the gateway), a transcript lock (the only trace an embedded
// `openclaw agent --local` run leaves in eras A/B, since it never writes `status`), and in era C
// (no transcript locks) the singleton lock of an embedded run that touched this row.

import { TERMINAL_STATUSES, type GatewayInfo, type IndexEntry, type StoreStatus } from "../types.js";
import { ago } from "./format.js";
import type { Owner } from "./owner.js";

export interface Claim {
  by: "index" | "lock" | "embedded";
  /** when the claimed run started: trajectory runs recorded before it are earlier turns */
  anchor?: number;
  /** the index's own startedAt for a running row: transcript messages before it are earlier turns */
  indexStartedAt?: number;
  reason: string;
}

export function isTerminal(status: string | undefined): boolean {
  return TERMINAL_STATUSES.includes(status as StoreStatus);
}

/** Era C: the state dir's singleton lock owner (undefined for eras A/B) */
export interface EraCOwner {
  gateway?: GatewayInfo;
}

export function runInProgress(entry: IndexEntry, owner: Owner, now: number, eraC?: EraCOwner): Claim | undefined {
  if (entry.status === "running") {
    const started = entry.startedAt;
    return {
      by: "index",
      anchor: started,
      indexStartedAt: started,
      reason: started === undefined ? "index says running (no startedAt)" : `index says running, run started ${ago(now, started)}`,
    };
  }
  if (eraC) return embeddedClaim(entry, eraC.gateway, now);
  if (owner.kind === "none" || owner.since === undefined) return undefined;
  // A gateway run releases its lock a moment after writing its terminal status: a lock taken
  // before the recorded end is that run's, not a new one.
  const recordedEnd = entry.endedAt ?? entry.startedAt;
  if (isTerminal(entry.status) && recordedEnd !== undefined && owner.since <= recordedEnd) return undefined;
  const who = entry.status === undefined ? "no status in index (embedded run)" : `index says ${entry.status}`;
  return { by: "lock", anchor: owner.since, reason: `${who}; a transcript lock was taken ${ago(now, owner.since)}` };
}

/**
 * Era C: an embedded run (2026.9 `openclaw agent --local`) writes no status and no task_runs row;
 * it holds the singleton lock (`role: "agent-embedded"`) and may set `lifecycleRunId` at run
 * start. Its row is the one it touched since its process started: other status-less rows are
 * earlier embedded sessions. A live embedded owner claims such a row; a dead one (its lock left
 * behind) only a row whose `lifecycleRunId` says a run was started.
 */
function embeddedClaim(entry: IndexEntry, gw: GatewayInfo | undefined, now: number): Claim | undefined {
  if (entry.status !== undefined || gw?.role !== "agent-embedded") return undefined;
  if (gw.startedAt !== undefined && entry.updatedAt < gw.startedAt) return undefined;
  const runId = typeof entry.lifecycleRunId === "string" && entry.lifecycleRunId !== "" ? entry.lifecycleRunId : undefined;
  if (!gw.alive && (runId === undefined || !gw.lockPath)) return undefined;
  const anchor = entry.startedAt ?? gw.startedAt;
  const proc = `embedded run pid ${gw.pid ?? "?"}${gw.startedAt !== undefined ? ` (started ${ago(now, gw.startedAt)})` : ""}`;
  const run = runId !== undefined ? `, run ${runId} started` : "";
  const state = gw.alive ? "holds the singleton lock" : "left its singleton lock behind";
  return { by: "embedded", anchor, reason: `no status in index (embedded run${run}); the ${proc} ${state} and touched this row since it started` };
}
