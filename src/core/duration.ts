// OpenClaw's duration syntax: units ms s m h d, composites like 1h30m, and a bare number in a
// default unit (days for pruneAfter, as OpenClaw reads it).
import { UsageError } from "./errors.js";

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

/** What formatDuration writes, wherever it appears in a text ("lock taken 11m38s ago"). */
const DURATION_TEXT = /\d+(?:ms|s|m\d{2}s|h\d{2}m|d\d+h)/g;

/** The text with every duration formatDuration wrote in it replaced by one mark: the wording without its ages. */
export function withoutDurations(text: string): string {
  return text.replace(DURATION_TEXT, "~");
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

/**
 * What a bare number means on a command-line flag, by the flag's kind, the same for every flag of
 * a kind: a PERIOD (how often, how long to run: --interval, demo --duration) counts seconds; an
 * AGE (a threshold on how long ago something happened: --stale-after, --stall-after, --active,
 * --activity-threshold, --refresh-after) counts minutes. --prune-after mirrors a config key that
 * OpenClaw reads in days: there a bare number is refused rather than guessed (see README).
 * Config keys are read in OpenClaw's own units, never through this.
 */
export const BARE_UNIT = { period: "s", age: "m" } as const;
export type DurationKind = keyof typeof BARE_UNIT | "unit-required";

const EXAMPLES: Record<DurationKind, string> = {
  period: "a duration like 60, 0.5, 90s or 2m (a bare number is seconds)",
  age: "a duration like 10, 90s, 10m or 1h30m (a bare number is minutes)",
  "unit-required": "a duration with a unit like 30d, 12h or 1h30m (a bare number is refused)",
};

export interface DurationFlagLimits {
  /** inclusive; default: longer than 0 */
  minMs?: number;
  maxMs?: number;
}

/** The one parser of every duration flag: OpenClaw's syntax, a bare number in the kind's unit; throws UsageError. */
export function parseDurationFlag(flag: string, text: unknown, kind: DurationKind, limits: DurationFlagLimits = {}): number {
  const raw = String(text).trim();
  const bare = /^\d+(\.\d+)?$/.test(raw);
  let ms = NaN;
  if (!(bare && kind === "unit-required")) {
    try {
      ms = parseDuration(raw, kind === "unit-required" ? "ms" : BARE_UNIT[kind]);
    } catch {
      ms = NaN;
    }
  }
  if (Number.isNaN(ms)) throw new UsageError(`${flag} must be ${EXAMPLES[kind]} (got "${text}")`);
  const { minMs, maxMs } = limits;
  if (minMs !== undefined && ms < minMs) throw new UsageError(`${flag} must be at least ${formatDuration(minMs)} (got "${text}")`);
  if (minMs === undefined && !(ms > 0)) throw new UsageError(`${flag} must be longer than 0 (got "${text}")`);
  if (maxMs !== undefined && ms > maxMs) throw new UsageError(`${flag} must be at most ${formatDuration(maxMs)} (got "${text}")`);
  return ms;
}
