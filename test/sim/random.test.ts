import { describe, expect, it } from "vitest";
import { Rng } from "../../src/sim/random.js";

describe("Rng", () => {
  it("repeats for a seed and differs across seeds", () => {
    const seq = (seed: number) => Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(seed)));
    expect(seq(3)).toEqual(seq(3));
    expect(seq(3)).not.toEqual(seq(4));
  });
  it("makes v4-shaped uuids and bounded ints", () => {
    const r = new Rng(9);
    for (let i = 0; i < 200; i++) {
      expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const n = r.int(3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
    }
    expect(r.hex(8)).toMatch(/^[0-9a-f]{8}$/);
  });
  it("draws weighted values in proportion to their weights, never a zero-weight one", () => {
    const r = new Rng(11);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 4_000; i++) counts[r.weighted([["a", 3], ["never", 0], ["b", 1]] as const)]++;
    expect(counts.never).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.5);
    expect(counts.a / counts.b).toBeLessThan(3.5);
  });
});
