// The human- and JSON-friendly records every planner returns beside its EntryPatch list, so
// `--dry-run`, `--json` and the audit log all show the same decision with the same reasons.

import { judgeSession, type SessionFacts } from "../health/deriveHeartbeat.js";
import type { Evidence, Heartbeat, StoreStatus, Thresholds } from "../types.js";

/**
 * One session as the planners see it: what the store layer found, the heartbeat, and the facts
 * the heartbeat was derived from. Plans read `facts` (owner, liveness, run end, last activity,
 * the repair decision): they never judge the evidence themselves.
 */
export interface PlanItem {
  ev: Evidence;
  hb: Heartbeat;
  facts: SessionFacts;
}

/** The one way to make a PlanItem: the health model's verdict on the evidence. */
export function planItem(ev: Evidence, now: number, th: Thresholds): PlanItem {
  const { hb, facts } = judgeSession(ev, now, th);
  return { ev, hb, facts };
}

/** Lifecycle words for the terminal statuses (OpenClaw's run outcomes), shown beside `status`. */
export type Lifecycle = "completed" | "aborted" | "timed_out" | "failed";

export const LIFECYCLE_OF: Readonly<Record<Exclude<StoreStatus, "running">, Lifecycle>> = {
  done: "completed",
  killed: "aborted",
  timeout: "timed_out",
  failed: "failed",
};

export type PlanActionKind = "finalize" | "prune" | "cap" | "touch" | "keep";

export interface PlanAction {
  action: PlanActionKind;
  agentId: string;
  sessionKey: string;
  sessionId: string;
  fromStatus?: string;
  toStatus?: StoreStatus;
  lifecycle?: Lifecycle;
  endedAt?: number;
  /** the entry's updatedAt the decision was made against (after an in-run finalize, for prune) */
  updatedAt?: number;
  /** which named rule decided, e.g. "run-ended", "dead-owner", "age", "cap" */
  rule?: string;
  reasons: string[];
  /** for prune/cap: the files that are (or, in a report-only plan, would be) archived */
  archives?: Array<{ from: string; to: string }>;
}

/** Rename `from` to `to` (OpenClaw's `.deleted.<ts>` archive) once the entry's removal is applied. */
export interface ArchiveAction {
  action: "archive";
  agentId: string;
  sessionKey: string;
  from: string;
  to: string;
}

export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
