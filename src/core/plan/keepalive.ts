// `keepalive`: which sessions get `updatedAt` (and `lastInteractionAt`) set to now, so OpenClaw
// neither prunes them (it ages entries by updatedAt) nor idle-resets them (it compares
// lastInteractionAt with idleMinutes) while they genuinely work.
//
// Touched: a run in progress with a live owner (health active or waiting), a STALLED run too:
// stalled means its owner is alive but slow (the health model calls a dead owner unresponsive),
// and a 40-minute build is work worth keeping; and a session with real activity in its files
// within the threshold that the index has not caught up with (newer than its updatedAt and
// endedAt: e.g. an embedded run the index does not describe).
// Never touched: unresponsive sessions (nothing can make progress, or past the whole-run
// timeout), rows cleanup would finalize, rows OpenClaw's recovery is handling, idle ones with no recent
// activity, finalized ones (terminal status, nothing since), and ones whose fields are already
// fresh (no pointless write racing the gateway).

import { formatDuration } from "../duration.js";
import { TERMINAL_STATUSES, type EntryPatch } from "../types.js";
import { type PlanAction, type PlanItem } from "./actions.js";
import { fileActivityAt } from "../health/fields.js";
import { ago } from "../health/format.js";

export type TouchField = "updatedAt" | "lastInteractionAt";

export const DEFAULT_ACTIVITY_THRESHOLD_MS = 10 * 60_000;

export interface KeepaliveOptions {
  now: number;
  /** idle sessions count as active when their files changed this recently; default 10 min */
  activityThresholdMs?: number;
  /** which fields to refresh; default both */
  fields?: readonly TouchField[];
  /** a field written less than this long ago is fresh and not rewritten (e.g. interval / 2) */
  freshWithinMs: number;
  /**
   * OpenClaw's idle reset is configured (see maintenance.idleResetConfigured). lastInteractionAt
   * is only read by idle reset: we write it when idle reset is on, or when the entry already has
   * it (keeping it in step costs nothing and avoids a surprise reset if idle reset is turned on
   * later); otherwise we do not add a field nothing reads.
   */
  idleResetConfigured?: boolean;
}

export interface KeepaliveSkip {
  agentId: string;
  sessionKey: string;
  why: string;
}

export interface KeepalivePlan {
  touch: EntryPatch[];
  skipped: KeepaliveSkip[];
  actions: PlanAction[];
}

/** Why this session deserves a touch, or { skip } saying why not. Read from the health verdict only. */
function judge(item: PlanItem, now: number, thresholdMs: number): { touch: string } | { skip: string } {
  const { ev, hb, facts } = item;
  if (ev.era === "C") return { skip: "era C store: never written (OpenClaw keeps its own rows fresh)" };
  if (hb.health === "unresponsive") return { skip: `unresponsive: ${facts.pastRunTimeout ? "past the whole-run timeout" : "no process can make progress"}` };
  if (facts.repair?.kind === "finalize") return { skip: `cleanup would finalize it (${facts.repair.status}, rule ${facts.repair.rule})` };
  // a bumped updatedAt would stretch OpenClaw's own recovery window (it compares updatedAt with its start)
  if (facts.live?.kind === "recovering") return { skip: `OpenClaw's recovery has it: ${facts.live.reason}` };
  if (hb.health === "active" || hb.health === "waiting") {
    return { touch: `run in progress (${hb.state}${hb.toolName ? ` ${hb.toolName}` : ""}), health ${hb.health}` };
  }
  if (hb.health === "stalled") {
    return { touch: `run in progress (${hb.state}), stalled but its owner is alive: long work is still work` };
  }
  // No run in progress: only activity the index has not caught up with earns a touch. Touching
  // an idle session for activity the gateway already stamped would stretch OpenClaw's idle
  // reset and pruning windows for a conversation nobody is working in.
  if (facts.lost) return { skip: `lost: ${hb.outcomeReason ?? "its owner died"}` };
  const active = fileActivityAt(ev);
  if (active === undefined) return { skip: "idle: no recorded activity" };
  const status = ev.entry.status;
  const endedAt = typeof ev.entry.endedAt === "number" ? ev.entry.endedAt : Number.NEGATIVE_INFINITY;
  if (active <= Math.max(endedAt, ev.entry.updatedAt)) {
    const terminal = status !== undefined && (TERMINAL_STATUSES as readonly string[]).includes(status);
    return { skip: terminal ? `finalized (${status}), nothing since` : `idle: the index already reflects its last activity (${ago(now, active)})` };
  }
  if (now - active < thresholdMs) return { touch: `activity in its files ${ago(now, active)}, newer than the index` };
  return { skip: `idle: last activity ${ago(now, active)}` };
}

export function planKeepalive(items: readonly PlanItem[], opts: KeepaliveOptions): KeepalivePlan {
  const now = opts.now;
  const thresholdMs = opts.activityThresholdMs ?? DEFAULT_ACTIVITY_THRESHOLD_MS;
  const fields = opts.fields ?? ["updatedAt", "lastInteractionAt"];
  const plan: KeepalivePlan = { touch: [], skipped: [], actions: [] };

  for (const item of items) {
    const { ev } = item;
    const skip = (why: string) => plan.skipped.push({ agentId: ev.agentId, sessionKey: ev.sessionKey, why });
    const verdict = judge(item, now, thresholdMs);
    if ("skip" in verdict) {
      skip(verdict.skip);
      continue;
    }
    const wanted = fields.filter(
      (f) => f !== "lastInteractionAt" || opts.idleResetConfigured === true || typeof ev.entry.lastInteractionAt === "number",
    );
    const stale = wanted.filter((f) => {
      const v = ev.entry[f];
      // a future value (clock skew) counts as fresh: never move a timestamp backwards
      return !(typeof v === "number" && Number.isFinite(v) && now - v < opts.freshWithinMs);
    });
    if (stale.length === 0) {
      skip(
        wanted.length === 0
          ? "nothing to write (lastInteractionAt only: the entry has none and idle reset is off)"
          : `already fresh: ${wanted.join(", ")} within ${formatDuration(opts.freshWithinMs)}`,
      );
      continue;
    }
    const set: Record<string, unknown> = {};
    for (const f of stale) set[f] = now;
    const reasons = [verdict.touch, `refresh ${stale.join(", ")}`];
    plan.touch.push({
      sessionKey: ev.sessionKey,
      expect: { sessionId: ev.entry.sessionId, updatedAt: ev.entry.updatedAt },
      set,
      action: "touch",
      reasons,
    });
    plan.actions.push({
      action: "touch",
      agentId: ev.agentId,
      sessionKey: ev.sessionKey,
      sessionId: ev.entry.sessionId,
      fromStatus: ev.entry.status,
      updatedAt: ev.entry.updatedAt,
      rule: "touch",
      reasons,
    });
  }
  return plan;
}
