// OpenClaw's duration syntax: units ms s m h d, composites like 1h30m, and a bare number in a
// default unit (days for pruneAfter, as OpenClaw reads it).

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(input: string | number, bareUnit: keyof typeof UNIT_MS = "ms"): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) throw new RangeError(`invalid duration: ${input}`);
    return input * UNIT_MS[bareUnit];
  }
  const text = input.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * UNIT_MS[bareUnit]);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = part.exec(text); m; m = part.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    matched = part.lastIndex;
  }
  if (text.length === 0 || matched !== text.length) {
    throw new RangeError(`invalid duration "${input}" (use e.g. 90s, 10m, 1h30m, 30d)`);
  }
  return Math.round(total);
}

/** Compact human form: 850ms, 42s, 3m05s, 2h14m, 3d4h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  const neg = ms < 0 ? "-" : "";
  ms = Math.abs(ms);
  if (ms < 1_000) return `${neg}${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${neg}${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${neg}${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${neg}${h}h${String(m % 60).padStart(2, "0")}m`;
  const d = Math.floor(h / 24);
  return `${neg}${d}d${h % 24}h`;
}
