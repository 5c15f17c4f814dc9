import { describe, expect, it } from "vitest";
import type { Heartbeat } from "../../../src/core/types.js";
import { drawsAlike } from "../../../src/ui/watch/feed.js";
import { hb, oneOfEach } from "../fixtures.js";

describe("drawsAlike", () => {
  it("holds for the same list without asking the rule", () => {
    const list = oneOfEach();
    expect(drawsAlike(list, list)).toBe(true);
  });

  it("asks the rule about the replaced heartbeats only, and holds when it says alike", () => {
    const prev = oneOfEach();
    const next = prev.map((h, i) => (i === 2 ? { ...h, reasons: ["re-worded"] } : h));
    const asked: Heartbeat[] = [];
    expect(drawsAlike(prev, next, (a, b) => (asked.push(b), true))).toBe(true);
    expect(asked).toEqual([next[2]]);
  });

  it("fails when the rule says a replaced heartbeat draws differently", () => {
    const prev = oneOfEach();
    const next = prev.map((h, i) => (i === 2 ? { ...h, model: "gpt-5" } : h));
    expect(drawsAlike(prev, next, () => false)).toBe(false);
  });

  it("fails, whatever the rule, when a session came, went or moved", () => {
    const prev = oneOfEach();
    const yes = () => true;
    expect(drawsAlike(prev, [...prev, hb({ sessionKey: "agent:main:f-new" })], yes)).toBe(false);
    expect(drawsAlike(prev, prev.slice(1), yes)).toBe(false);
    expect(drawsAlike(prev, [prev[1], prev[0], ...prev.slice(2)], yes)).toBe(false);
  });

  it("counts every replacement as a change when the view gives no rule", () => {
    const prev = oneOfEach();
    expect(drawsAlike(prev, prev.map((h) => ({ ...h })))).toBe(false);
  });
});
