// Stall thresholds from repeated `--stall-after` flags: `2m` sets the default for every state that
// can stall, `tool_exec=10m` overrides one state. The default default is OpenClaw's own
// `diagnostics.stuckSessionWarnMs` (120000 when unset), passed in by the caller.

import { formatDuration, parseDuration, parseDurationFlag } from "./duration.js";
import { CliError, EXIT } from "./errors.js";
import type { SessionState, Thresholds } from "./types.js";

/**
 * `--stale-after`: how long a dead run must have been silent before cleanup repairs it, and
 * before a dead run that nothing can repair stops being critical and reads as outcome `lost`.
 */
export const DEFAULT_STALE_AFTER_MS = 10 * 60_000;
/** agents.defaults.timeoutSeconds default: 172800 s. A run past it is one OpenClaw would have ended. */
export const DEFAULT_RUN_TIMEOUT_MS = 48 * 3_600_000;

export function staleAfterOf(th: Thresholds): number {
  return th.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
}

export function runTimeoutOf(th: Thresholds): number {
  return th.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
}

/** OpenClaw's default for diagnostics.stuckSessionWarnMs. */
export const DEFAULT_STALL_AFTER_MS = 120_000;

/** The states a run can hang in; idle and complete never stall. */
export const STALLABLE_STATES: readonly SessionState[] = ["awaiting_model", "streaming", "tool_exec", "tool_wait"];

export function stallLimit(th: Thresholds, state: SessionState): number {
  return th.perState[state] ?? th.stallAfterMs;
}

export function parseStallAfter(values: readonly string[], defaultMs: number = DEFAULT_STALL_AFTER_MS): Thresholds {
  const th: Thresholds = { stallAfterMs: defaultMs, perState: {} };
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq < 0) {
      th.stallAfterMs = stallDuration(value, value);
      continue;
    }
    const state = value.slice(0, eq).trim() as SessionState;
    if (!STALLABLE_STATES.includes(state)) {
      throw usage(`--stall-after ${value}: "${state}" is not a state that can stall (use ${STALLABLE_STATES.join(", ")})`);
    }
    th.perState[state] = stallDuration(value.slice(eq + 1), value);
  }
  return th;
}

function stallDuration(text: string, flag: string): number {
  return parseDurationFlag(`--stall-after ${flag}:`, text, "age");
}

function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

/** "2m (tool_exec 10m)", for help texts and the status footer. */
export function describeThresholds(th: Thresholds): string {
  const overrides = Object.entries(th.perState).map(([state, ms]) => `${state} ${formatDuration(ms ?? 0)}`);
  return formatDuration(th.stallAfterMs) + (overrides.length > 0 ? ` (${overrides.join(", ")})` : "");
}

/** The default stall threshold from a config's `diagnostics.stuckSessionWarnMs`, when it is usable. */
export function stallDefaultFromConfig(stuckSessionWarnMs: unknown): number {
  return usableStuckSessionWarnMs(stuckSessionWarnMs) ? stuckSessionWarnMs : DEFAULT_STALL_AFTER_MS;
}

/** Why a `diagnostics.stuckSessionWarnMs` that is set is not used (stallDefaultFromConfig falls back), if it is not. */
export function stuckSessionWarnMsProblem(stuckSessionWarnMs: unknown): string | undefined {
  if (stuckSessionWarnMs === undefined || usableStuckSessionWarnMs(stuckSessionWarnMs)) return undefined;
  return `diagnostics.stuckSessionWarnMs must be a positive number of milliseconds (got ${JSON.stringify(stuckSessionWarnMs)}): stalls are judged after the default ${formatDuration(DEFAULT_STALL_AFTER_MS)}`;
}

function usableStuckSessionWarnMs(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v > 0;
}
