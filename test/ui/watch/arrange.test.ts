import { describe, expect, it } from "vitest";
import { DEFAULT_SORT, SORT_FIELDS } from "../../../src/core/order.js";
import { arrangeHeartbeats, nextSort } from "../../../src/ui/watch/arrange.js";
import { NOW, oneOfEach } from "../fixtures.js";

describe("arrange", () => {
  it("cycles through every sort field and back", () => {
    let s = DEFAULT_SORT;
    const seen = new Set<string>();
    for (let i = 0; i < SORT_FIELDS.length; i++) {
      seen.add(s.field);
      s = nextSort(s);
    }
    expect(seen.size).toBe(SORT_FIELDS.length);
    expect(s).toEqual(DEFAULT_SORT);
  });

  it("filters then sorts, problems first", () => {
    const all = arrangeHeartbeats(oneOfEach(), { sort: DEFAULT_SORT, problemsOnly: false, text: "", now: NOW });
    expect(all.map((h) => h.health).slice(0, 2)).toEqual(["unresponsive", "stalled"]);
    const problems = arrangeHeartbeats(oneOfEach(), { sort: DEFAULT_SORT, problemsOnly: true, text: "", now: NOW });
    expect(problems.map((h) => h.health)).toEqual(["unresponsive", "stalled"]);
    const text = arrangeHeartbeats(oneOfEach(), { sort: DEFAULT_SORT, problemsOnly: false, text: "SONNET", now: NOW });
    expect(text.map((h) => h.sessionKey)).toEqual(["agent:main:a-active"]);
  });
});
