import { describe, expect, it } from "vitest";
import type { EntryPatch } from "../../../src/core/types.js";
import { indexChangedSincePlanned, recheckAndApply } from "../../../src/store/writer/patch.js";

const p = (sessionKey: string, sessionId: string, updatedAt: number, more: Partial<EntryPatch> = {}): EntryPatch => ({
  sessionKey,
  expect: { sessionId, updatedAt },
  action: "finalize",
  reasons: ["r"],
  ...more,
});

describe("recheckAndApply", () => {
  it("sets existing fields in place, appends new ones, deletes undefined ones", () => {
    const index: Record<string, unknown> = { k: { sessionId: "S", updatedAt: 1, status: "running", model: "m", z: 0 } };
    const out = recheckAndApply(index, [p("k", "S", 1, { set: { status: "done", endedAt: 5, model: undefined } })]);
    expect(JSON.stringify(index.k)).toBe('{"sessionId":"S","updatedAt":1,"status":"done","z":0,"endedAt":5}');
    expect(out.applied[0]).toEqual({
      sessionKey: "k",
      sessionId: "S",
      action: "finalize",
      set: { status: "done", endedAt: 5 },
      unset: ["model"],
      previous: { status: "running", model: "m" },
      removed: false,
      reasons: ["r"],
    });
  });

  it("checks every patch against the index as read, so two patches of one plan both apply", () => {
    const index: Record<string, unknown> = { k: { sessionId: "S", updatedAt: 1 } };
    const out = recheckAndApply(index, [p("k", "S", 1, { set: { updatedAt: 9 } }), p("k", "S", 1, { set: { status: "done" } })]);
    expect(out.applied).toHaveLength(2);
    expect(index.k).toEqual({ sessionId: "S", updatedAt: 9, status: "done" });
  });

  it.each([
    ["a missing entry", {}, p("k", "S", 1, { set: { a: 1 } }), /no longer exists/],
    ["a non-object entry", { k: "x" }, p("k", "S", 1, { set: { a: 1 } }), /not an object/],
    ["another session under the key", { k: { sessionId: "T", updatedAt: 1 } }, p("k", "S", 1, { set: { a: 1 } }), /sessionId is T/],
    ["a newer updatedAt", { k: { sessionId: "S", updatedAt: 2 } }, p("k", "S", 1, { set: { a: 1 } }), /updatedAt is 2/],
    ["a non-JSON value", { k: { sessionId: "S", updatedAt: 1 } }, p("k", "S", 1, { set: { a: NaN } }), /not plain JSON/],
    ["a __proto__ field", { k: { sessionId: "S", updatedAt: 1 } }, p("k", "S", 1, { set: JSON.parse('{"__proto__":{"x":1}}') }), /__proto__/],
    ["a non-string sessionId", { k: { sessionId: "S", updatedAt: 1 } }, p("k", "S", 1, { set: { sessionId: 3 } }), /sessionId must be a string/],
  ])("skips %s and leaves the index alone", (_n, index, patch, why) => {
    const copy = structuredClone(index) as Record<string, unknown>;
    const out = recheckAndApply(copy, [patch]);
    expect(out.applied).toEqual([]);
    expect(out.skipped[0].why).toMatch(why);
    expect(copy).toEqual(index);
  });

  it("a change after a removal of the same key in one plan is skipped", () => {
    const index: Record<string, unknown> = { k: { sessionId: "S", updatedAt: 1 } };
    const out = recheckAndApply(index, [p("k", "S", 1, { remove: true }), p("k", "S", 1, { set: { a: 1 } })]);
    expect(out.removals).toBe(1);
    expect(out.skipped[0].why).toMatch(/removed by an earlier change/);
    expect(index).toEqual({});
  });
});

describe("indexChangedSincePlanned", () => {
  it("tells a skip because the index changed since it was planned on (run again) from one another run would make too", () => {
    const index: Record<string, unknown> = { changed: { sessionId: "S", updatedAt: 2 }, swapped: { sessionId: "T", updatedAt: 1 }, bad: 5, same: { sessionId: "S", updatedAt: 1 } };
    const out = recheckAndApply(index, [
      p("gone", "S", 1),
      p("changed", "S", 1),
      p("swapped", "S", 1),
      p("bad", "S", 1),
      p("same", "S", 1, { remove: true }),
      p("same", "S", 1, { remove: true }),
    ]);
    expect(out.skipped.map((k) => [k.sessionKey, indexChangedSincePlanned(k.why)])).toEqual([
      ["gone", true],
      ["changed", true],
      ["swapped", true],
      ["bad", true],
      ["same", false],
    ]);
    expect(indexChangedSincePlanned("the index file does not exist")).toBe(true);
    expect(indexChangedSincePlanned("invalid change: sessionId must be a string")).toBe(false);
  });
});
