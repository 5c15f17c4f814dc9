// A run that is still in progress but has sat in the same state longer than its threshold.

import { formatDuration } from "../duration.js";
import { stallLimit } from "../thresholds.js";
import type { SessionState, Thresholds } from "../types.js";

export interface StallVerdict {
  stalled: boolean;
  reason: string;
}

function doing(state: SessionState, toolName: string | undefined): string {
  switch (state) {
    case "tool_exec":
      return `tool ${toolName ?? "(unnamed)"} running`;
    case "tool_wait":
      return `tool ${toolName ?? "(unnamed)"} waiting`;
    case "streaming":
      return "model streaming";
    default:
      return "waiting for the model";
  }
}

export function stalledCheck(
  state: SessionState,
  since: number | undefined,
  toolName: string | undefined,
  now: number,
  th: Thresholds,
): StallVerdict {
  const limit = stallLimit(th, state);
  const what = doing(state, toolName);
  if (since === undefined) return { stalled: false, reason: `${what}, since an unknown time (stall not measurable)` };
  const age = now - since;
  return age > limit
    ? { stalled: true, reason: `${what} for ${formatDuration(age)}, past the ${formatDuration(limit)} stall threshold` }
    : { stalled: false, reason: `${what} for ${formatDuration(age)} (stalls after ${formatDuration(limit)})` };
}
