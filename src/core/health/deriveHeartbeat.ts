// The health model: one session's evidence, `now` and the thresholds in, one heartbeat out.
//
//   1. runInProgress   does the index (status running) or a transcript lock claim a run?
//   2. currentRun      is the trajectory's last run that run, or an earlier turn?
//   3. turnActivity    ended, running a tool, or waiting for the model?
//   4. liveness        can the lock owner, or a live gateway, still move it forward?
//   5. stalledCheck    has it sat in its state past the threshold?
//   6. indexDrift      where does the index disagree?
//
// Health: idle (nothing in progress), unresponsive (in progress, nothing alive to progress it),
// stalled (alive but past its threshold), active (a tool is running), waiting (on the model).
// `streaming` and `tool_wait` are never derived from files: no token deltas are written, and
// tool approvals are gateway events that leave no trace in them.

import type { Evidence, Heartbeat, Health, Thresholds } from "../types.js";
import { currentRun, type CurrentRun } from "./currentRun.js";
import { lastActivityAt, lastTokenAt, pickModel, turnStart } from "./fields.js";
import { ago } from "./format.js";
import { indexDrift } from "./indexDrift.js";
import { liveness } from "./liveness.js";
import { ownerVerdict, type Owner } from "./owner.js";
import { isTerminal, runInProgress, type Claim } from "./runInProgress.js";
import { stalledCheck } from "./stalledCheck.js";
import { turnActivity } from "./turnActivity.js";

type Verdict = Pick<Heartbeat, "state" | "health" | "toolName" | "drift" | "reasons">;

export function deriveHeartbeat(ev: Evidence, now: number, th: Thresholds): Heartbeat {
  const { entry } = ev;
  const owner = ownerVerdict(ev.lock, now);
  const claim = runInProgress(entry, owner, now);
  const current = currentRun(ev.trajectory, claim?.anchor, now);
  const activityAt = lastActivityAt(ev);
  const verdict = claim
    ? runningVerdict(ev, claim, owner, current, activityAt, now, th)
    : restingVerdict(ev, owner, current, now);
  return {
    sessionKey: ev.sessionKey,
    agentId: ev.agentId,
    sessionId: entry.sessionId,
    ...verdict,
    turnId: current.run?.runId,
    model: pickModel(ev, current),
    startedAt: turnStart(ev, current, claim),
    lastActivityAt: activityAt,
    lastTokenAt: lastTokenAt(ev),
    storeStatus: entry.status,
    label: entry.label ?? entry.displayName,
    updatedAt: entry.updatedAt,
    reasons: ev.sessionFileNote ? [...verdict.reasons, ev.sessionFileNote] : verdict.reasons,
    ...(ev.era === "C" ? { era: "C" as const, source: "db" as const } : {}),
  };
}

/** Something claims a run is in progress: judge what it does and whether anything can finish it. */
function runningVerdict(
  ev: Evidence,
  claim: Claim,
  owner: Owner,
  current: CurrentRun,
  activityAt: number | undefined,
  now: number,
  th: Thresholds,
): Verdict {
  const activity = turnActivity(ev, current, claim, owner.kind === "alive", now);
  const reasons = [claim.reason, current.reason, ...activity.reasons];
  if (activity.state === "complete") {
    if (owner.kind !== "none") reasons.push(owner.reason);
    reasons.push(`no run in progress: the turn ended (${activity.outcome})`);
    return { state: "complete", health: "idle", drift: indexDrift(ev.entry, claim, activity, undefined, now), reasons };
  }

  const live = liveness(ev, owner, activityAt, now);
  reasons.push(live.reason);
  const drift = indexDrift(ev.entry, claim, activity, live, now);
  if (live.kind === "none") {
    reasons.push("unresponsive: nothing alive can move this run forward");
    return { state: activity.state, health: "unresponsive", toolName: activity.toolName, drift, reasons };
  }
  // A recovering gateway resumes the turn by asking the model again, whatever the turn was doing.
  if (live.kind === "recovering") return { state: "awaiting_model", health: "waiting", drift, reasons };

  const stall = stalledCheck(activity.state, activity.since, activity.toolName, now, th);
  reasons.push(stall.reason);
  const health: Health = stall.stalled ? "stalled" : activity.state === "tool_exec" ? "active" : "waiting";
  return { state: activity.state, health, toolName: activity.toolName, drift, reasons };
}

/** Nothing claims a run: the session rests, after a finished turn (complete) or before any (idle). */
function restingVerdict(ev: Evidence, owner: Owner, current: CurrentRun, now: number): Verdict {
  const { entry } = ev;
  const activity = turnActivity(ev, current, undefined, false, now);
  const reasons = [statusReason(entry.status, entry.endedAt, now), current.reason, ...activity.reasons];
  if (owner.kind !== "none") reasons.push(`${owner.reason}; the lock predates the run's recorded end`);
  const complete = activity.state === "complete" || isTerminal(entry.status);
  reasons.push(complete ? "no run in progress: the last turn ended" : "no run in progress");
  return { state: complete ? "complete" : "idle", health: "idle", reasons };
}

function statusReason(status: string | undefined, endedAt: number | undefined, now: number): string {
  if (status === undefined) return "no status in index (embedded runs never write one) and no transcript lock";
  const ended = endedAt === undefined ? "" : `, ended ${ago(now, endedAt)}`;
  return `index says ${status}${ended}`;
}
