// What `watch` prints when stdout or stdin is not a terminal: a plain table per interval, or one
// NDJSON document per interval with --json. Both are pure strings; the command writes them.
import { Chalk } from "chalk";
import type { Heartbeat } from "../core/types.js";
import { isTurnInProgress } from "./format.js";
import { renderStatusTable } from "./status-table.js";

export const SNAPSHOT_SCHEMA_VERSION = 1;

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
  toolName: string | null;
  startedAt: number | null;
  /** ms the current turn has run; null when no turn is in progress */
  turnElapsedMs: number | null;
  lastActivityAt: number | null;
  lastTokenAt: number | null;
  updatedAt: number;
  storeStatus: string | null;
  drift: string | null;
  reasons: string[];
}

export interface SnapshotDocument {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  generatedAt: number;
  sessions: HeartbeatJson[];
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
    toolName: hb.toolName ?? null,
    startedAt: hb.startedAt ?? null,
    turnElapsedMs: isTurnInProgress(hb.state) && hb.startedAt !== undefined ? Math.max(0, now - hb.startedAt) : null,
    lastActivityAt: hb.lastActivityAt ?? null,
    lastTokenAt: hb.lastTokenAt ?? null,
    updatedAt: hb.updatedAt,
    storeStatus: hb.storeStatus ?? null,
    drift: hb.drift ?? null,
    reasons: [...hb.reasons],
  };
}

export function snapshotDocument(list: readonly Heartbeat[], now: number): SnapshotDocument {
  return { schemaVersion: SNAPSHOT_SCHEMA_VERSION, generatedAt: now, sessions: list.map((hb) => heartbeatJson(hb, now)) };
}

/** One NDJSON line (with its newline): a stream of these is one document per interval. */
export function ndjsonSnapshot(list: readonly Heartbeat[], now: number): string {
  return `${JSON.stringify(snapshotDocument(list, now))}\n`;
}

const NO_COLOR = new Chalk({ level: 0 });

/** A timestamped, colourless table: readable in a log file, diffable between intervals. */
export function plainSnapshot(list: readonly Heartbeat[], now: number, opts: { columns?: number } = {}): string {
  return `# ${new Date(now).toISOString()}\n${renderStatusTable(list, now, { columns: opts.columns, chalk: NO_COLOR })}\n`;
}
