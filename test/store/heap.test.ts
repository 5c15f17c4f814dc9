import { describe, expect, it } from "vitest";
import { collectGarbage } from "../../src/store/heap.js";

describe("collectGarbage", () => {
  it("frees what nothing references any more, at once, without --expose-gc", () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    let junk: Array<{ i: number; s: string }> | null = Array.from({ length: 500_000 }, (_, i) => ({ i, s: `session-${i}` }));
    const held = process.memoryUsage().heapUsed;
    expect(junk.length).toBe(500_000);
    junk = null;
    collectGarbage();
    const after = process.memoryUsage().heapUsed;
    // 500,000 small objects and strings are tens of MB
    expect(held - after).toBeGreaterThan(20_000_000);
    // and it stays usable, without leaking a global
    collectGarbage();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
