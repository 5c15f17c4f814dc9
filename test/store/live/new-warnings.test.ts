import { describe, expect, it } from "vitest";
import { NewWarnings } from "../../../src/store/live/new-warnings.js";

describe("NewWarnings: each warning told once while it holds", () => {
  it("tells a warning once, forgets it when it clears, and tells it again when it comes back", () => {
    const told: string[] = [];
    const w = new NewWarnings((m) => told.push(m));
    w.report(["index broken", "cannot watch /a"]);
    w.report(["index broken", "cannot watch /a"]);
    expect(told).toEqual(["index broken", "cannot watch /a"]);
    w.report(["cannot watch /a"]);
    w.report(["index broken", "cannot watch /a"]);
    expect(told).toEqual(["index broken", "cannot watch /a", "index broken"]);
  });
});
