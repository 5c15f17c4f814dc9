// `cleanup --finalize-stale`: the repair the health model decided for each `running` row
// (src/core/health/repair.ts holds the rules; src/core/health/outcome.ts the fields OpenClaw
// writes for each ending, per version family). This file only turns those decisions into
// patches and plan records: the same verdict `status` shows, so the two cannot disagree.

import type { EntryPatch } from "../types.js";
import { LIFECYCLE_OF, type PlanAction, type PlanItem } from "./actions.js";

export { DEFAULT_RUN_TIMEOUT_MS, DEFAULT_STALE_AFTER_MS } from "../thresholds.js";
export { ERROR_GRACE_MS } from "../health/repair.js";

export interface FinalizePlan {
  patches: EntryPatch[];
  /**
   * one record per `running` row: "finalize" with the outcome, or "keep" with why not (era C:
   * rule `openclaw-recovery` / `openclaw-writes`, what OpenClaw itself will do); and "keep"
   * (rule `no-status`) for a live process past the whole-run timeout on a row without one
   */
  actions: PlanAction[];
}

export function planFinalize(items: readonly PlanItem[]): FinalizePlan {
  const patches: EntryPatch[] = [];
  const actions: PlanAction[] = [];
  for (const { ev, facts } of items) {
    const repair = facts.repair;
    if (!repair) continue;
    const base = { agentId: ev.agentId, sessionKey: ev.sessionKey, sessionId: ev.entry.sessionId, fromStatus: ev.entry.status, updatedAt: ev.entry.updatedAt };
    if (repair.kind !== "finalize") {
      actions.push({ action: "keep", ...base, rule: repair.rule, reasons: repair.reasons });
      continue;
    }
    const reasons = repair.differs ? [...repair.reasons, `differs from OpenClaw: ${repair.differs}`] : repair.reasons;
    patches.push({
      sessionKey: ev.sessionKey,
      expect: { sessionId: ev.entry.sessionId, updatedAt: ev.entry.updatedAt },
      set: repair.set,
      action: "finalize",
      reasons,
    });
    actions.push({
      action: "finalize",
      ...base,
      toStatus: repair.status,
      lifecycle: LIFECYCLE_OF[repair.status],
      endedAt: repair.endedAt,
      rule: repair.rule,
      reasons,
    });
  }
  return { patches, actions };
}
