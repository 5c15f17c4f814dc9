// Builders for hand-made Evidence on a fixed clock. Every field a test does not set is absent,
// as the store reader would leave it.

import type {
  Evidence,
  GatewayInfo,
  IndexEntry,
  LockInfo,
  OwnerState,
  Thresholds,
  ToolCallRef,
  TrajectoryRun,
  TrajectoryTail,
  TranscriptTail,
} from "../../../src/core/types.js";

export const NOW = Date.parse("2026-11-21T21:00:00.000Z");
export const TH: Thresholds = { stallAfterMs: 120_000, perState: {} };

/** `s` seconds before NOW */
export const ago = (s: number): number => NOW - s * 1000;

export function entry(fields: Partial<IndexEntry> = {}): IndexEntry {
  return { sessionId: "sess-1", updatedAt: ago(3600), ...fields };
}

export function transcript(fields: Partial<TranscriptTail> = {}): TranscriptTail {
  return { path: "/agents/main/sessions/sess-1.jsonl", size: 1000, mtimeMs: NOW, openToolCalls: [], ...fields };
}

export function run(fields: Partial<TrajectoryRun> = {}): TrajectoryRun {
  return { runId: "run-aaaa-1111", openToolCalls: [], modelId: "gpt-x", ...fields };
}

export function trajectory(r: TrajectoryRun | undefined, fields: Partial<TrajectoryTail> = {}): TrajectoryTail {
  return {
    path: "/agents/main/sessions/sess-1.trajectory.jsonl",
    size: 5000,
    mtimeMs: NOW,
    run: r,
    lastEventAt: r?.lastEventAt,
    truncated: false,
    ...fields,
  };
}

export function lock(owner: OwnerState, createdAt: number | undefined, fields: Partial<LockInfo> = {}): LockInfo {
  return { path: "/agents/main/sessions/sess-1.jsonl.lock", pid: 4242, createdAt, mtimeMs: createdAt ?? NOW, owner, ...fields };
}

export function gateway(alive: boolean, startedAt: number, fields: Partial<GatewayInfo> = {}): GatewayInfo {
  return { pid: 777, startedAt, alive, probe: "skipped", ...fields };
}

export function toolCall(name: string, since: number, id = `call_${name}`): ToolCallRef {
  return { id, name, since };
}

export function evidence(fields: Partial<Evidence> = {}): Evidence {
  return {
    agentId: "main",
    sessionKey: "agent:main:test",
    entry: entry(),
    transcriptPath: "/agents/main/sessions/sess-1.jsonl",
    ...fields,
  };
}
