// The read path every command shares: find the stores, gather evidence, derive heartbeats.
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
  const snapshot = await readSnapshot({ ...opts, probe: opts.probe ?? true });
  const thresholds = thresholdsFor(snapshot, opts.stallAfter);
  const now = opts.now ?? Date.now();
  const items = snapshot.evidence.map((ev) => ({ ev, hb: deriveHeartbeat(ev, now, thresholds) }));
  return { snapshot, thresholds, now, items };
}

export function thresholdsFor(snapshot: Pick<Snapshot, "config">, stallAfter: string[] = []): Thresholds {
  return parseStallAfter(stallAfter, stallDefaultFromConfig(stuckSessionWarnMs(snapshot.config)));
}

/** commander collector for repeatable options like --stall-after. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
