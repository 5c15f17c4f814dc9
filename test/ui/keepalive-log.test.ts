import { describe, expect, it } from "vitest";
import { planKeepalive } from "../../src/core/plan/keepalive.js";
import {
  countSkips,
  formatHuman,
  formatLine,
  jsonLine,
  KEEPALIVE_SCHEMA_VERSION,
  skipCategory,
  type StoreTick,
  type TickRecord,
} from "../../src/ui/keepalive-log.js";
import { HOUR, item, MIN, NOW, SEC } from "../core/plan/fixtures.js";

const AT = Date.parse("2026-07-01T12:00:00.000Z");
const store = (over: Partial<StoreTick> = {}): StoreTick => ({
  agentId: "main",
  storePath: "/s/agents/main/sessions/sessions.json",
  outcome: "written",
  at: AT,
  seen: 5,
  touched: 2,
  notApplied: [],
  overwritten: [],
  ...over,
});
const tick = (over: Partial<TickRecord> = {}): TickRecord => ({
  type: "tick",
  tick: 3,
  at: AT,
  durationMs: 12,
  dryRun: false,
  seen: 5,
  touched: [
    { agentId: "main", sessionKey: "agent:main:a", sessionId: "a", fields: ["updatedAt"], reasons: ["run in progress"] },
    { agentId: "main", sessionKey: "agent:main:b", sessionId: "b", fields: ["updatedAt"], reasons: ["run in progress"] },
  ],
  skipped: { idle: 2, unresponsive: 1 },
  writes: 1,
  stores: [store()],
  warnings: [],
  ...over,
});

describe("skipCategory: the planner's real reasons", () => {
  const stale = { updatedAt: NOW - 20 * MIN, lastInteractionAt: NOW - 20 * MIN };
  it.each([
    ["unresponsive", { entry: { status: "running", ...stale }, lock: { owner: "dead" as const }, hb: { health: "unresponsive" as const } }],
    ["idle", { entry: { updatedAt: NOW - 2 * HOUR }, transcript: { lastEntryAt: NOW - HOUR } }],
    ["idle", { entry: { ...stale } }],
    ["finalized", { entry: { status: "done", endedAt: NOW - 5 * MIN, ...stale }, transcript: { lastEntryAt: NOW - 5 * MIN } }],
    ["to finalize", { entry: { status: "running", startedAt: NOW - HOUR, ...stale }, trajectory: { lastEventAt: NOW - 50 * MIN, run: { lastEventAt: NOW - 50 * MIN, ended: { status: "success", at: NOW - 50 * MIN } } } }],
    ["recovering", { entry: { status: "running", startedAt: NOW - HOUR, abortedLastRun: true, updatedAt: NOW - 3 * SEC }, gateway: { pid: 9, alive: true, startedAt: NOW - 8 * SEC } }],
    ["lost", { entry: { ...stale }, lock: { owner: "dead" as const, createdAt: NOW - HOUR }, transcript: { lastEntryAt: NOW - HOUR, lastRole: "user" as const, lastMessageAt: NOW - HOUR } }],
    ["fresh", { entry: { status: "running", updatedAt: NOW - SEC, lastInteractionAt: NOW - SEC }, lock: { owner: "alive" as const }, hb: { health: "active" as const } }],
    ["nothing to write", { entry: { status: "running", updatedAt: NOW - HOUR }, lock: { owner: "alive" as const }, hb: { health: "active" as const } }, ["lastInteractionAt"] as const],
  ])("%s", (category, spec, fields?) => {
    const plan = planKeepalive([item(spec)], { now: NOW, freshWithinMs: 30 * SEC, fields: fields as any });
    expect(plan.skipped).toHaveLength(1);
    expect(skipCategory(plan.skipped[0].why)).toBe(category);
  });

  it("anything else is other; counts group by category", () => {
    expect(skipCategory("something new")).toBe("other");
    expect(countSkips(["idle: no recorded activity", "idle: last activity 1h00m ago", "finalized (done), nothing since", "x"])).toEqual({ idle: 2, finalized: 1, other: 1 });
  });
});

describe("human lines", () => {
  it("a tick: time, seen, touched (keys), skipped and why, writes", () => {
    expect(formatHuman(tick())).toBe(
      "2026-07-01T12:00:00.000Z tick 3: 5 sessions seen, touched 2 (agent:main:a, agent:main:b), skipped 3 (idle 2, unresponsive 1), 1 write",
    );
  });

  it("a quiet tick says no write; a dry run says would touch and nothing about writes", () => {
    expect(formatHuman(tick({ touched: [], writes: 0, skipped: { fresh: 2 }, stores: [store({ outcome: "unchanged", touched: 0 })] }))).toBe(
      "2026-07-01T12:00:00.000Z tick 3: 5 sessions seen, touched 0, skipped 2 (fresh 2), no write",
    );
    expect(formatHuman(tick({ dryRun: true, writes: 0, stores: [store({ outcome: "planned" })] }))).toBe(
      "2026-07-01T12:00:00.000Z tick 3: 5 sessions seen, would touch 2 (agent:main:a, agent:main:b), skipped 3 (idle 2, unresponsive 1)",
    );
  });

  it("long key lists are cut after five", () => {
    const touched = Array.from({ length: 8 }, (_, i) => ({ agentId: "main", sessionKey: `k${i}`, sessionId: `s${i}`, fields: ["updatedAt"], reasons: [] }));
    expect(formatHuman(tick({ touched, skipped: {} }))).toContain("touched 8 (k0, k1, k2, k3, k4, +3 more), skipped 0, 1 write");
  });

  it("store problems and warnings follow on the same line", () => {
    const line = formatHuman(
      tick({
        seen: 1,
        touched: [],
        skipped: {},
        writes: 0,
        stores: [
          store({ agentId: "ops", outcome: "unreadable", seen: 0, touched: 0, error: "cannot parse /s/ops/sessions.json at 3:1" }),
          store({ agentId: "main", outcome: "conflict", error: "kept changing", retryInMs: 4_000 }),
          store({ agentId: "dev", outcome: "backoff", retryInMs: 1_500 }),
          store({ agentId: "qa", outcome: "written", notApplied: [{ sessionKey: "agent:qa:x", why: "changed since planned" }], overwritten: ["agent:qa:y"] }),
        ],
        warnings: ["no session index under /s/agents"],
      }),
    );
    expect(line).toBe(
      "2026-07-01T12:00:00.000Z tick 3: 1 session seen, touched 0, skipped 0, no write; ops skipped: cannot parse /s/ops/sessions.json at 3:1; main conflict: kept changing, retry in 4s; dev backing off, retry in 1s; qa: not applied agent:qa:x (changed since planned); overwritten by the gateway agent:qa:y; warning: no session index under /s/agents",
    );
    expect(line).not.toContain("\n");
  });

  it("a store read with nothing due that this loop cannot write is still named, every tick", () => {
    const line = formatHuman(
      tick({ seen: 1, touched: [], skipped: {}, writes: 0, stores: [store({ agentId: "main", outcome: "unchanged", error: "cannot create the keepalive lock /s/x.pid for /s/x: EROFS" })], warnings: [] }),
    );
    expect(line).toMatch(/no write; main not writable: cannot create the keepalive lock \/s\/x\.pid for \/s\/x: EROFS$/);
  });

  it("start and stop", () => {
    expect(
      formatHuman({
        type: "start",
        at: AT,
        pid: 42,
        intervalMs: 60_000,
        activityThresholdMs: 600_000,
        freshWithinMs: 600_000,
        fields: ["updatedAt", "lastInteractionAt"],
        dryRun: false,
        once: false,
        stores: ["/s/sessions.json"],
        warnings: ["w1"],
      }),
    ).toBe(
      "2026-07-01T12:00:00.000Z keepalive started: pid 42, every 1m00s, activity within 10m00s, refresh after 10m00s, fields updatedAt,lastInteractionAt, holding /s/sessions.json; warning: w1",
    );
    expect(formatHuman({ type: "stop", at: AT, ticks: 1, writes: 0, signal: "SIGTERM" })).toBe("2026-07-01T12:00:00.000Z keepalive stopped on SIGTERM after 1 tick, 0 writes");
  });
});

describe("NDJSON", () => {
  it("one parseable line per record, with schemaVersion first and raw numbers", () => {
    const rec = tick();
    const line = jsonLine(rec);
    expect(line).not.toContain("\n");
    const parsed = JSON.parse(line);
    expect(Object.keys(parsed)[0]).toBe("schemaVersion");
    expect(parsed).toEqual({ schemaVersion: KEEPALIVE_SCHEMA_VERSION, ...rec });
    expect(formatLine(rec, true)).toBe(line);
    expect(formatLine(rec, false)).toBe(formatHuman(rec));
  });
});
