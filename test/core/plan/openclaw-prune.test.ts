import { describe, expect, it } from "vitest";
import { openclawPrunePlan } from "../../../src/core/plan/openclaw-prune.js";
import type { IndexEntry } from "../../../src/core/types.js";
import { DAY, NOW } from "./fixtures.js";

const e = (sessionId: string, updatedAt: number | undefined, extra: Partial<IndexEntry> = {}): IndexEntry =>
  ({ sessionId, updatedAt, ...extra }) as IndexEntry;

describe("openclawPrunePlan mirrors `openclaw sessions cleanup`", () => {
  it("prunes by updatedAt only, whatever the status", () => {
    const entries = { run: e("r", NOW - 31 * DAY, { status: "running" }), done: e("d", NOW - DAY, { status: "done" }) };
    expect(openclawPrunePlan(entries, { pruneAfterMs: 30 * DAY, maxEntries: 500 }, NOW)).toEqual({ pruned: ["run"], capped: [], kept: ["done"] });
  });

  it("uses a strict cutoff (updatedAt exactly pruneAfter old stays)", () => {
    const entries = { edge: e("x", NOW - 30 * DAY), past: e("y", NOW - 30 * DAY - 1) };
    expect(openclawPrunePlan(entries, { pruneAfterMs: 30 * DAY, maxEntries: 500 }, NOW).pruned).toEqual(["past"]);
  });

  it("keeps entries without updatedAt from age pruning but caps them first; preserves active keys; protected ones count toward the cap", () => {
    const entries: Record<string, IndexEntry> = {
      a: e("a", NOW - 3 * DAY),
      b: e("b", undefined),
      c: e("c", NOW - DAY),
      "agent:main:slack:channel:x": e("x", NOW - 5 * DAY),
      d: e("d", NOW - 40 * DAY),
    };
    expect(openclawPrunePlan(entries, { pruneAfterMs: 30 * DAY, maxEntries: 3 }, NOW, ["d"])).toEqual({
      pruned: [],
      capped: ["b", "a"],
      kept: ["c", "agent:main:slack:channel:x", "d"],
    });
  });

  it("removes every unprotected entry when protected ones fill the cap", () => {
    const entries = { "agent:main:discord:group:1": e("g", NOW), other: e("o", NOW) };
    expect(openclawPrunePlan(entries, { pruneAfterMs: 30 * DAY, maxEntries: 1 }, NOW).capped).toEqual(["other"]);
  });
});
