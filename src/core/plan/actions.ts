// The human- and JSON-friendly records every planner returns beside its EntryPatch list, so
// `--dry-run`, `--json` and the audit log all show the same decision with the same reasons.

import type { Evidence, Heartbeat, StoreStatus } from "../types.js";

/** One session as the planners see it: what the store layer found, and what the health model made of it. */
export interface PlanItem {
  ev: Evidence;
  hb: Heartbeat;
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
