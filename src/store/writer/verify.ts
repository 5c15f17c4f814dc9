// The survival check. An era B gateway shares no lock and may write back an older copy of the
// index it holds in memory; after a short delay we look whether our changes are still there.
import { isDeepStrictEqual } from "node:util";
import type { AppliedChange } from "./types.js";

type Index = Record<string, unknown>;

function entryOf(index: Index, key: string): Record<string, unknown> | undefined {
  const raw = Object.prototype.hasOwnProperty.call(index, key) ? index[key] : undefined;
  return raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
}

/**
 * Keys whose change is gone although the same session is still there with an updatedAt no
 * newer than the one we left: an older copy was written over ours. A newer updatedAt means a
 * later, legitimate update (a new run), and a vanished or replaced session is not ours to
 * report; neither counts as overwritten. `written` is the index exactly as we wrote it.
 */
export function findOverwritten(current: Index, written: Index, applied: AppliedChange[]): string[] {
  const out = new Set<string>();
  for (const change of applied) {
    const now = entryOf(current, change.sessionKey);
    if (change.removed) {
      if (now?.sessionId === change.sessionId) out.add(change.sessionKey);
      continue;
    }
    const ours = entryOf(written, change.sessionKey);
    if (!ours || !now || now.sessionId !== ours.sessionId) continue;
    // a finalize may move updatedAt BACKWARDS (updatedAt = endedAt): an older copy then carries a
    // newer updatedAt than ours, so "later" means newer than both what we read and what we wrote
    const previous = change.previous.updatedAt;
    const floor = typeof previous === "number" && typeof ours.updatedAt === "number" ? Math.max(previous, ours.updatedAt) : ours.updatedAt;
    if (typeof now.updatedAt === "number" && typeof floor === "number" && now.updatedAt > floor) continue;
    // compare with what we left, not with change.set: a later patch of the same plan may have
    // changed the same field again
    const fields = [...Object.keys(change.set), ...change.unset];
    if (!fields.every((f) => isDeepStrictEqual(now[f], ours[f]))) out.add(change.sessionKey);
  }
  return [...out];
}
