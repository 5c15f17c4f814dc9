// What `cleanup --finalize-stale` does with a `running` row, decided from the same facts the
// heartbeat was derived from (never from the evidence again). Rules, in the order tried:
//
//   era C         never written: a report of what OpenClaw itself will do (its restart recovery
//                 resumes a dead row on the next gateway start; it writes a status at run end).
//   recovery      a live 2026.7.1 gateway marked the row abortedLastRun within RECOVERY_WINDOW_MS:
//                 it resumes or fails the run itself; not raced.
//   error-grace   the run ended in an error the gateway persists only after its 15 s grace
//                 (persistedAfterGrace), under ERROR_GRACE_MS ago, and that gateway is up.
//   live          the run ended but its live owner still holds it, or it is alive and recent.
//   run-ended     the current run wrote session.ended: the status OpenClaw writes for that end;
//                 an error persisted only after the grace (HTTP 500 classed as a timeout too)
//                 whose gateway died or restarted since never was persisted, and gets what
//                 restart recovery writes (failed + abortedLastRun).
//   recent        silent for less than staleAfter: not judged yet.
//   run-timeout   past the whole-run timeout, still held by a live owner (OpenClaw should have
//                 stopped it) or active past its deadline before its owner died: timeout.
//   dead-owner    nothing alive holds it: what OpenClaw's restart recovery writes
//                 (failed + abortedLastRun, no runtimeMs), endedAt = the last activity seen.
//   owned         a live owner, silent, under the timeout (a long tool or model wait): kept.

import { formatDuration } from "../duration.js";
import { runTimeoutOf, staleAfterOf } from "../thresholds.js";
import type { Evidence, Thresholds } from "../types.js";
import { ago } from "./format.js";
import { gatewayAlive, type Liveness } from "./liveness.js";
import { endCause, outcomeRow, persistedAfterGrace, repairFields, versionFamily, type EndCause, type TerminalStatus } from "./outcome.js";
import type { Activity } from "./turnActivity.js";

/** OpenClaw saves an error outcome this long after the run failed (its error persist grace). */
export const OPENCLAW_ERROR_PERSIST_MS = 15_000;
/** We wait twice OpenClaw's grace before judging such a run ourselves: it leaves OpenClaw room. */
export const ERROR_GRACE_MS = 2 * OPENCLAW_ERROR_PERSIST_MS;

export type Repair =
  | { kind: "keep"; rule: string; reasons: string[] }
  /** era C: what OpenClaw will do; we write nothing */
  | { kind: "report"; rule: string; reasons: string[] }
  | {
      kind: "finalize";
      rule: string;
      cause: EndCause;
      status: TerminalStatus;
      endedAt: number;
      /** the fields to write, as OpenClaw writes them */
      set: Record<string, unknown>;
      /** where we knowingly differ from what OpenClaw would write */
      differs?: string;
      reasons: string[];
    };

export interface RepairFacts {
  activity: Activity;
  live: Liveness;
  lastActivityAt?: number;
  /** when the run started (index startedAt, else its first trajectory event) */
  startedAt?: number;
  drift?: string;
}

export function judgeRepair(ev: Evidence, f: RepairFacts, now: number, th: Thresholds): Repair {
  const staleAfter = staleAfterOf(th);
  const runTimeout = runTimeoutOf(th);
  const { activity, live } = f;
  const active = f.lastActivityAt;
  const quiet = active === undefined || now - active >= staleAfter;
  const activityNote = active === undefined ? "no recorded activity" : `last activity ${ago(now, active)}`;
  const drift = f.drift ? [`health: ${f.drift}`] : [];
  const end = activity.state === "complete" ? activity.end : undefined;

  if (ev.era === "C") {
    const never = "era C stores are never written";
    if (live.kind === "none" && live.repairBy === "nothing") {
      return { kind: "report", rule: "lost", reasons: [live.reason, `${never}, and nothing resumes an embedded run`] };
    }
    if (live.kind === "none") return { kind: "report", rule: "openclaw-recovery", reasons: [live.reason, `${never}: OpenClaw's recovery is the repair`] };
    if (activity.state === "complete") {
      return { kind: "report", rule: "openclaw-writes", reasons: [`the run ended (${activity.outcome ?? "unknown"})`, `${never}: OpenClaw writes its status itself`] };
    }
    return { kind: "keep", rule: live.kind === "recovering" ? "recovery" : "live", reasons: [live.reason] };
  }
  if (live.kind === "recovering") {
    return { kind: "keep", rule: "recovery", reasons: [live.reason, "OpenClaw resumes or fails it itself; not racing its recovery"] };
  }
  if (end && persistedAfterGrace(end) && ranItAndAlive(ev, end.at) && now - end.at < ERROR_GRACE_MS) {
    return {
      kind: "keep",
      rule: "error-grace",
      reasons: [
        `the run ended in error ${ago(now, end.at)} and a gateway is up`,
        `OpenClaw persists an error outcome itself after a ${OPENCLAW_ERROR_PERSIST_MS / 1000} s grace: not judged before ${formatDuration(ERROR_GRACE_MS)}`,
      ],
    };
  }
  if (live.kind === "owner" && !quiet) return { kind: "keep", rule: "live", reasons: [`${live.reason}; ${activityNote}: alive`] };
  if (end) {
    const { cause, why } = endCause(end);
    const reasons = [`the current run ended: ${why}, ${ago(now, end.at)}`, ...drift];
    if (persistedAfterGrace(end) && !ranItAndAlive(ev, end.at)) {
      // the gateway persists this ending only after its 15 s grace, whatever status it would
      // have written (an HTTP 500 its fallback chain classed as a timeout too); it died (or
      // restarted) first, so the row is left running and OpenClaw's restart recovery fails it
      // as a dead run
      const gone = gatewayAlive(ev.gateway) ? `gateway pid ${ev.gateway.pid} started after the run ended` : "no live gateway";
      reasons.push(`${gone}: nothing persists the error, OpenClaw's restart recovery writes it as a dead run`);
      return finalize(ev, "dead-owner", "run-ended", end.at, reasons, { differs: RECOVERY_STAMPS });
    }
    const { endedAt, runtimeMs } = writtenForThisRun(ev);
    const held = [endedAt !== undefined ? `endedAt ${ago(now, endedAt)}` : "", runtimeMs !== undefined ? `runtimeMs ${runtimeMs}` : ""].filter(Boolean);
    if (held.length > 0) reasons.push(`the row already holds this run's end as its gateway wrote it (${held.join(", ")}), its status written over since: kept`);
    return finalize(ev, cause, "run-ended", endedAt ?? end.at, reasons, { runtimeMs });
  }
  if (!quiet) {
    const rule = live.kind === "none" ? "recent" : "live";
    return { kind: "keep", rule, reasons: [live.reason, `${activityNote} (< ${formatDuration(staleAfter)}): waiting before judging`] };
  }
  const silence = `${activityNote} (>= ${formatDuration(staleAfter)})`;
  const startedAt = f.startedAt;
  if (startedAt !== undefined && now - startedAt > runTimeout) {
    const deadline = startedAt + runTimeout;
    const held = live.kind === "owner" || live.kind === "gateway";
    if (held || (active !== undefined && active >= deadline)) {
      const reasons = [
        `running for ${formatDuration(now - startedAt)}, past the whole-run timeout of ${formatDuration(runTimeout)}`,
        held ? `${live.reason}, yet ${silence}: OpenClaw should have stopped it` : `${live.reason}; it was still active after its deadline`,
        ...drift,
      ];
      // the gateway's timer would have fired at the deadline; activity after it pushes the end later
      return finalize(ev, "run-timeout", "run-timeout", Math.max(active ?? deadline, deadline), reasons);
    }
  }
  if (live.kind === "none" || activity.state === "complete") {
    const why = activity.state === "complete" ? `its last reply ended the turn but no session.ended was written; ${live.reason}` : live.reason;
    const endedAt = active ?? startedAt ?? ev.entry.updatedAt;
    return finalize(ev, "dead-owner", "dead-owner", endedAt, [why, silence, ...drift], { differs: RECOVERY_STAMPS });
  }
  return {
    kind: "keep",
    rule: "owned",
    reasons: [live.reason, `${silence}, but under the whole-run timeout (${formatDuration(runTimeout)}): a long tool or model wait`],
  };
}

const RECOVERY_STAMPS = "OpenClaw's recovery stamps endedAt and updatedAt with its own start time; we write the last activity seen";

/**
 * The end a `running` row already carries for its current run: OpenClaw writes endedAt and
 * runtimeMs with the terminal status and clears both when a run starts. Seen on 2026.4.26 under
 * load (interop, `--timeout 5`, gateway killed): a `running` row whose runtimeMs (38031) its
 * restart recovery kept while we wrote the trajectory's session.ended, 46 s later (84517). What
 * the gateway wrote for the run is what it would have written: kept. An endedAt before the row's
 * startedAt is an earlier run's.
 */
function writtenForThisRun(ev: Evidence): { endedAt?: number; runtimeMs?: number } {
  const { startedAt, endedAt, runtimeMs } = ev.entry;
  const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  return {
    ...(finite(endedAt) && finite(startedAt) && endedAt >= startedAt ? { endedAt } : {}),
    ...(finite(runtimeMs) && runtimeMs >= 0 ? { runtimeMs } : {}),
  };
}

/** the gateway that ran a run ending at `at` is still up (not dead, not restarted since) */
function ranItAndAlive(ev: Evidence, at: number): boolean {
  return gatewayAlive(ev.gateway) && (ev.gateway.startedAt === undefined || ev.gateway.startedAt <= at);
}

/** `differs`: where we knowingly differ from OpenClaw; `runtimeMs`: the run's as the row already holds it. */
function finalize(ev: Evidence, cause: EndCause, rule: string, endedAt: number, reasons: string[], opts: { differs?: string; runtimeMs?: number } = {}): Repair {
  const row = outcomeRow(cause, ev.era, ev.entry.abortedLastRun);
  const startedAt = typeof ev.entry.startedAt === "number" && Number.isFinite(ev.entry.startedAt) ? ev.entry.startedAt : undefined;
  const family = versionFamily(ev.era);
  return {
    kind: "finalize",
    rule,
    cause,
    status: row.status,
    endedAt,
    set: repairFields(row, endedAt, startedAt, ev.entry.updatedAt, opts.runtimeMs),
    differs: opts.differs,
    reasons: [...reasons, `writes ${row.status}${row.abortedLastRun ? " + abortedLastRun" : ""} as OpenClaw ${family.family} does (${family.why}; learned from ${row.learnedFrom})`],
  };
}
