// Ranking, sorting and filtering of heartbeats for `status`, `watch` and `serve`. Problems always
// come first (unresponsive, then stalled), whatever the chosen sort: they are what an operator
// opens the tool for.

import { CliError, EXIT } from "./errors.js";
import type { Health, Heartbeat, SessionState } from "./types.js";

export const SORT_FIELDS = ["activity", "elapsed", "session", "agent", "state", "health", "model"] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortDir = "asc" | "desc";
export interface SortSpec {
  field: SortField;
  dir: SortDir;
}

export const DEFAULT_SORT: SortSpec = { field: "activity", dir: "desc" };

/** Newest first and longest first read naturally; names and enums read A to Z / busiest first. */
const DEFAULT_DIR: Record<SortField, SortDir> = {
  activity: "desc",
  elapsed: "desc",
  session: "asc",
  agent: "asc",
  state: "asc",
  health: "asc",
  model: "asc",
};

const HEALTH_ORDER: readonly Health[] = ["unresponsive", "stalled", "active", "waiting", "idle"];
const STATE_ORDER: readonly SessionState[] = ["tool_exec", "tool_wait", "streaming", "awaiting_model", "complete", "idle"];

/** 0 unresponsive, 1 stalled, 2 everything else. */
export function problemRank(hb: Heartbeat): number {
  return hb.health === "unresponsive" ? 0 : hb.health === "stalled" ? 1 : 2;
}

export function isProblem(hb: Heartbeat): boolean {
  return problemRank(hb) < 2;
}

/** "activity", "activity:desc", "model:asc". */
export function parseSort(text: string): SortSpec {
  const [field, dir, ...extra] = text.trim().toLowerCase().split(":");
  if (!(SORT_FIELDS as readonly string[]).includes(field)) {
    throw usage(`--sort ${text}: unknown field "${field}" (use one of ${SORT_FIELDS.join(", ")}, optionally :asc or :desc)`);
  }
  if (extra.length > 0) throw usage(`--sort ${text}: one field and at most one direction (e.g. ${field}:desc)`);
  if (dir !== undefined && dir !== "asc" && dir !== "desc") {
    throw usage(`--sort ${text}: direction must be asc or desc, not "${dir}"`);
  }
  return { field: field as SortField, dir: (dir as SortDir | undefined) ?? DEFAULT_DIR[field as SortField] };
}

type Key = number | string | undefined;

/** The value a field sorts by, ascending. Elapsed sorts by turn start: the oldest start ran longest. */
function sortKey(hb: Heartbeat, field: SortField): Key {
  switch (field) {
    case "activity":
      return hb.lastActivityAt;
    case "elapsed":
      return hb.startedAt === undefined ? undefined : -hb.startedAt;
    case "session":
      // the name the SESSION column shows (the label, else the key), so the sorted list reads sorted
      return hb.label?.trim() || hb.sessionKey;
    case "agent":
      return hb.agentId;
    case "state":
      return STATE_ORDER.indexOf(hb.state);
    case "health":
      return HEALTH_ORDER.indexOf(hb.health);
    case "model":
      return hb.model;
  }
}

/** Missing values go last in either direction: an unknown is never "the newest". */
function compareKeys(a: Key, b: Key, dir: SortDir): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const order = typeof a === "number" && typeof b === "number" ? a - b : compareText(String(a), String(b));
  return dir === "asc" ? order : -order;
}

function byIdentity(a: Heartbeat, b: Heartbeat): number {
  return compare(a.sessionKey, b.sessionKey) || compare(a.agentId, b.agentId) || compare(a.sessionId, b.sessionId);
}

/** Code-point order: the same on every machine, whatever the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return compare(a.toLowerCase(), b.toLowerCase()) || compare(a, b);
}

/** The order sortHeartbeats sorts by (serve keeps its list in it as sessions change, one at a time). */
export function compareHeartbeats(a: Heartbeat, b: Heartbeat, spec: SortSpec = DEFAULT_SORT): number {
  return problemRank(a) - problemRank(b) || compareKeys(sortKey(a, spec.field), sortKey(b, spec.field), spec.dir) || byIdentity(a, b);
}

export function sortHeartbeats(list: readonly Heartbeat[], spec: SortSpec = DEFAULT_SORT): Heartbeat[] {
  return [...list].sort((a, b) => compareHeartbeats(a, b, spec));
}

export interface HeartbeatFilter {
  /** only unresponsive and stalled sessions */
  problemsOnly?: boolean;
  /** only sessions with a run in progress or activity within this window before `now` */
  activeWithinMs?: number;
  now: number;
  /** case-insensitive substring of key, agent, id, label, model, tool, state, health, status or drift */
  text?: string;
}

export function filterHeartbeats(list: readonly Heartbeat[], filter: HeartbeatFilter): Heartbeat[] {
  const needle = filter.text?.trim().toLowerCase();
  return list.filter(
    (hb) =>
      (!filter.problemsOnly || isProblem(hb)) &&
      (filter.activeWithinMs === undefined || activeWithin(hb, filter.activeWithinMs, filter.now)) &&
      (!needle || searchText(hb).includes(needle)),
  );
}

/**
 * Whether `b` sorts and filters exactly as `a` does, so that putting `b` in `a`'s place leaves a
 * sorted, filtered list as it is (the live view skips re-arranging an update made only of these).
 */
export function arrangesAlike(a: Heartbeat, b: Heartbeat, spec: SortSpec, filter: HeartbeatFilter): boolean {
  return compareHeartbeats(a, b, spec) === 0 && filterHeartbeats([a], filter).length === filterHeartbeats([b], filter).length;
}

/** A run in progress is active now, however long ago its files last changed. */
function activeWithin(hb: Heartbeat, windowMs: number, now: number): boolean {
  if (hb.health !== "idle") return true;
  return hb.lastActivityAt !== undefined && now - hb.lastActivityAt <= windowMs;
}

function searchText(hb: Heartbeat): string {
  const fields = [hb.sessionKey, hb.agentId, hb.sessionId, hb.label, hb.model, hb.toolName, hb.state, hb.health, hb.storeStatus, hb.drift];
  return fields.filter((f) => f !== undefined).join("\n").toLowerCase();
}

function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}
