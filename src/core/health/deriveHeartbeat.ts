// The health model: one session's evidence, `now` and the thresholds in, one verdict out: the
// heartbeat, and the facts it was derived from, which the finalize, prune and keep-alive plans
// read instead of judging the evidence again.
//
//   1. ownerVerdict    who holds the transcript lock (eras A/B)
//   2. runInProgress   does the index (status running) or a transcript lock claim a run?
//   3. currentRun      is the trajectory's last run that run, or an earlier turn?
//   4. turnActivity    ended, running a tool, or waiting for the model?
//   5. liveness        can anything still move it forward; if not, what will end it?
//   6. stalledCheck    has it sat in its state past the threshold, or past the whole-run timeout?
//   7. indexDrift      where does the index disagree?
//   8. judgeRepair     what cleanup does with a `running` row
//   9. outcome         how the last run ended (or what ends it), once known
//
// Health: idle (nothing in progress, or a dead run nothing can repair silent past staleAfter:
// outcome lost), unresponsive (in progress, nothing alive to progress it, or past the whole-run
// timeout), stalled (alive but past its threshold), active (a tool is running), waiting (on the
// model, or on OpenClaw's recovery).

import { formatDuration } from "../duration.js";
import { runTimeoutOf, staleAfterOf } from "../thresholds.js";
import type { Evidence, Heartbeat, Health, Outcome, Thresholds } from "../types.js";
import { currentRun, type CurrentRun } from "./currentRun.js";
import { lastActivityAt, lastTokenAt, pickModel, turnStart } from "./fields.js";
import { ago } from "./format.js";
import { indexDrift } from "./indexDrift.js";
import { liveness, type Liveness } from "./liveness.js";
import { endCause, outcomeRow, replyCause } from "./outcome.js";
import { ownerVerdict, type Owner } from "./owner.js";
import { judgeRepair, type Repair } from "./repair.js";
import { isTerminal, runInProgress, type Claim } from "./runInProgress.js";
import { stalledCheck } from "./stalledCheck.js";
import { turnActivity, type Activity } from "./turnActivity.js";

/** Everything the verdict rests on: read by every plan, so no command judges evidence twice. */
export interface SessionFacts {
  owner: Owner;
  claim?: Claim;
  current: CurrentRun;
  activity: Activity;
  /** for a claimed run: who can still move it (also for a run that ended) */
  live?: Liveness;
  lastActivityAt?: number;
  startedAt?: number;
  /** a claimed, unfinished run older than the whole-run timeout */
  pastRunTimeout?: boolean;
  /** a dead run nothing can repair, silent past staleAfter */
  lost?: boolean;
  /** for a `running` row: what cleanup --finalize-stale does with it */
  repair?: Repair;
}

export interface SessionVerdict {
  hb: Heartbeat;
  facts: SessionFacts;
}

type Verdict = Pick<Heartbeat, "state" | "health" | "toolName" | "drift" | "reasons">;

export function deriveHeartbeat(ev: Evidence, now: number, th: Thresholds): Heartbeat {
  return judgeSession(ev, now, th).hb;
}

export function judgeSession(ev: Evidence, now: number, th: Thresholds): SessionVerdict {
  const { entry } = ev;
  const owner = ownerVerdict(ev.lock, now);
  const claim = runInProgress(entry, owner, now, ev.era === "C" ? { gateway: ev.gateway } : undefined);
  const current = currentRun(ev.trajectory, claim?.anchor, now, claim ? ev.transcript?.lastEntryAt : undefined, ev.trajectoryProblem);
  const activityAt = lastActivityAt(ev);
  const startedAt = turnStart(ev, current, claim);
  const facts: SessionFacts = { owner, claim, current, activity: undefined as unknown as Activity, lastActivityAt: activityAt, startedAt };
  const verdict = claim ? runningVerdict(ev, claim, facts, now, th) : restingVerdict(ev, facts, now);
  if (claim && entry.status === "running" && facts.live) {
    facts.repair = judgeRepair(ev, { activity: facts.activity, live: facts.live, lastActivityAt: activityAt, startedAt, drift: verdict.drift }, now, th);
  } else if (claim && verdict.health === "unresponsive" && facts.owner.kind === "alive") {
    // a live process holds a run past the whole-run timeout, and the row has no running status
    // to repair (an embedded run): cleanup lists it with the one action that ends it
    facts.repair = {
      kind: "report",
      rule: "no-status",
      reasons: [
        facts.owner.reason,
        `no running status to repair (${entry.status === undefined ? "an embedded run never writes one" : `index says ${entry.status}`}): stop pid ${facts.owner.pid ?? "(unknown)"}; its run then reads as lost after --stale-after`,
      ],
    };
  }
  const outcome = deriveOutcome(ev, facts);
  const { model, source: modelSource } = pickModel(ev, current);
  const reasons = ev.sessionFileNote ? [...verdict.reasons, ev.sessionFileNote] : verdict.reasons;
  const hb: Heartbeat = {
    sessionKey: ev.sessionKey,
    agentId: ev.agentId,
    sessionId: entry.sessionId,
    ...verdict,
    turnId: current.run?.runId,
    model,
    modelSource,
    startedAt,
    lastActivityAt: activityAt,
    lastTokenAt: lastTokenAt(ev),
    storeStatus: entry.status,
    label: entry.label ?? entry.displayName,
    updatedAt: entry.updatedAt,
    reasons,
  };
  if (outcome) {
    hb.outcome = outcome.outcome;
    hb.outcomeReason = outcome.reason;
  }
  if (ev.era !== undefined) hb.era = ev.era;
  if (ev.era === "C") hb.source = "db";
  return { hb, facts };
}

/** Something claims a run is in progress: judge what it does and whether anything can finish it. */
function runningVerdict(ev: Evidence, claim: Claim, f: SessionFacts, now: number, th: Thresholds): Verdict {
  const { owner, current } = f;
  const activity = turnActivity(ev, current, claim, owner.kind === "alive", now);
  f.activity = activity;
  const live = liveness(ev, owner, claim, f.lastActivityAt, now, th);
  f.live = live;
  const reasons = [claim.reason, current.reason, ...activity.reasons];
  if (activity.state === "complete") {
    if (owner.kind !== "none") reasons.push(owner.reason);
    reasons.push(`no run in progress: the turn ended (${activity.outcome})`);
    return { state: "complete", health: "idle", drift: indexDrift(ev.entry, claim, activity, undefined, now), reasons };
  }

  reasons.push(live.reason);
  const drift = indexDrift(ev.entry, claim, activity, live, now);
  if (live.kind === "none") {
    const staleAfter = staleAfterOf(th);
    const silent = f.lastActivityAt === undefined || now - f.lastActivityAt >= staleAfter;
    if (live.repairBy === "nothing" && silent) {
      f.lost = true;
      reasons.push(`lost: nothing can repair it (no status to write) and it has been silent for over ${formatDuration(staleAfter)}`);
      return { state: "idle", health: "idle", drift, reasons };
    }
    reasons.push("unresponsive: nothing alive can move this run forward");
    return { state: activity.state, health: "unresponsive", toolName: activity.toolName, drift, reasons };
  }
  // A recovering gateway resumes the turn by asking the model again, whatever the turn was doing.
  if (live.kind === "recovering") return { state: "awaiting_model", health: "waiting", drift, reasons };

  const runTimeout = runTimeoutOf(th);
  if (f.startedAt !== undefined && now - f.startedAt > runTimeout) {
    f.pastRunTimeout = true;
    reasons.push(pastRunTimeoutReason(now - f.startedAt, runTimeout));
    return { state: activity.state, health: "unresponsive", toolName: activity.toolName, drift, reasons };
  }
  const stall = stalledCheck(activity.state, activity.since, activity.toolName, now, th);
  reasons.push(stall.reason);
  const health: Health = stall.stalled ? "stalled" : activity.state === "tool_exec" ? "active" : "waiting";
  return { state: activity.state, health, toolName: activity.toolName, drift, reasons };
}

/** Why a run a live process still holds is unresponsive: it has outlived the whole-run timeout. */
export function pastRunTimeoutReason(runningMs: number, runTimeoutMs: number): string {
  return `unresponsive: running for ${formatDuration(runningMs)}, past the whole-run timeout of ${formatDuration(runTimeoutMs)} (agents.defaults.timeoutSeconds): OpenClaw would have ended it`;
}

/** Nothing claims a run: the session rests, after a finished turn (complete) or before any (idle). */
function restingVerdict(ev: Evidence, f: SessionFacts, now: number): Verdict {
  const { entry } = ev;
  const activity = turnActivity(ev, f.current, undefined, false, now);
  f.activity = activity;
  const reasons = [statusReason(entry.status, entry.endedAt, now), f.current.reason, ...activity.reasons];
  if (f.owner.kind !== "none") reasons.push(`${f.owner.reason}; the lock predates the run's recorded end`);
  const complete = activity.state === "complete" || isTerminal(entry.status);
  reasons.push(complete ? "no run in progress: the last turn ended" : "no run in progress");
  return { state: complete ? "complete" : "idle", health: "idle", reasons };
}

/**
 * How the last run ended, in the status OpenClaw writes for it: the status cleanup writes for a
 * row it repairs, the index's own terminal status, or the run's recorded end. Undefined while a
 * run is in progress (or dead but not yet judged), and when nothing is known.
 */
function deriveOutcome(ev: Evidence, f: SessionFacts): { outcome: Outcome; reason: string } | undefined {
  const { activity, repair } = f;
  if (f.lost) return { outcome: "lost", reason: `${f.live?.lost ?? "its owner is gone"}; nothing can write its status` };
  if (repair) {
    if (repair.kind === "finalize") {
      return { outcome: repair.status, reason: `${repair.reasons[0]}; cleanup --finalize-stale writes ${repair.status}` };
    }
    // an ended run kept for OpenClaw to persist (error grace, era C) ended as its end says
    return activity.end ? endedOutcome(ev, activity) : undefined;
  }
  if (f.claim) return activity.state === "complete" ? endedOutcome(ev, activity) : undefined;
  const status = ev.entry.status;
  if (isTerminal(status)) return { outcome: status as Outcome, reason: `index says ${status}` };
  return activity.state === "complete" ? endedOutcome(ev, activity) : undefined;
}

function endedOutcome(ev: Evidence, activity: Activity): { outcome: Outcome; reason: string } {
  const { cause, why } = activity.end ? endCause(activity.end) : replyCause(activity.outcome);
  return { outcome: outcomeRow(cause, ev.era).status, reason: why };
}

function statusReason(status: string | undefined, endedAt: number | undefined, now: number): string {
  if (status === undefined) return "no status in index (embedded runs never write one) and no transcript lock";
  const ended = endedAt === undefined ? "" : `, ended ${ago(now, endedAt)}`;
  return `index says ${status}${ended}`;
}
