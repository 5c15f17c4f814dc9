import { describe, expect, it } from "vitest";
import { growth, median, slopeRatio } from "../../bench/stats.js";

describe("median", () => {
  it("takes the middle of an odd count and the mean of the two middles of an even count", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("growth", () => {
  it("gives the factor and the marginal microseconds per session between consecutive sizes", () => {
    const g = growth([
      { n: 10_000, ms: 1_000 },
      { n: 1_000, ms: 100 },
    ]);
    expect(g).toEqual([{ from: 1_000, to: 10_000, factor: 10, usPerSession: 100 }]);
  });
});

describe("slopeRatio", () => {
  it("is 1 for startup + a constant cost per session, though t(10k)/t(1k) is below 10", () => {
    const t = (n: number) => 80 + 0.1 * n;
    const ps = [1_000, 10_000, 50_000].map((n) => ({ n, ms: t(n) }));
    expect(growth(ps)[0]!.factor).toBeLessThan(10);
    expect(slopeRatio(ps)).toBeCloseTo(1, 10);
  });

  it("grows when the cost per session grows with N (quadratic work)", () => {
    const ps = [1_000, 10_000, 50_000].map((n) => ({ n, ms: 80 + 1e-5 * n * n }));
    expect(slopeRatio(ps)!).toBeGreaterThan(3);
  });

  it("needs three sizes", () => {
    expect(slopeRatio([{ n: 1, ms: 1 }, { n: 2, ms: 2 }])).toBeUndefined();
  });
});
