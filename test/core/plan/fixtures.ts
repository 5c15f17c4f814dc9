// Hand-built Evidence + Heartbeat pairs for the planner tests: a fixed clock, and only the facts
// each case is about (everything else absent, i.e. "not seen").

import { planItem, type PlanItem } from "../../../src/core/plan/actions.js";
import type {
  Evidence,
  GatewayInfo,
  Heartbeat,
  IndexEntry,
  LockInfo,
  Thresholds,
  TrajectoryRun,
  TrajectoryTail,
  TranscriptTail,
} from "../../../src/core/types.js";

export const SEC = 1_000;
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2026-11-22T12:00:00.000Z */
export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
export const AGENTS_ROOT = "/home/op/.openclaw/agents";

export interface ItemSpec {
  key?: string;
  agentId?: string;
  entry?: Partial<IndexEntry>;
  /** null = the transcript file does not exist */
  transcript?: Partial<TranscriptTail> | null;
  trajectory?: (Partial<Omit<TrajectoryTail, "run">> & { run?: Partial<TrajectoryRun> }) | null;
  lock?: Partial<LockInfo>;
  gateway?: Partial<GatewayInfo>;
  /**
   * set on top of the judged heartbeat, for a plan rule that reads the heartbeat (prune's and
   * keepalive's health checks) tested on its own; the facts stay as judged. test/core/invariants
   * checks the real, consistent pairs.
   */
  hb?: Partial<Heartbeat>;
  /** judge at this time (default NOW) */
  now?: number;
  th?: Thresholds;
}

export const TH: Thresholds = { stallAfterMs: 2 * 60_000, perState: {} };

let counter = 0;

export function item(spec: ItemSpec = {}): PlanItem {
  counter++;
  const agentId = spec.agentId ?? "main";
  const sessionId = spec.entry?.sessionId ?? `sess-${counter.toString().padStart(4, "0")}`;
  const sessionKey = spec.key ?? `agent:${agentId}:s${counter}`;
  const dir = `${AGENTS_ROOT}/${agentId}/sessions`;
  const transcriptPath = `${dir}/${sessionId}.jsonl`;
  const entry: IndexEntry = { sessionId, updatedAt: NOW - HOUR, ...spec.entry };
  const ev: Evidence = { agentId, sessionKey, entry, transcriptPath };
  if (spec.transcript !== null && spec.transcript !== undefined) {
    ev.transcript = { path: transcriptPath, size: 1000, mtimeMs: NOW - HOUR, openToolCalls: [], ...spec.transcript };
  }
  if (spec.trajectory !== null && spec.trajectory !== undefined) {
    const { run, ...rest } = spec.trajectory;
    ev.trajectory = {
      path: `${dir}/${sessionId}.trajectory.jsonl`,
      size: 5000,
      mtimeMs: NOW - HOUR,
      truncated: false,
      ...rest,
      ...(run ? { run: { openToolCalls: [], ...run } } : {}),
    };
  }
  if (spec.lock) ev.lock = { path: `${transcriptPath}.lock`, mtimeMs: NOW - HOUR, owner: "alive", pid: 4242, ...spec.lock };
  if (spec.gateway) ev.gateway = { alive: true, probe: "skipped", ...spec.gateway };
  // the heartbeat and facts come from the one health model
  const judged = planItem(ev, spec.now ?? NOW, spec.th ?? TH);
  return { ...judged, hb: { ...judged.hb, ...spec.hb } };
}
