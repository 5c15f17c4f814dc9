// Can any process still move an unfinished run forward? The lock owner can; without a lock, only
// a gateway that was already running when the run last did something (a restarted gateway
// does not resume a run it never saw, except through its own recovery, below).

import type { Evidence } from "../types.js";
import { ago } from "./format.js";
import type { Owner } from "./owner.js";
import { ownerEraC } from "./ownerEraC.js";

export interface Liveness {
  /** owner: the lock holder; gateway: maybe inside the live gateway; recovering: see below; none */
  kind: "owner" | "gateway" | "recovering" | "none";
  reason: string;
  /** for the index drift, when nothing can progress: "lock owner pid 23939 is dead" */
  lost?: string;
}

/**
 * 2026.7.1 marks orphaned runs on start (abortedLastRun, a fresh updatedAt, status still running)
 * and about 5 s later resumes or fails them. Within this window such a row is being recovered.
 */
export const RECOVERY_WINDOW_MS = 60_000;

export function recovering(ev: Evidence, now: number): { within: boolean; reason: string } | undefined {
  const { entry, gateway } = ev;
  if (entry.status !== "running" || entry.abortedLastRun !== true || !gateway?.alive) return undefined;
  if (gateway.startedAt === undefined || entry.updatedAt < gateway.startedAt) return undefined;
  const marked = `gateway pid ${gateway.pid} (started ${ago(now, gateway.startedAt)}) marked this run aborted ${ago(now, entry.updatedAt)}`;
  return now - entry.updatedAt <= RECOVERY_WINDOW_MS
    ? { within: true, reason: `${marked}: it is recovering the run` }
    : { within: false, reason: `${marked} but has neither resumed nor failed it` };
}

export function liveness(ev: Evidence, owner: Owner, lastActivityAt: number | undefined, now: number): Liveness {
  if (ev.era === "C") return ownerEraC(ev, now);
  if (owner.kind === "alive") return { kind: "owner", reason: owner.reason };
  const recovery = recovering(ev, now);
  if (recovery?.within) return { kind: "recovering", reason: recovery.reason };
  if (recovery) return { kind: "none", reason: recovery.reason, lost: "gateway recovery did not finish" };
  if (owner.kind === "dead") return { kind: "none", reason: owner.reason, lost: owner.summary };

  const gw = ev.gateway;
  if (!gw?.alive) {
    return { kind: "none", reason: "no transcript lock and no live gateway", lost: "no lock and no live gateway" };
  }
  const gwName = `gateway pid ${gw.pid}`;
  if (gw.startedAt !== undefined && (lastActivityAt === undefined || lastActivityAt < gw.startedAt)) {
    const last = lastActivityAt === undefined ? "no recorded activity" : `last activity ${ago(now, lastActivityAt)}`;
    return {
      kind: "none",
      reason: `no transcript lock; ${last}, before ${gwName} started ${ago(now, gw.startedAt)}`,
      lost: "no lock, and the gateway restarted since",
    };
  }
  return { kind: "gateway", reason: `no transcript lock; the live ${gwName} may still be running it` };
}
