import { describe, expect, it } from "vitest";
import { ago, latest, shortId } from "../../../src/core/health/format.js";

describe("format helpers", () => {
  it("ago reads past and future", () => {
    expect(ago(100_000, 58_000)).toBe("42s ago");
    expect(ago(100_000, 103_000)).toBe("in 3s");
  });

  it("shortId keeps the first 8 characters of a run id", () => {
    expect(shortId("75c1aa26-c477-4aec-92c7-2ff2a3475084")).toBe("75c1aa26");
    expect(shortId(undefined)).toBe("(no runId)");
  });

  it("latest ignores unknown values", () => {
    expect(latest(3, undefined, 9, 4)).toBe(9);
    expect(latest(undefined, Number.NaN)).toBeUndefined();
  });
});
