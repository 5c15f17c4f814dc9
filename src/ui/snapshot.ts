// What `watch` prints when stdout or stdin is not a terminal: a plain table per interval, or one
// NDJSON document per interval with --json. Both are pure strings; the command writes them.
import { Chalk } from "chalk";
import type { Heartbeat } from "../core/types.js";
import { heartbeatJson, type HeartbeatJson } from "./heartbeat-json.js";
import { jsonLine, MappedItems } from "./json-chunks.js";
import { statusTableLines } from "./status-table.js";

export { heartbeatJson, type HeartbeatJson } from "./heartbeat-json.js";
export { jsonChunks, jsonLine, Later, MappedItems, StreamedItems } from "./json-chunks.js";

export const SNAPSHOT_SCHEMA_VERSION = 1;

export interface SnapshotDocument {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  generatedAt: number;
  sessions: HeartbeatJson[];
}

export function snapshotDocument(list: readonly Heartbeat[], now: number): SnapshotDocument {
  return { schemaVersion: SNAPSHOT_SCHEMA_VERSION, generatedAt: now, sessions: list.map((hb) => heartbeatJson(hb, now)) };
}

/** One NDJSON line (with its newline): a stream of these is one document per interval. */
export function ndjsonSnapshot(list: readonly Heartbeat[], now: number): string {
  return `${JSON.stringify(snapshotDocument(list, now))}\n`;
}

/** ndjsonSnapshot in pieces (see jsonChunks): the same line, never held whole. */
export function ndjsonSnapshotChunks(list: readonly Heartbeat[], now: number): Generator<string, void, void> {
  return jsonLine({ schemaVersion: SNAPSHOT_SCHEMA_VERSION, generatedAt: now, sessions: new MappedItems(list, (hb) => heartbeatJson(hb, now)) }, 0);
}

const NO_COLOR = new Chalk({ level: 0 });

/** A timestamped, colourless table: readable in a log file, diffable between intervals. */
export function plainSnapshot(list: readonly Heartbeat[], now: number, opts: { columns?: number; unread?: number } = {}): string {
  return [...plainSnapshotChunks(list, now, opts)].join("");
}

/** plainSnapshot in pieces (a line each), never held whole. */
export function plainSnapshotChunks(list: readonly Heartbeat[], now: number, opts: { columns?: number; unread?: number } = {}): Generator<string, void, void> {
  return textLines([`# ${new Date(now).toISOString()}`, statusTableLines(list, now, { columns: opts.columns, unread: opts.unread, chalk: NO_COLOR })]);
}

/** Lines (and iterables of lines) as text, each line ended by a newline, in pieces. */
export function* textLines(parts: Iterable<string | Iterable<string>>): Generator<string, void, void> {
  for (const part of parts) {
    if (typeof part === "string") yield `${part}\n`;
    else for (const line of part) yield `${line}\n`;
  }
}
