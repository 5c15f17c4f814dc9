import { describe, expect, it } from "vitest";
import type { Heartbeat } from "../../../src/core/types.js";
import { drawsAlike, keepUnchanged } from "../../../src/ui/watch/feed.js";
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

describe("keepUnchanged", () => {
  it("keeps the previous object of every heartbeat re-derived equal, and takes the changed ones", () => {
    const prev = oneOfEach();
    // as after an era C commit: every heartbeat of the store derived anew, one of them changed
    const next = prev.map((h, i) => (i === 1 ? { ...h, health: "idle" as const, state: "complete" as const } : { ...h, reasons: [...h.reasons] }));
    const kept = keepUnchanged(prev, next);
    expect(kept.map((h, i) => h === prev[i])).toEqual([true, false, true, true, true]);
    expect(kept[1]).toBe(next[1]);
  });

  it("keeps nothing for a heartbeat whose reasons were re-worded: the details pane shows them", () => {
    const prev = oneOfEach();
    const next = prev.map((h, i) => (i === 3 ? { ...h, reasons: ["lock owner pid 4242 is dead (lock taken 12m ago)"] } : h));
    expect(keepUnchanged(prev, next)).toBe(next);
  });

  it("matches sessions by identity when sessions came or went", () => {
    const prev = oneOfEach();
    const newcomer = hb({ sessionKey: "agent:main:0-new" });
    const next = [newcomer, ...prev.map((h) => ({ ...h }))];
    const kept = keepUnchanged(prev, next);
    expect(kept[0]).toBe(newcomer);
    expect(kept.slice(1).every((h, i) => h === prev[i])).toBe(true);
  });
});
