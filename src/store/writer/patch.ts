// Key-level patches on the raw parsed index: unknown fields and key order stay as they were
// (a field that exists keeps its position, a new one is appended). Each patch is re-checked
// against what it was planned on; one that no longer holds is skipped, never forced.
import type { EntryPatch } from "../../core/types.js";
import type { AppliedChange } from "./types.js";

export interface PatchOutcome {
  applied: AppliedChange[];
  skipped: { sessionKey: string; why: string }[];
  removals: number;
}

const REQUIRED = new Set(["sessionId", "updatedAt"]);

/** The writer's reasons for skipping a change because the index changed since it was planned on. */
export const INDEX_CHANGED = {
  gone: "entry no longer exists",
  notObject: "entry is not an object",
  changed: "changed since planned",
  noFile: "the index file does not exist",
} as const;

/** A skip another run planned on the index as it is now would not have: running again helps. */
export function indexChangedSincePlanned(why: string): boolean {
  return Object.values(INDEX_CHANGED).some((w) => why === w || why.startsWith(`${w}:`));
}

/** Mutates `index`. Expectations are checked against the index as read, before any patch. */
export function recheckAndApply(index: Record<string, unknown>, patches: EntryPatch[]): PatchOutcome {
  // snapshot the identity fields: an earlier patch may change the same (shared) entry object
  const asRead = new Map<string, ReadIdentity | undefined>();
  for (const p of patches) if (!asRead.has(p.sessionKey)) asRead.set(p.sessionKey, identityOf(index[p.sessionKey]));
  const out: PatchOutcome = { applied: [], skipped: [], removals: 0 };
  for (const patch of patches) {
    const why = whyNot(patch, asRead.get(patch.sessionKey), index);
    if (why) {
      out.skipped.push({ sessionKey: patch.sessionKey, why });
      continue;
    }
    const entry = index[patch.sessionKey] as Record<string, unknown>;
    if (patch.remove) {
      delete index[patch.sessionKey];
      out.removals++;
      out.applied.push(change(patch, {}, [], {}, true));
      continue;
    }
    const set: Record<string, unknown> = {};
    const unset: string[] = [];
    const previous: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(patch.set ?? {})) {
      if (Object.prototype.hasOwnProperty.call(entry, field)) previous[field] = entry[field];
      if (value === undefined) {
        delete entry[field];
        unset.push(field);
      } else {
        entry[field] = value;
        set[field] = value;
      }
    }
    out.applied.push(change(patch, set, unset, previous, false));
  }
  return out;
}

interface ReadIdentity {
  isObject: boolean;
  sessionId?: unknown;
  updatedAt?: unknown;
}

function identityOf(entry: unknown): ReadIdentity | undefined {
  if (entry === undefined) return undefined;
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return { isObject: false };
  const e = entry as Record<string, unknown>;
  return { isObject: true, sessionId: e.sessionId, updatedAt: e.updatedAt };
}

function whyNot(patch: EntryPatch, entry: ReadIdentity | undefined, index: Record<string, unknown>): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(index, patch.sessionKey)) {
    return entry === undefined ? INDEX_CHANGED.gone : "removed by an earlier change of the same plan";
  }
  if (!entry?.isObject) return INDEX_CHANGED.notObject;
  if (entry.sessionId !== patch.expect.sessionId) {
    return `${INDEX_CHANGED.changed}: sessionId is ${String(entry.sessionId)}, planned on ${patch.expect.sessionId}`;
  }
  if (entry.updatedAt !== patch.expect.updatedAt) {
    return `${INDEX_CHANGED.changed}: updatedAt is ${String(entry.updatedAt)}, planned on ${patch.expect.updatedAt}`;
  }
  if (!patch.remove) return invalidSet(patch.set ?? {});
  return undefined;
}

function invalidSet(set: Record<string, unknown>): string | undefined {
  for (const [field, value] of Object.entries(set)) {
    if (field === "__proto__") return "invalid change: field name __proto__";
    if (REQUIRED.has(field) && value === undefined) return `invalid change: would delete the required field ${field}`;
    if (field === "sessionId" && typeof value !== "string") return "invalid change: sessionId must be a string";
    if (field === "updatedAt" && !(typeof value === "number" && Number.isFinite(value))) {
      return "invalid change: updatedAt must be a finite number";
    }
    if (value !== undefined && !jsonSafe(value)) return `invalid change: ${field} is not plain JSON`;
  }
  return undefined;
}

function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    return (proto === Object.prototype || proto === null) && Object.values(value as object).every(jsonSafe);
  }
  return false;
}

function change(
  patch: EntryPatch,
  set: Record<string, unknown>,
  unset: string[],
  previous: Record<string, unknown>,
  removed: boolean,
): AppliedChange {
  return {
    sessionKey: patch.sessionKey,
    sessionId: patch.expect.sessionId,
    action: patch.action,
    set,
    unset,
    previous,
    removed,
    ...(removed && patch.archives ? { archives: patch.archives } : {}),
    reasons: patch.reasons,
  };
}
