// Small wording helpers shared by the rules, so every reason reads the same way.

import { formatDuration } from "../duration.js";

/** "42s ago" (or "in 3s" when a clock is ahead of `now`). */
export function ago(now: number, at: number): string {
  return at > now ? `in ${formatDuration(at - now)}` : `${formatDuration(now - at)} ago`;
}

/** Run ids are uuids: the first 8 characters are what a person compares. */
export function shortId(id: string | undefined): string {
  return id ? id.slice(0, 8) : "(no runId)";
}

/** The newest of some optional timestamps, or undefined when none is known. */
export function latest(...times: (number | undefined)[]): number | undefined {
  const known = times.filter((t): t is number => typeof t === "number" && Number.isFinite(t));
  return known.length > 0 ? Math.max(...known) : undefined;
}

/** "4 MiB", "64 KiB", "900 B": a size as a person reads it, to one decimal when not whole. */
export function formatBytes(n: number): string {
  const units: Array<[number, string]> = [[1024 * 1024, "MiB"], [1024, "KiB"]];
  for (const [size, unit] of units) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} B`;
}
