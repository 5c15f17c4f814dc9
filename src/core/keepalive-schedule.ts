// When a kept-alive field is due again, and one tick's plan. A touch lasts: rewriting a field
// that is still far from any expiry only rewrites the whole index for nothing and races the
// gateway. So a field is refreshed once it is older than the refresh window, and the window is
// short enough that nothing OpenClaw ages by that field can expire in between:
//   window = min(activity threshold, idle reset / 2, pruneAfter / 2)   (or --refresh-after)
// The oldest a kept-alive field gets is window + interval.

import { formatDuration } from "./duration.js";
import { maintenanceSection, resolveMaintenancePolicy } from "./maintenance.js";
import type { PlanItem } from "./plan/actions.js";
import { planKeepalive, type KeepaliveOptions, type KeepalivePlan, type TouchField } from "./plan/keepalive.js";

export interface RefreshWindowInput {
  intervalMs: number;
  activityThresholdMs: number;
  /** --refresh-after: used as given (warned about when it is too long) */
  overrideMs?: number;
  fields: readonly TouchField[];
  /** the parsed openclaw.json */
  config: unknown;
}

export interface RefreshWindow {
  freshWithinMs: number;
  /** the shortest idle expiry configured anywhere, in minutes (undefined: no idle reset) */
  idleMinutes?: number;
  warnings: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The shortest idle expiry any session may get: `session.idleMinutes` (legacy),
 * `session.reset`, every `resetByType.*` and `resetByChannel.*`. OpenClaw floors the minutes;
 * 0 means no idle expiry. Taking the minimum over all of them can only make touches earlier.
 */
export function smallestIdleMinutes(config: unknown): number | undefined {
  const session = isRecord(config) && isRecord(config.session) ? config.session : undefined;
  if (!session) return undefined;
  const candidates: unknown[] = [session.idleMinutes];
  if (isRecord(session.reset)) candidates.push(session.reset.idleMinutes);
  for (const group of [session.resetByType, session.resetByChannel]) {
    if (!isRecord(group)) continue;
    for (const r of Object.values(group)) if (isRecord(r)) candidates.push(r.idleMinutes);
  }
  let best: number | undefined;
  for (const c of candidates) {
    if (typeof c !== "number" || !Number.isFinite(c)) continue;
    const minutes = Math.floor(c);
    if (minutes > 0 && (best === undefined || minutes < best)) best = minutes;
  }
  return best;
}

function pruneAfterMs(config: unknown): number | undefined {
  try {
    return resolveMaintenancePolicy(maintenanceSection(config)).pruneAfterMs;
  } catch {
    // an invalid pruneAfter: the gateway falls back to 30 d, and our window is far below that
    return undefined;
  }
}

export function refreshWindow(input: RefreshWindowInput): RefreshWindow {
  const idleMinutes = smallestIdleMinutes(input.config);
  const idleMs = idleMinutes !== undefined ? idleMinutes * 60_000 : undefined;
  const pruneMs = pruneAfterMs(input.config);
  const caps = [input.activityThresholdMs, idleMs !== undefined ? idleMs / 2 : Infinity, pruneMs !== undefined ? pruneMs / 2 : Infinity];
  const freshWithinMs = Math.max(1, Math.round(input.overrideMs ?? Math.min(...caps)));
  const warnings: string[] = [];
  const worst = freshWithinMs + input.intervalMs;
  if (idleMs !== undefined) {
    if (!input.fields.includes("lastInteractionAt")) {
      warnings.push(`idle reset after ${formatDuration(idleMs)} compares lastInteractionAt, which --fields leaves out: it is not prevented`);
    } else if (worst >= idleMs) {
      warnings.push(
        `a kept-alive lastInteractionAt can be ${formatDuration(worst)} old before it is refreshed, but idle reset comes after ${formatDuration(idleMs)}: lower --interval or --refresh-after`,
      );
    }
  }
  if (pruneMs !== undefined && input.fields.includes("updatedAt") && worst >= pruneMs) {
    warnings.push(`a kept-alive updatedAt can be ${formatDuration(worst)} old before it is refreshed, but pruneAfter is ${formatDuration(pruneMs)}`);
  }
  return { freshWithinMs, idleMinutes, warnings };
}

/**
 * One tick's plan. When some session is due, the index is rewritten anyway: every kept-alive
 * session past half its window rides along in the same write, so sessions that fell out of step
 * (started at different times, bumped by the gateway) share writes instead of each costing one.
 */
export function planTick(items: readonly PlanItem[], opts: KeepaliveOptions): KeepalivePlan {
  const due = planKeepalive(items, opts);
  if (due.touch.length === 0) return due;
  return planKeepalive(items, { ...opts, freshWithinMs: opts.freshWithinMs / 2 });
}
