import { describe, expect, it } from "vitest";
import { afterConflict, backoffDelayMs, waitLeftMs } from "../../src/core/backoff.js";

const policy = { baseMs: 1_000, maxMs: 8_000 };

describe("backoff", () => {
  it("doubles from the base per conflict in a row, up to the cap (random 0.5 = no jitter)", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, 0.5))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it("jitter spreads +-25 %", () => {
    expect(backoffDelayMs(2, policy, 0)).toBe(1_500);
    expect(backoffDelayMs(2, policy, 0.999999)).toBe(2_500);
  });

  it("a cap below the base means the base", () => {
    expect(backoffDelayMs(5, { baseMs: 2_000, maxMs: 10 }, 0.5)).toBe(2_000);
  });

  it("tracks conflicts in a row and the time left", () => {
    const a = afterConflict(undefined, 10_000, policy, 0.5);
    expect(a).toEqual({ failures: 1, notBefore: 11_000 });
    const b = afterConflict(a, 11_000, policy, 0.5);
    expect(b).toEqual({ failures: 2, notBefore: 13_000 });
    expect(waitLeftMs(b, 12_000)).toBe(1_000);
    expect(waitLeftMs(b, 14_000)).toBe(0);
    expect(waitLeftMs(undefined, 14_000)).toBe(0);
  });
});
