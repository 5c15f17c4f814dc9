// `cleanup --finalize-stale`: which `running` rows the evidence proves dead, and the terminal
// patch the gateway itself would have written for them. Rules, in the order they are tried:
//
//   recovery   a live gateway restarted and marked the row abortedLastRun: it resumes or fails
//              the run itself within seconds; leave it alone for staleAfter after that mark.
//   guard      a possible owner (held lock, or live gateway) AND activity within staleAfter:
//              never finalized, whatever its age.
//   error-grace the current run ended in error under ERROR_GRACE_MS ago and a gateway is up: it
//              persists error outcomes itself after a 15 s grace (or, freshly restarted,
//              recovers the row): writing ours first would race it.
//   run-ended  the trajectory's current run has a session.ended (2026.7.1 writes a run's
//              trajectory only at its end, so an end OLDER than the row's startedAt belongs to
//              an earlier run and proves nothing about this one).
//   (everything below also needs staleAfter of silence)
//   run-timeout older than the whole-run timeout, and either still held by a live owner (a run
//              the gateway should have stopped) or active past its deadline before its owner
//              died. A run whose owner died before the deadline was killed, not timed out.
//   dead-owner no live owner (lock pid dead or reused; no lock and no live gateway; or the run
//              predates the current gateway): killed, abortedLastRun.
//   no-transcript no transcript file and no lock: the live gateway may nominally own the row,
//              but a run holds its transcript lock throughout, so nothing is running it: failed.
// Anything else (a live owner, silent, under the timeout: a long tool or model wait) is kept.

import { formatDuration } from "../duration.js";
import type { EntryPatch, StoreStatus } from "../types.js";
import { iso, LIFECYCLE_OF, type PlanAction, type PlanItem } from "./actions.js";
import { ago, entryStartedAt, gatewayAlive, judgeOwner, lastActivityAt, lastRecordedActivityAt } from "./liveness.js";

export const DEFAULT_STALE_AFTER_MS = 10 * 60_000;
/** agents.defaults.timeoutSeconds default: 172800 s */
export const DEFAULT_RUN_TIMEOUT_MS = 48 * 3_600_000;

export interface FinalizeContext {
  now: number;
  /** `--stale-after`; default 10 min */
  staleAfterMs?: number;
  /** whole-run timeout (agents.defaults.timeoutSeconds); default 48 h */
  runTimeoutMs?: number;
}

export interface FinalizePlan {
  patches: EntryPatch[];
  /** one record per `running` row: "finalize" with the outcome, or "keep" with why not */
  actions: PlanAction[];
}

/** session.ended.data.status -> the status the gateway writes for that outcome. */
const STATUS_OF_END: Readonly<Record<string, Exclude<StoreStatus, "running">>> = {
  success: "done",
  error: "failed",
  interrupted: "killed",
  cleanup: "failed",
};

/** OpenClaw saves an error outcome 15 s after the run failed; twice that leaves it room. */
export const ERROR_GRACE_MS = 30_000;

/** Transcript lines this much newer than a session.ended mean a later run (only used without startedAt). */
const AFTER_END_SLACK_MS = 2_000;

type Verdict =
  | { kind: "keep"; rule: string; reasons: string[] }
  | { kind: "finalize"; rule: string; status: Exclude<StoreStatus, "running">; endedAt: number; reasons: string[] };

export function planFinalize(items: readonly PlanItem[], ctx: FinalizeContext): FinalizePlan {
  const patches: EntryPatch[] = [];
  const actions: PlanAction[] = [];
  for (const item of items) {
    const { ev } = item;
    if (ev.entry.status !== "running") continue;
    const verdict = judgeRunningRow(item, ctx);
    const base = { agentId: ev.agentId, sessionKey: ev.sessionKey, sessionId: ev.entry.sessionId, fromStatus: "running" };
    if (verdict.kind === "keep") {
      actions.push({ action: "keep", ...base, updatedAt: ev.entry.updatedAt, rule: verdict.rule, reasons: verdict.reasons });
      continue;
    }
    const set = terminalPatch(verdict.status, verdict.endedAt, entryStartedAt(ev));
    patches.push({
      sessionKey: ev.sessionKey,
      expect: { sessionId: ev.entry.sessionId, updatedAt: ev.entry.updatedAt },
      set,
      action: "finalize",
      reasons: verdict.reasons,
    });
    actions.push({
      action: "finalize",
      ...base,
      toStatus: verdict.status,
      lifecycle: LIFECYCLE_OF[verdict.status],
      endedAt: verdict.endedAt,
      updatedAt: ev.entry.updatedAt,
      rule: verdict.rule,
      reasons: verdict.reasons,
    });
  }
  return { patches, actions };
}

/**
 * The gateway's own terminal patch. `updatedAt = endedAt` can move updatedAt BACKWARDS (the row
 * may have been bumped since, e.g. by OpenClaw's recovery mark): that is what the gateway writes,
 * and it is what we want, since pruning then ages the entry from its real end, not from our repair.
 */
export function terminalPatch(status: Exclude<StoreStatus, "running">, endedAt: number, startedAt: number | undefined): Record<string, unknown> {
  const set: Record<string, unknown> = { status, endedAt };
  if (startedAt !== undefined) set.runtimeMs = Math.max(0, endedAt - startedAt);
  set.updatedAt = endedAt;
  set.abortedLastRun = status === "killed";
  return set;
}

function judgeRunningRow({ ev, hb }: PlanItem, ctx: FinalizeContext): Verdict {
  const now = ctx.now;
  const staleAfterMs = ctx.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const runTimeoutMs = ctx.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const entry = ev.entry;
  const startedAt = entryStartedAt(ev);
  const owner = judgeOwner(ev, now);
  const active = lastActivityAt(ev, hb);
  const recorded = lastRecordedActivityAt(ev);
  const quiet = active === undefined || now - active >= staleAfterMs;
  const activityNote = active === undefined ? "no recorded activity" : `last activity ${ago(now, active)}`;
  const drift = hb.drift ? [`health: ${hb.drift}`] : [];

  const gw = ev.gateway;
  if (
    entry.abortedLastRun === true &&
    gatewayAlive(ev) &&
    gw?.startedAt !== undefined &&
    entry.updatedAt >= gw.startedAt &&
    now - entry.updatedAt < staleAfterMs
  ) {
    return {
      kind: "keep",
      rule: "recovery",
      reasons: [
        `the gateway restarted at ${iso(gw.startedAt)} and marked this run for recovery at ${iso(entry.updatedAt)}`,
        "OpenClaw resumes or fails it itself; not racing its recovery",
      ],
    };
  }

  const liveByHealth = hb.health === "active" || hb.health === "waiting";
  if ((owner.alive || liveByHealth) && !quiet) {
    const why = owner.alive ? owner.reason : `health ${hb.health}`;
    return { kind: "keep", rule: "live", reasons: [`${why}; ${activityNote}: alive`] };
  }

  const run = ev.trajectory?.run;
  // a prompt submitted after the last session.ended is a retry of the same run (2026.4.26 writes
  // live): that run has not ended
  const ended = run?.ended && !(run.promptSubmittedAt !== undefined && run.promptSubmittedAt > run.ended.at) ? run.ended : undefined;
  if (ended) {
    const endDesc = `trajectory run${run?.runId ? ` ${run.runId}` : ""} ended (${ended.status}) at ${iso(ended.at)}`;
    const laterTranscript = ev.transcript?.lastEntryAt;
    const current =
      startedAt !== undefined
        ? ended.at >= startedAt
        : !(laterTranscript !== undefined && laterTranscript > ended.at + AFTER_END_SLACK_MS);
    if (current && ended.status === "error" && gatewayAlive(ev) && now - ended.at < ERROR_GRACE_MS) {
      return {
        kind: "keep",
        rule: "error-grace",
        reasons: [
          `${endDesc}, ${formatDuration(Math.max(0, now - ended.at))} ago, and a gateway is up`,
          `OpenClaw persists an error outcome itself after a 15 s grace: not judged before ${formatDuration(ERROR_GRACE_MS)}`,
        ],
      };
    }
    if (current) {
      const status = STATUS_OF_END[ended.status] ?? "failed";
      const reasons = [
        startedAt !== undefined
          ? `${endDesc}, after this run started at ${iso(startedAt)}`
          : `${endDesc}; the index has no startedAt and nothing was written after that end`,
      ];
      if (!(ended.status in STATUS_OF_END)) reasons.push(`unknown end status "${ended.status}": recorded as failed`);
      if (owner.alive) reasons.push(`${owner.reason}, but silent for ${formatDuration(now - (active ?? ended.at))} since`);
      return { kind: "finalize", rule: "run-ended", status, endedAt: ended.at, reasons: [...reasons, ...drift] };
    }
  }
  const olderEnd =
    ended && startedAt !== undefined && ended.at < startedAt
      ? [`the trajectory's last session.ended (${iso(ended.at)}) belongs to an earlier run: this one started ${iso(startedAt)}`]
      : [];

  if (!quiet) {
    return { kind: "keep", rule: "recent", reasons: [...olderEnd, owner.reason, `${activityNote} (< ${formatDuration(staleAfterMs)}): waiting before judging`] };
  }
  const silence = `${activityNote} (>= ${formatDuration(staleAfterMs)})`;
  const endedAt = recorded ?? startedAt ?? entry.updatedAt;

  if (startedAt !== undefined && now - startedAt > runTimeoutMs) {
    const deadline = startedAt + runTimeoutMs;
    if (owner.alive || (recorded !== undefined && recorded >= deadline)) {
      return {
        kind: "finalize",
        rule: "run-timeout",
        status: "timeout",
        // the gateway's timer would have fired at the deadline; activity after it pushes the end later
        endedAt: Math.max(recorded ?? deadline, deadline),
        reasons: [
          ...olderEnd,
          `running for ${formatDuration(now - startedAt)}, past the whole-run timeout of ${formatDuration(runTimeoutMs)}`,
          owner.alive ? `${owner.reason}, yet ${silence}: the gateway should have stopped it` : `${owner.reason}; it was still active after its deadline`,
          ...drift,
        ],
      };
    }
  }

  if (!owner.alive) {
    return {
      kind: "finalize",
      rule: "dead-owner",
      status: "killed",
      endedAt,
      reasons: [...olderEnd, owner.reason, silence, ...drift],
    };
  }

  if (!ev.transcript && !owner.viaLock) {
    return {
      kind: "finalize",
      rule: "no-transcript",
      status: "failed",
      endedAt,
      reasons: [
        ...olderEnd,
        `no transcript file${ev.transcriptPath ? ` (${ev.transcriptPath})` : ""} and no transcript lock: no run holds this session`,
        silence,
        ...drift,
      ],
    };
  }

  return {
    kind: "keep",
    rule: "owned",
    reasons: [
      ...olderEnd,
      owner.reason,
      `${silence}, but under the whole-run timeout (${formatDuration(runTimeoutMs)}): a long tool or model wait`,
    ],
  };
}
