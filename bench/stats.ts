// Numbers the report quotes: medians, growth between sizes, and whether growth is linear.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Point {
  n: number;
  ms: number;
}

export interface Growth {
  from: number;
  to: number;
  /** t(to) / t(from) */
  factor: number;
  /** the marginal cost per session between the two sizes, microseconds */
  usPerSession: number;
}

/** Growth between consecutive sizes (points sorted by n). */
export function growth(points: readonly Point[]): Growth[] {
  const ps = [...points].sort((a, b) => a.n - b.n);
  const out: Growth[] = [];
  for (let i = 1; i < ps.length; i++) {
    const a = ps[i - 1]!;
    const b = ps[i]!;
    out.push({ from: a.n, to: b.n, factor: b.ms / a.ms, usPerSession: ((b.ms - a.ms) * 1000) / (b.n - a.n) });
  }
  return out;
}

/**
 * Whole-process time is startup + N x per-session cost, so t(10k)/t(1k) is below 10 even when
 * the work is linear. Linear means the MARGINAL cost per session does not grow with N: the last
 * interval's slope within `tolerance` times the first's. undefined with fewer than three sizes.
 */
export const LINEAR_TOLERANCE = 1.5;

export function slopeRatio(points: readonly Point[]): number | undefined {
  const g = growth(points);
  if (g.length < 2) return undefined;
  const first = g[0]!.usPerSession;
  const last = g[g.length - 1]!.usPerSession;
  return first > 0 ? last / first : undefined;
}
