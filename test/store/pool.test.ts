import { describe, expect, it } from "vitest";
import { mapPool } from "../../src/store/pool.js";

describe("mapPool", () => {
  it("keeps input order and never exceeds the limit", async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 100 }, (_, i) => i);
    const out = await mapPool(
      items,
      async (n) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, (n * 7) % 5));
        inFlight--;
        return n * 2;
      },
      8,
    );
    expect(out).toEqual(items.map((n) => n * 2));
    expect(peak).toBe(8);
  });

  it("handles an empty list and propagates errors", async () => {
    expect(await mapPool([], async () => 1)).toEqual([]);
    await expect(mapPool([1, 2], async (n) => { if (n === 2) throw new Error("boom"); return n; })).rejects.toThrow("boom");
  });
});
