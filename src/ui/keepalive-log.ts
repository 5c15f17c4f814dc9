// The keepalive loop's log: one line per tick (plus one when it starts and one when it stops),
// human-readable or NDJSON (`--json`, schemaVersion 1, epoch ms, durations in ms). A line says
// when, how many sessions were seen, which were touched and how many were skipped and why.

import { formatDuration } from "../core/duration.js";
import { keyList } from "./format.js";

export const KEEPALIVE_SCHEMA_VERSION = 1;

export interface TouchedSession {
  agentId: string;
  sessionKey: string;
  sessionId: string;
  /** fields set to the tick's time */
  fields: string[];
  reasons: string[];
}

/** What happened to one store in one tick. */
export type StoreOutcome =
  | "unchanged" // read and planned: nothing to touch, nothing written (`error`: this loop cannot write it when a touch comes due)
  | "written" // touched sessions written through the writer
  | "planned" // --dry-run: touches planned, nothing written
  | "unreadable" // missing or corrupt index: skipped, nothing written
  | "conflict" // the write lost a race with OpenClaw (its lock held, kept changing, overwritten): backing off
  | "backoff" // still backing off after a conflict: not read
  | "locked" // another openclaw-sessions process holds this store (a keepalive's pid file, or our writer lock: then backing off)
  | "refused" // the writer refused (a safety rule or an I/O error): nothing written
  | "abandoned"; // a stop signal came before this store's write

export interface StoreTick {
  agentId: string;
  storePath: string;
  outcome: StoreOutcome;
  /** the clock this store was planned with: every touch in it set this time (absent when not read) */
  at?: number;
  seen: number;
  touched: number;
  /** touches the writer did not apply, and why (the entry changed after planning) */
  notApplied: { sessionKey: string; why: string }[];
  /** touches an era B gateway wrote over right after us */
  overwritten: string[];
  error?: string;
  retryInMs?: number;
}

export interface TickRecord {
  type: "tick";
  tick: number;
  /** the tick's clock (epoch ms): every touch sets this time */
  at: number;
  durationMs: number;
  dryRun: boolean;
  seen: number;
  touched: TouchedSession[];
  /** skipped sessions by reason */
  skipped: Record<string, number>;
  /** index files rewritten in this tick */
  writes: number;
  stores: StoreTick[];
  /** problems of the whole tick (state dir, config) and warnings of the read */
  warnings: string[];
}

export interface StartRecord {
  type: "start";
  at: number;
  pid: number;
  intervalMs: number;
  activityThresholdMs: number;
  freshWithinMs?: number;
  fields: string[];
  dryRun: boolean;
  once: boolean;
  /** the stores whose loop lock we hold */
  stores: string[];
  warnings: string[];
}

export interface StopRecord {
  type: "stop";
  at: number;
  ticks: number;
  writes: number;
  signal?: string;
}

export type LogRecord = StartRecord | TickRecord | StopRecord;

/** The planner's and the writer's reasons, grouped into a few words for counting. */
export function skipCategory(why: string): string {
  if (/^unresponsive\b/.test(why)) return "unresponsive";
  if (/^finalized\b/.test(why)) return "finalized";
  if (/^idle\b/.test(why)) return "idle";
  if (/^already fresh\b/.test(why)) return "fresh";
  if (/^nothing to write\b/.test(why)) return "nothing to write";
  if (/^cleanup would finalize\b/.test(why)) return "to finalize";
  if (/^OpenClaw's recovery\b/.test(why)) return "recovering";
  if (/^lost\b/.test(why)) return "lost";
  return "other";
}

export function countSkips(whys: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const why of whys) {
    const c = skipCategory(why);
    out[c] = (out[c] ?? 0) + 1;
  }
  return out;
}

export function jsonLine(rec: LogRecord): string {
  return JSON.stringify({ schemaVersion: KEEPALIVE_SCHEMA_VERSION, ...rec });
}

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

function skipText(skipped: Record<string, number>): string {
  const parts = Object.entries(skipped)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([why, n]) => `${why} ${n}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function storeText(s: StoreTick): string | undefined {
  const retry = s.retryInMs !== undefined ? `, retry in ${formatDuration(s.retryInMs)}` : "";
  const err = s.error ? `: ${s.error}` : "";
  const lost = s.notApplied.length ? ` not applied ${keyList(s.notApplied.map((n) => `${n.sessionKey} (${n.why})`))};` : "";
  const over = s.overwritten.length ? ` overwritten by the gateway ${keyList(s.overwritten)};` : "";
  switch (s.outcome) {
    case "unchanged":
      // read, nothing due, but this loop could not take the store's lock: said every tick
      if (s.error) return `${s.agentId} not writable${err}`;
      return lost || over ? `${s.agentId}:${lost}${over}`.replace(/;$/, "") : undefined;
    case "written":
    case "planned":
      return lost || over ? `${s.agentId}:${lost}${over}`.replace(/;$/, "") : undefined;
    case "unreadable":
      return `${s.agentId} skipped${err}`;
    case "conflict":
      return `${s.agentId} conflict${err}${retry}`.trim();
    case "backoff":
      return `${s.agentId} backing off${retry}`;
    case "locked":
      return `${s.agentId} skipped${err}${retry}`;
    case "refused":
      return `${s.agentId} not written${err}`;
    case "abandoned":
      return `${s.agentId} not written: stopping`;
  }
}

export function formatHuman(rec: LogRecord): string {
  if (rec.type === "start") {
    const window = rec.freshWithinMs !== undefined ? `, refresh after ${formatDuration(rec.freshWithinMs)}` : "";
    const stores = rec.stores.length ? `, holding ${rec.stores.join(", ")}` : "";
    const mode = rec.dryRun ? " (dry run: nothing is written)" : "";
    const warn = rec.warnings.map((w) => `; warning: ${w}`).join("");
    return `${iso(rec.at)} keepalive started: pid ${rec.pid}, every ${formatDuration(rec.intervalMs)}, activity within ${formatDuration(rec.activityThresholdMs)}${window}, fields ${rec.fields.join(",")}${stores}${mode}${warn}`;
  }
  if (rec.type === "stop") {
    const why = rec.signal ? ` on ${rec.signal}` : "";
    return `${iso(rec.at)} keepalive stopped${why} after ${rec.ticks} tick${rec.ticks === 1 ? "" : "s"}, ${rec.writes} write${rec.writes === 1 ? "" : "s"}`;
  }
  const verb = rec.dryRun ? "would touch" : "touched";
  const keys = rec.touched.length ? ` (${keyList(rec.touched.map((t) => t.sessionKey))})` : "";
  const skippedCount = Object.values(rec.skipped).reduce((a, b) => a + b, 0);
  const write = rec.dryRun ? "" : rec.writes === 0 ? ", no write" : `, ${rec.writes} write${rec.writes === 1 ? "" : "s"}`;
  const extra = [...rec.stores.map(storeText).filter((t): t is string => !!t), ...rec.warnings.map((w) => `warning: ${w}`)];
  const tail = extra.length ? `; ${extra.join("; ")}` : "";
  return `${iso(rec.at)} tick ${rec.tick}: ${rec.seen} session${rec.seen === 1 ? "" : "s"} seen, ${verb} ${rec.touched.length}${keys}, skipped ${skippedCount}${skipText(rec.skipped)}${write}${tail}`;
}

export function formatLine(rec: LogRecord, json: boolean): string {
  return json ? jsonLine(rec) : formatHuman(rec);
}
