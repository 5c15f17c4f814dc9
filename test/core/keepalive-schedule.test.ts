import { describe, expect, it } from "vitest";
import { planTick, refreshWindow, smallestIdleMinutes } from "../../src/core/keepalive-schedule.js";
import { idleResetConfigured } from "../../src/core/maintenance.js";
import { item, MIN, NOW, SEC } from "./plan/fixtures.js";

const both = ["updatedAt", "lastInteractionAt"] as const;
const win = (config: unknown, over: Partial<Parameters<typeof refreshWindow>[0]> = {}) =>
  refreshWindow({ intervalMs: 60 * SEC, activityThresholdMs: 10 * MIN, fields: both, config, ...over });

describe("smallestIdleMinutes", () => {
  it.each([
    [{}, undefined],
    [{ session: { reset: { mode: "daily", atHour: 4 } } }, undefined],
    [{ session: { reset: { mode: "idle" } } }, undefined],
    [{ session: { reset: { idleMinutes: 0 } } }, undefined],
    [{ session: { idleMinutes: 45 } }, 45],
    [{ session: { reset: { idleMinutes: 120.9 } } }, 120],
    [{ session: { reset: { idleMinutes: 120 }, resetByType: { group: { idleMinutes: 30 } }, resetByChannel: { discord: { idleMinutes: 90 } } } }, 30],
    [{ session: { resetByChannel: { discord: { idleMinutes: 5 } } } }, 5],
  ])("%j -> %s", (config, minutes) => expect(smallestIdleMinutes(config)).toBe(minutes));

  it("legacy session.idleMinutes also counts as idle reset for the planner (maintenance.idleResetConfigured)", () => {
    expect(idleResetConfigured({ session: { idleMinutes: 45 } })).toBe(true);
    expect(idleResetConfigured({ session: { idleMinutes: 0 } })).toBe(false);
  });
});

describe("refreshWindow", () => {
  it("defaults to the activity threshold", () => {
    expect(win({})).toEqual({ freshWithinMs: 10 * MIN, idleMinutes: undefined, warnings: [] });
  });

  it("is at most half the shortest idle reset and half of pruneAfter", () => {
    expect(win({ session: { reset: { idleMinutes: 6 } } })).toMatchObject({ freshWithinMs: 3 * MIN, idleMinutes: 6, warnings: [] });
    expect(win({ session: { maintenance: { pruneAfter: "10m" } } }).freshWithinMs).toBe(5 * MIN);
    // an invalid pruneAfter is the gateway's 30 d default: no cap from it
    expect(win({ session: { maintenance: { pruneAfter: "soon" } } }).freshWithinMs).toBe(10 * MIN);
  });

  it("--refresh-after is used as given, with a warning when touches could come too late", () => {
    expect(win({}, { overrideMs: 2 * SEC })).toEqual({ freshWithinMs: 2 * SEC, idleMinutes: undefined, warnings: [] });
    const w = win({ session: { reset: { idleMinutes: 10 } } }, { overrideMs: 9 * MIN });
    expect(w.freshWithinMs).toBe(9 * MIN);
    expect(w.warnings).toEqual([
      "a kept-alive lastInteractionAt can be 10m00s old before it is refreshed, but idle reset comes after 10m00s: lower --interval or --refresh-after",
    ]);
  });

  it("warns when the interval alone is too long for idle reset, or when --fields leaves lastInteractionAt out", () => {
    expect(win({ session: { idleMinutes: 1 } }, { intervalMs: 60 * SEC }).warnings[0]).toMatch(/idle reset comes after 1m00s/);
    expect(win({ session: { idleMinutes: 60 } }, { fields: ["updatedAt"] }).warnings).toEqual([
      "idle reset after 1h00m compares lastInteractionAt, which --fields leaves out: it is not prevented",
    ]);
    expect(win({ session: { maintenance: { pruneAfter: "1m" } } }, { overrideMs: MIN }).warnings[0]).toMatch(/pruneAfter is 1m00s/);
  });
});

describe("planTick", () => {
  const active = (ageMs: number, key: string) =>
    item({ key, entry: { status: "running", updatedAt: NOW - ageMs, lastInteractionAt: NOW - ageMs }, lock: { owner: "alive" }, hb: { health: "active" } });

  it("writes nothing while every kept-alive session is fresh", () => {
    const plan = planTick([active(4 * MIN, "a"), active(9 * MIN, "b")], { now: NOW, freshWithinMs: 10 * MIN });
    expect(plan.touch).toEqual([]);
    expect(plan.skipped.map((s) => s.why)).toEqual([expect.stringMatching(/^already fresh/), expect.stringMatching(/^already fresh/)]);
  });

  it("once one is due, those past half their window ride along in the same write; younger ones wait", () => {
    const plan = planTick([active(11 * MIN, "due"), active(6 * MIN, "half"), active(2 * MIN, "young")], { now: NOW, freshWithinMs: 10 * MIN });
    expect(plan.touch.map((t) => t.sessionKey)).toEqual(["due", "half"]);
    expect(plan.touch[1].set).toEqual({ updatedAt: NOW, lastInteractionAt: NOW });
    expect(plan.skipped.map((s) => s.sessionKey)).toEqual(["young"]);
  });
});
