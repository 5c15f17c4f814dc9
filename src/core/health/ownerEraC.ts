// Era C (OpenClaw 2026.8+, SQLite): who can still move a `running` row forward. There is no
// transcript lock; the owner is the process holding the state dir's singleton lock (a gateway,
// or an embedded `openclaw agent --local` run: `role: "agent-embedded"`), and a gateway run also
// has a `task_runs` row naming its owner. `running` is live only if the owner is alive and, for
// gateway runs, a `running` task names a live owner. A live gateway's restart recovery (at its
// start: the row marked abortedLastRun within 1-2 s, resumed ~4 s later with a new run) holds a
// row it marked, and for RECOVERY_WINDOW_MS one that predates it or whose own task ended; after
// that such a row waits for the next start like a dead owner's. A run the live gateway started
// with no task of its own (chat, channels, subagents) is the gateway's. With the owner dead nothing moves
// the row until the next gateway start, whose restart recovery resumes it (the era C read protocol in the OpenClaw format notes).

import type { Evidence } from "../types.js";
import { ago, shortId } from "./format.js";
import { RECOVERY_WINDOW_MS, type Liveness } from "./liveness.js";

export const RESUMED_ON_GATEWAY_START = "OpenClaw's restart recovery resumes it on the next gateway start";
export const EMBEDDED_NOT_RESUMED = "nothing resumes an embedded run";

/**
 * When a live gateway's restart recovery can no longer be what holds this row: RECOVERY_WINDOW_MS
 * after the latest of the gateway's start, the row's last write and its task's. (A run that just
 * ended has its task written before its row: that moment is inside the window too.)
 */
export function recoveryOverAt(ev: Evidence): number | undefined {
  const gw = ev.gateway;
  if (!gw?.alive || gw.role === "agent-embedded") return undefined;
  const moves = [gw.startedAt, ev.entry.updatedAt, ev.task?.updatedAt].filter((t): t is number => typeof t === "number" && Number.isFinite(t));
  return moves.length === 0 ? undefined : Math.max(...moves) + RECOVERY_WINDOW_MS;
}

export function ownerEraC(ev: Evidence, now: number): Liveness {
  const gw = ev.gateway;
  const embeddedRow = ev.entry.status === undefined;
  const after = embeddedRow ? EMBEDDED_NOT_RESUMED : RESUMED_ON_GATEWAY_START;
  if (gw?.noStateDir) {
    const why = "this database sits in no state dir (a copy or a backup): there is no owner to look for, and OpenClaw does not open it";
    return { kind: "none", reason: why, lost: "no owner (a copy outside any state dir)" };
  }
  if (!gw?.alive) {
    const who = gw?.role === "agent-embedded" ? "embedded run" : "gateway";
    const dead = gw?.lockPath
      ? `the ${who} pid ${gw.pid ?? "?"} that owned this state dir is dead (its singleton lock was left behind${gw.posixLock === "free" ? ", no POSIX lock held" : ""})`
      : "no gateway or embedded run owns this state dir (no singleton lock)";
    return { kind: "none", reason: `${dead}; ${after}`, lost: `its owner is dead (${after})` };
  }
  const lockNote = gw.posixLock === "held" ? ", POSIX lock held" : gw.posixLock === "free" ? ", no POSIX lock held" : "";
  const name = `${gw.role === "agent-embedded" ? "embedded run" : "gateway"} pid ${gw.pid}${gw.startedAt !== undefined ? ` (started ${ago(now, gw.startedAt)})` : ""}`;
  if (gw.role === "agent-embedded") {
    if (!embeddedRow) {
      // an embedded run takes the same singleton lock, so no gateway runs beside it
      return {
        kind: "none",
        reason: `a gateway run, but the live owner is an ${name}: no gateway is running it; ${RESUMED_ON_GATEWAY_START}`,
        lost: `no gateway runs (the lock is an embedded run's; ${RESUMED_ON_GATEWAY_START})`,
      };
    }
    return { kind: "owner", reason: `the ${name} holds the singleton lock${lockNote}` };
  }
  const alive = `the ${name} is alive${lockNote}`;
  // a starting gateway marks the turns it will resume (abortedLastRun, status still running)
  const marked = ev.entry.abortedLastRun === true && (gw.startedAt === undefined || ev.entry.updatedAt >= gw.startedAt);
  if (marked) {
    // its own mark puts the run in its recovery queue, which dispatches within a capacity: a mark
    // older than the window is a turn still waiting its turn, not one recovery passed over
    const resuming = now - ev.entry.updatedAt <= RECOVERY_WINDOW_MS ? "restart recovery is resuming it" : "it waits in restart recovery's queue";
    return { kind: "recovering", reason: `${alive} and marked this run aborted ${ago(now, ev.entry.updatedAt)}: ${resuming}` };
  }
  // a run from before this gateway's start is its restart recovery's queue, tasks or no tasks
  const predatesGateway = gw.startedAt !== undefined && ev.entry.startedAt !== undefined && ev.entry.startedAt < gw.startedAt;
  if (ev.tasksKnown === false) {
    if (predatesGateway) return pendingOrOver(ev, now, alive, `this run started ${ago(now, ev.entry.startedAt!)}, before this gateway`);
    return { kind: "gateway", reason: `${alive}; its task registry is not readable here (no global DB), so the lock decides` };
  }
  const task = ev.task;
  if (task?.status === "running" && task.owner === "alive") {
    return { kind: "owner", reason: `${alive}; task ${shortId(task.runId)} is running, owned by live pid ${task.ownerPid}` };
  }
  if (task?.status === "running" && task.ownerPid === undefined && task.owner === "unknown") {
    // before OpenClaw 2026.9.5 a task does not name its owner: one started in this gateway's life
    // is its own, one started before it belongs to a gateway that is gone
    if (gw.startedAt === undefined || task.startedAt === undefined) {
      return { kind: "gateway", reason: `${alive}; task ${shortId(task.runId)} is running and names no owner (OpenClaw before 2026.9.5), so the lock decides` };
    }
    if (task.startedAt >= gw.startedAt) {
      return { kind: "owner", reason: `${alive}; task ${shortId(task.runId)} is running, started ${ago(now, task.startedAt)} in this gateway's life` };
    }
    return pendingOrOver(ev, now, alive, `task ${shortId(task.runId)} is running but started ${ago(now, task.startedAt)}, before this gateway`);
  }
  const why =
    task?.status === "running"
      ? `task ${shortId(task.runId)} is running but its owner pid ${task.ownerPid ?? "?"} is ${task.owner === "reused" ? "gone (pid reused)" : "dead"}`
      : task
        ? `the latest task ${shortId(task.runId)} is ${task.status}`
        : "no task names this run";
  // restart recovery's only on evidence: the run predates this gateway (recovery resumes what the
  // last one left), or this run's own task ended or lost its owner while the row says running.
  // Most gateway runs have no task at all (chat.send from webchat and the TUI, channel messages,
  // subagent children, heartbeats: only the `agent` RPC tracks one), and the session's latest task
  // can be an earlier turn's: such a run is the live gateway's, bounded by the stall and run limits.
  const ownTask = task !== undefined && ev.entry.lifecycleRunId !== undefined && task.runId === ev.entry.lifecycleRunId;
  if (predatesGateway || ownTask) return pendingOrOver(ev, now, alive, why);
  return {
    kind: "gateway",
    reason: `${alive}; ${task ? `no task tracks this run (the session's latest, ${shortId(task.runId)}, is ${task.status})` : "no task tracks this run"}: chat, channel and subagent runs have none, so the lock decides`,
  };
}

/** A live gateway that runs no task for the row: its restart recovery's, or nobody's once that is over. */
function pendingOrOver(ev: Evidence, now: number, alive: string, why: string): Liveness {
  const over = recoveryOverAt(ev);
  if (over === undefined || now <= over) return { kind: "recovering", reason: `${alive}; ${why}: restart recovery is pending (it resumes interrupted turns)` };
  const started = ev.gateway?.startedAt !== undefined ? ` (at its start ${ago(now, ev.gateway.startedAt)})` : "";
  return {
    kind: "none",
    reason: `${alive}; ${why}, and its restart recovery${started} did not take this run up: nothing moves it until the next gateway start`,
    lost: `the live gateway is not running it (${RESUMED_ON_GATEWAY_START})`,
  };
}
