// When two heartbeats of a session are the same to whoever shows or pushes them: `watch` keeps an
// unchanged row's object, `serve` pushes only transitions. Decided here, once, for both.
import { withoutDurations } from "./duration.js";
import type { Heartbeat } from "./types.js";

/** Equal as shown and reported: an unchanged heartbeat keeps its object, and rows do not re-render. */
export function sameHeartbeat(a: Heartbeat, b: Heartbeat): boolean {
  return (
    sameVerdict(a, b) &&
    a.drift === b.drift &&
    a.outcomeReason === b.outcomeReason &&
    a.reasons.length === b.reasons.length &&
    a.reasons.every((r, i) => r === b.reasons[i])
  );
}

/**
 * Equal in everything but the ages worded in its texts (the reasons, and a drift or outcome reason
 * such as "run ended 3m05s ago"): those move with the clock, and a client is not told each time.
 */
export function sameVerdict(a: Heartbeat, b: Heartbeat): boolean {
  return (
    a.state === b.state &&
    a.health === b.health &&
    a.toolName === b.toolName &&
    a.model === b.model &&
    a.modelSource === b.modelSource &&
    a.startedAt === b.startedAt &&
    a.lastActivityAt === b.lastActivityAt &&
    a.lastTokenAt === b.lastTokenAt &&
    a.storeStatus === b.storeStatus &&
    a.label === b.label &&
    a.updatedAt === b.updatedAt &&
    a.turnId === b.turnId &&
    a.sessionKey === b.sessionKey &&
    a.agentId === b.agentId &&
    a.sessionId === b.sessionId &&
    a.outcome === b.outcome &&
    a.era === b.era &&
    a.source === b.source &&
    sameButAges(a.drift, b.drift) &&
    sameButAges(a.outcomeReason, b.outcomeReason)
  );
}

function sameButAges(a: string | undefined, b: string | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && withoutDurations(a) === withoutDurations(b));
}
