// Can any process still move an unfinished run forward, and if nothing can, what will end it?
// The ONE liveness rule every command reads (status, watch, cleanup, keepalive, serve).
//
// Eras A/B: the transcript lock's live holder can; without a lock, a gateway that was already
// running when the run last did something can, but only briefly: a run holds its transcript lock
// throughout (model wait and tools included), so a lock-less row silent for `staleAfter` is
// held by nobody. A 2026.7.1 gateway that marked the row `abortedLastRun` after its start is
// recovering it (resume or fail, ~5 s later).
// Era C: no transcript lock. A gateway run is live only while its owner (singleton lock JSON,
// pid + start identity) is alive AND a `running` task_runs row names it; an owner alive with no
// such task has OpenClaw's restart recovery pending. A dead owner's row is resumed by OpenClaw on
// the next gateway start: that is its repair, so it stays critical until then.

import { formatDuration } from "../duration.js";
import { staleAfterOf } from "../thresholds.js";
import type { Evidence, GatewayInfo, Thresholds } from "../types.js";
import { ago } from "./format.js";
import type { Owner } from "./owner.js";
import { ownerEraC } from "./ownerEraC.js";
import type { Claim } from "./runInProgress.js";

/**
 * Who can end a run nothing moves any more: `cleanup` (a `running` row, eras A/B: cleanup
 * writes the status OpenClaw's recovery would), `openclaw` (era C: its restart recovery),
 * `nothing` (no status to write: an embedded `--local` run, or a lock after a terminal status).
 */
export type RepairBy = "cleanup" | "openclaw" | "nothing";

export interface Liveness {
  /** owner: a live holder; gateway: maybe inside the live gateway; recovering: OpenClaw's recovery has it; none */
  kind: "owner" | "gateway" | "recovering" | "none";
  reason: string;
  /** for the index drift, when nothing can progress: "lock owner pid 23939 is dead" */
  lost?: string;
  /** kind none: who can still end it */
  repairBy?: RepairBy;
}

/**
 * 2026.7.1 marks orphaned runs on start (abortedLastRun, a fresh updatedAt, status still running)
 * and about 5 s later resumes or fails them. Within this window such a row is being recovered;
 * after it the recovery did not happen and the row is dead like any other.
 */
export const RECOVERY_WINDOW_MS = 60_000;

/** A gateway is up: its singleton lock names a live process, or its /healthz answered. */
export function gatewayAlive(gw: GatewayInfo | undefined): gw is GatewayInfo {
  return !!gw && (gw.alive || gw.probe === "ok");
}

export function recovering(ev: Evidence, now: number): { within: boolean; reason: string } | undefined {
  const { entry, gateway } = ev;
  if (entry.status !== "running" || entry.abortedLastRun !== true || !gatewayAlive(gateway)) return undefined;
  if (gateway.startedAt === undefined || entry.updatedAt < gateway.startedAt) return undefined;
  const marked = `gateway pid ${gateway.pid} (started ${ago(now, gateway.startedAt)}) marked this run aborted ${ago(now, entry.updatedAt)}`;
  return now - entry.updatedAt <= RECOVERY_WINDOW_MS
    ? { within: true, reason: `${marked}: it is recovering the run` }
    : { within: false, reason: `${marked} but has neither resumed nor failed it` };
}

export function liveness(
  ev: Evidence,
  owner: Owner,
  claim: Claim,
  lastActivityAt: number | undefined,
  now: number,
  th: Thresholds,
): Liveness {
  if (ev.era === "C") {
    // era C's owner rule (singleton lock + task_runs) is ownerEraC; what ends a dead row: OpenClaw's
    // restart recovery for a gateway row, nothing for an embedded one (no status of its own)
    const live = ownerEraC(ev, now);
    return live.kind === "none" ? { ...live, repairBy: ev.entry.status === undefined ? "nothing" : "openclaw" } : live;
  }
  const repairBy: RepairBy = claim.by === "index" ? "cleanup" : "nothing";
  const none = (reason: string, lost: string): Liveness => ({ kind: "none", reason, lost, repairBy });
  if (owner.kind === "alive") return { kind: "owner", reason: owner.reason };
  const recovery = recovering(ev, now);
  if (recovery?.within) return { kind: "recovering", reason: recovery.reason };
  if (recovery) return none(recovery.reason, "gateway recovery did not finish");
  if (owner.kind === "dead") return none(owner.reason, owner.summary);

  const gw = ev.gateway;
  if (!gatewayAlive(gw)) return none("no transcript lock and no live gateway", "no lock and no live gateway");
  const gwName = `gateway pid ${gw.pid}`;
  const last = lastActivityAt === undefined ? "no recorded activity" : `last activity ${ago(now, lastActivityAt)}`;
  if (gw.startedAt !== undefined && (lastActivityAt === undefined || lastActivityAt < gw.startedAt)) {
    return none(`no transcript lock; ${last}, before ${gwName} started ${ago(now, gw.startedAt)}`, "no lock, and the gateway restarted since");
  }
  const staleAfter = staleAfterOf(th);
  if (lastActivityAt === undefined || now - lastActivityAt >= staleAfter) {
    return none(
      `no transcript lock and ${last} (>= ${formatDuration(staleAfter)}): a run holds its transcript lock throughout, so the live ${gwName} is not running it`,
      "no lock held by any run",
    );
  }
  return { kind: "gateway", reason: `no transcript lock; the live ${gwName} may still be running it (${last})` };
}
