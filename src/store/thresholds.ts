// The thresholds every verdict is derived with, from the config and --stall-after: one rule for
// every command and every live view (status, watch, serve, cleanup, keepalive).
import { resolveRunTimeoutMs } from "../core/maintenance.js";
import { DEFAULT_RUN_TIMEOUT_MS, parseStallAfter, stallDefaultFromConfig } from "../core/thresholds.js";
import type { Thresholds } from "../core/types.js";
import { stuckSessionWarnMs, type OpenClawConfig } from "./config.js";

/**
 * The stall limits (--stall-after over diagnostics.stuckSessionWarnMs) and the whole-run timeout
 * from `agents.defaults.timeoutSeconds` (a run past it is one OpenClaw would have ended). A
 * malformed timeout is an error where it decides a write (cleanup resolves it itself, strictly);
 * for reading it falls back to OpenClaw's default.
 */
export function thresholdsFor(snapshot: { config: OpenClawConfig }, stallAfter: string[] = []): Thresholds {
  const th = parseStallAfter(stallAfter, stallDefaultFromConfig(stuckSessionWarnMs(snapshot.config)));
  let runTimeoutMs: number;
  try {
    runTimeoutMs = resolveRunTimeoutMs(snapshot.config);
  } catch {
    runTimeoutMs = DEFAULT_RUN_TIMEOUT_MS;
  }
  return { ...th, runTimeoutMs };
}
