// The read path every command shares: find the stores, gather evidence, derive heartbeats.
import { CliError, EXIT } from "../core/errors.js";
import { deriveHeartbeat } from "../core/health/index.js";
import { parseStallAfter, stallDefaultFromConfig } from "../core/thresholds.js";
import type { Evidence, Heartbeat, Thresholds } from "../core/types.js";
import { stuckSessionWarnMs } from "../store/config.js";
import { readSnapshot, type Snapshot } from "../store/snapshot.js";
import type { StoreOptions } from "./options.js";

export interface HeartbeatView {
  snapshot: Snapshot;
  thresholds: Thresholds;
  now: number;
  items: { ev: Evidence; hb: Heartbeat }[];
}

export interface ReadViewOptions extends StoreOptions {
  stallAfter?: string[];
  probe?: boolean;
  now?: number;
}

export async function readHeartbeatView(opts: ReadViewOptions): Promise<HeartbeatView> {
  // a bad override is a usage error: report it before reading anything
  const fixedNow = opts.now ?? clockOverride();
  const snapshot = await readSnapshot({ ...opts, probe: opts.probe ?? true });
  const thresholds = thresholdsFor(snapshot, opts.stallAfter);
  const now = fixedNow ?? Date.now();
  const items = snapshot.evidence.map((ev) => ({ ev, hb: deriveHeartbeat(ev, now, thresholds) }));
  return { snapshot, thresholds, now, items };
}

/**
 * OPENCLAW_SESSIONS_NOW (epoch ms, or an ISO date-time) replaces the wall clock as `now` for every
 * verdict. Verdicts depend on the time (stall thresholds, "3m ago"), so a fixed clock makes e2e
 * tests reproducible and lets a user replay a bug report against a copied state dir exactly as it
 * was judged. It does not change which processes are alive: lock owners are checked as they are now.
 */
export const NOW_ENV = "OPENCLAW_SESSIONS_NOW";

export function clockOverride(env: Record<string, string | undefined> = process.env): number | undefined {
  const text = env[NOW_ENV]?.trim();
  if (!text) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new CliError(`${NOW_ENV}="${text}" is neither epoch milliseconds nor an ISO date-time (e.g. 2026-07-01T12:00:00Z)`, EXIT.critical);
  }
  return ms;
}

export function thresholdsFor(snapshot: Pick<Snapshot, "config">, stallAfter: string[] = []): Thresholds {
  return parseStallAfter(stallAfter, stallDefaultFromConfig(stuckSessionWarnMs(snapshot.config)));
}

/** commander collector for repeatable options like --stall-after. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
