// One session's --json form, shared by status, watch's NDJSON and serve. Loads no terminal code
// (chalk, the table): `status --json` needs none of it.
import type { Heartbeat, ModelSource, Outcome } from "../core/types.js";
import { isTurnInProgress } from "./format.js";

/** One session in --json output: every field present (null when unknown), times in epoch ms. */
export interface HeartbeatJson {
  sessionKey: string;
  agentId: string;
  sessionId: string;
  label: string | null;
  health: Heartbeat["health"];
  state: Heartbeat["state"];
  turnId: string | null;
  model: string | null;
  /** run | override | agent-config | default-config; null when the model is unknown */
  modelSource: ModelSource | null;
  toolName: string | null;
  startedAt: number | null;
  /** ms the current turn has run; null when no turn is in progress */
  turnElapsedMs: number | null;
  lastActivityAt: number | null;
  lastTokenAt: number | null;
  updatedAt: number;
  storeStatus: string | null;
  drift: string | null;
  /** how the last run ended (done, failed, timeout, killed, lost); null while a run is in progress or nothing is known */
  outcome: Outcome | null;
  outcomeReason: string | null;
  reasons: string[];
  /** the store's era; null when the reader did not say */
  era: NonNullable<Heartbeat["era"]> | null;
  /** which evidence set this verdict: files (eras A/B), db (era C), gateway (the live overlay) */
  source: NonNullable<Heartbeat["source"]>;
}

export function heartbeatJson(hb: Heartbeat, now: number): HeartbeatJson {
  return {
    sessionKey: hb.sessionKey,
    agentId: hb.agentId,
    sessionId: hb.sessionId,
    label: hb.label ?? null,
    health: hb.health,
    state: hb.state,
    turnId: hb.turnId ?? null,
    model: hb.model ?? null,
    modelSource: hb.modelSource ?? null,
    toolName: hb.toolName ?? null,
    startedAt: hb.startedAt ?? null,
    turnElapsedMs: isTurnInProgress(hb.state) && hb.startedAt !== undefined ? Math.max(0, now - hb.startedAt) : null,
    lastActivityAt: hb.lastActivityAt ?? null,
    lastTokenAt: hb.lastTokenAt ?? null,
    updatedAt: hb.updatedAt,
    storeStatus: hb.storeStatus ?? null,
    drift: hb.drift ?? null,
    outcome: hb.outcome ?? null,
    outcomeReason: hb.outcomeReason ?? null,
    reasons: [...hb.reasons],
    era: hb.era ?? null,
    source: hb.source ?? (hb.era === "C" ? "db" : "files"),
  };
}
