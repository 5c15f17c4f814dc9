// What `openclaw sessions cleanup --enforce` itself would remove from one store, reproduced from
// upstream (store-maintenance.ts: pruneStaleEntries, then capEntryCount): `updatedAt` only,
// `status` ignored. Kept beside our own plan so README and tests can show where they differ:
// OpenClaw evicts a `running` row by age, and under the cap drops the oldest rows even when live.

import type { IndexEntry } from "../types.js";
import { isProtectedEntry } from "./protect.js";

export interface OpenClawPrunePolicy {
  pruneAfterMs: number;
  maxEntries: number;
}

export interface OpenClawPruneResult {
  /** removed by age (updatedAt older than pruneAfter) */
  pruned: string[];
  /** removed by the maxEntries cap, oldest first */
  capped: string[];
  /** what would remain, in index order */
  kept: string[];
}

function updatedAtOf(entry: IndexEntry | undefined): number {
  const v = entry?.updatedAt;
  return typeof v === "number" && Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
}

export function openclawPrunePlan(
  entries: Readonly<Record<string, IndexEntry>>,
  policy: OpenClawPrunePolicy,
  now: number,
  activeKeys: readonly string[] = [],
): OpenClawPruneResult {
  const preserve = new Set(activeKeys);
  const preserved = (key: string) => preserve.has(key) || isProtectedEntry(key, entries[key]);
  const cutoff = now - policy.pruneAfterMs;

  const pruned: string[] = [];
  const remaining: string[] = [];
  for (const key of Object.keys(entries)) {
    const updatedAt = entries[key]?.updatedAt;
    // entries without updatedAt are kept: upstream cannot tell their age
    if (!preserved(key) && typeof updatedAt === "number" && updatedAt < cutoff) pruned.push(key);
    else remaining.push(key);
  }

  const preservedCount = remaining.filter(preserved).length;
  const maxRemovable = Math.max(0, policy.maxEntries - preservedCount);
  const removable = remaining.filter((k) => !preserved(k));
  let capped: string[] = [];
  if (removable.length > maxRemovable) {
    // newest first (stable for ties, like Array#toSorted); everything past the first N goes
    const sorted = [...removable].sort((a, b) => updatedAtOf(entries[b]) - updatedAtOf(entries[a]));
    capped = sorted.slice(maxRemovable).reverse();
  }
  const cappedSet = new Set(capped);
  return { pruned, capped, kept: remaining.filter((k) => !cappedSet.has(k)) };
}
