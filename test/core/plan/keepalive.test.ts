import { describe, expect, it } from "vitest";
import { planKeepalive, type KeepaliveOptions } from "../../../src/core/plan/keepalive.js";
import { DAY, HOUR, item, MIN, NOW, SEC } from "./fixtures.js";

const opts = (over: Partial<KeepaliveOptions> = {}): KeepaliveOptions => ({ now: NOW, freshWithinMs: 30 * SEC, ...over });
const stale = { updatedAt: NOW - 20 * MIN, lastInteractionAt: NOW - 20 * MIN };

describe("planKeepalive: who is touched", () => {
  it.each([
    ["active run, live lock", { entry: { status: "running", ...stale }, lock: { owner: "alive" as const }, hb: { health: "active" as const, state: "tool_exec" as const, toolName: "exec" } }, /run in progress \(tool_exec exec\)/],
    ["waiting for the model, live lock", { entry: { status: "running", ...stale }, lock: { owner: "alive" as const }, hb: { health: "waiting" as const, state: "awaiting_model" as const } }, /health waiting/],
    ["stalled, live lock", { entry: { status: "running", ...stale }, lock: { owner: "alive" as const }, hb: { health: "stalled" as const, state: "tool_exec" as const } }, /stalled but its owner is alive/],
    ["embedded run without status, idle health, transcript written 2 min ago", { entry: { ...stale }, transcript: { lastEntryAt: NOW - 2 * MIN } }, /activity in its files 2m00s ago/],
    ["done, but new activity after its end", { entry: { status: "done", endedAt: NOW - HOUR, ...stale }, trajectory: { lastEventAt: NOW - MIN } }, /activity in its files/],
  ])("%s -> touched", (_n, spec, why) => {
    const it1 = item(spec);
    const plan = planKeepalive([it1], opts());
    expect(plan.skipped).toEqual([]);
    expect(plan.touch).toEqual([
      {
        sessionKey: it1.ev.sessionKey,
        expect: { sessionId: it1.ev.entry.sessionId, updatedAt: NOW - 20 * MIN },
        set: { updatedAt: NOW, lastInteractionAt: NOW },
        action: "touch",
        reasons: [expect.stringMatching(why), "refresh updatedAt, lastInteractionAt"],
      },
    ]);
    expect(plan.actions[0]).toMatchObject({ action: "touch", sessionKey: it1.ev.sessionKey });
  });

  it.each([
    ["unresponsive", { entry: { status: "running", ...stale }, lock: { owner: "dead" as const }, hb: { health: "unresponsive" as const } }, /unresponsive/],
    ["idle, quiet for an hour", { entry: { updatedAt: NOW - 2 * HOUR }, transcript: { lastEntryAt: NOW - HOUR } }, /idle: last activity 1h00m ago/],
    ["idle, no activity recorded", { entry: { ...stale } }, /idle: no recorded activity/],
    ["finalized: done, nothing since its end", { entry: { status: "done", endedAt: NOW - 5 * MIN, ...stale }, transcript: { lastEntryAt: NOW - 5 * MIN } }, /finalized \(done\), nothing since/],
    ["finalized without endedAt: killed, nothing after updatedAt", { entry: { status: "killed", ...stale }, transcript: { lastEntryAt: NOW - 25 * MIN } }, /finalized \(killed\)/],
    ["a live owner past the whole-run timeout (OpenClaw would have ended it)", { entry: { status: "running", ...stale, startedAt: NOW - 3 * DAY }, lock: { owner: "alive" as const }, transcript: { lastEntryAt: NOW - MIN } }, /unresponsive: past the whole-run timeout/],
    ["OpenClaw's recovery has the row (a touch would stretch its window)", { entry: { status: "running", startedAt: NOW - HOUR, abortedLastRun: true, updatedAt: NOW - 3 * SEC }, gateway: { pid: 9, alive: true, startedAt: NOW - 8 * SEC } }, /OpenClaw's recovery has it/],
    ["a dead embedded run silent past staleAfter: lost", { entry: { ...stale }, lock: { owner: "dead" as const, createdAt: NOW - HOUR }, transcript: { lastEntryAt: NOW - HOUR, lastRole: "user" as const, lastMessageAt: NOW - HOUR } }, /lost/],
  ])("%s -> skipped", (_n, spec, why) => {
    const it1 = item(spec);
    const plan = planKeepalive([it1], opts());
    expect(plan.touch).toEqual([]);
    expect(plan.skipped).toEqual([{ agentId: "main", sessionKey: it1.ev.sessionKey, why: expect.stringMatching(why) }]);
  });

  it("never touches an era C session, even a live one", () => {
    const it1 = item({ entry: { status: "running", ...stale }, lock: { owner: "alive" } });
    const plan = planKeepalive([{ ...it1, ev: { ...it1.ev, era: "C" } }], opts());
    expect(plan.touch).toEqual([]);
    expect(plan.skipped[0].why).toMatch(/era C store: never written/);
  });

  it("honours the activity threshold", () => {
    const it1 = item({ entry: { ...stale }, transcript: { lastEntryAt: NOW - 15 * MIN } });
    expect(planKeepalive([it1], opts()).touch).toHaveLength(0);
    expect(planKeepalive([it1], opts({ activityThresholdMs: 20 * MIN })).touch).toHaveLength(1);
  });
});

describe("planKeepalive: what is written", () => {
  const active = (entry: Record<string, unknown>) =>
    item({ entry: { status: "running", ...entry }, lock: { owner: "alive" }, hb: { health: "active" } });

  it("does not rewrite fresh fields", () => {
    const plan = planKeepalive([active({ updatedAt: NOW - 10 * SEC, lastInteractionAt: NOW - 5 * SEC })], opts());
    expect(plan.touch).toEqual([]);
    expect(plan.skipped[0].why).toMatch(/already fresh: updatedAt, lastInteractionAt within 30s/);
  });

  it("refreshes only the stale field (the gateway bumps updatedAt during a run, not lastInteractionAt)", () => {
    const plan = planKeepalive([active({ updatedAt: NOW - 10 * SEC, lastInteractionAt: NOW - 2 * HOUR })], opts());
    expect(plan.touch[0].set).toEqual({ lastInteractionAt: NOW });
    expect(plan.touch[0].expect.updatedAt).toBe(NOW - 10 * SEC);
  });

  it("treats a future timestamp as fresh: never moves it backwards", () => {
    const plan = planKeepalive([active({ updatedAt: NOW + DAY, lastInteractionAt: NOW + DAY })], opts());
    expect(plan.touch).toEqual([]);
  });

  it("fields restricts what is written", () => {
    const plan = planKeepalive([active(stale)], opts({ fields: ["updatedAt"] }));
    expect(plan.touch[0].set).toEqual({ updatedAt: NOW });
  });

  it("adds lastInteractionAt only when the entry has it or idle reset is configured", () => {
    const bare = active({ updatedAt: NOW - HOUR });
    expect(planKeepalive([bare], opts()).touch[0].set).toEqual({ updatedAt: NOW });
    expect(planKeepalive([bare], opts({ idleResetConfigured: true })).touch[0].set).toEqual({ updatedAt: NOW, lastInteractionAt: NOW });
    const onlyIdle = planKeepalive([bare], opts({ fields: ["lastInteractionAt"] }));
    expect(onlyIdle.touch).toEqual([]);
    expect(onlyIdle.skipped[0].why).toMatch(/nothing to write/);
  });
});

describe("planKeepalive: idle sessions the index already describes", () => {
  it("skips an idle session whose last activity is no newer than its updatedAt", () => {
    const it1 = item({ entry: { updatedAt: NOW - 2 * MIN, lastInteractionAt: NOW - 2 * MIN }, transcript: { lastEntryAt: NOW - 3 * MIN } });
    const plan = planKeepalive([it1], opts());
    expect(plan.touch).toEqual([]);
    expect(plan.skipped[0].why).toMatch(/index already reflects its last activity/);
  });
});
