import { describe, expect, it } from "vitest";
import { combinePatches } from "../../../src/core/plan/combine.js";
import type { EntryPatch } from "../../../src/core/types.js";

const fin = (key: string, id: string): EntryPatch => ({ sessionKey: key, expect: { sessionId: id, updatedAt: 1 }, set: { status: "killed" }, action: "finalize", reasons: [] });
const rm = (key: string, id: string): EntryPatch => ({ sessionKey: key, expect: { sessionId: id, updatedAt: 1 }, remove: true, action: "prune", reasons: [] });

describe("combinePatches", () => {
  it("drops the finalize of a row the same run removes, keeps the rest in order", () => {
    expect(combinePatches([fin("a", "1"), fin("b", "2")], [rm("a", "1")])).toEqual([fin("b", "2"), rm("a", "1")]);
  });
  it("matches on sessionId too", () => {
    expect(combinePatches([fin("a", "1")], [rm("a", "other")])).toEqual([fin("a", "1"), rm("a", "other")]);
  });
});
