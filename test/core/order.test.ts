import { describe, expect, it } from "vitest";
import { CliError } from "../../src/core/errors.js";
import { arrangesAlike, filterHeartbeats, parseSort, problemRank, sortHeartbeats } from "../../src/core/order.js";
import type { Heartbeat } from "../../src/core/types.js";

const NOW = 1_800_000_000_000;

function hb(sessionKey: string, fields: Partial<Heartbeat> = {}): Heartbeat {
  return { sessionKey, agentId: "main", sessionId: `id-${sessionKey}`, state: "complete", health: "idle", reasons: [], updatedAt: NOW, ...fields };
}

const keys = (list: Heartbeat[]) => list.map((h) => h.sessionKey);

describe("parseSort", () => {
  it.each([
    ["activity", { field: "activity", dir: "desc" }],
    ["activity:desc", { field: "activity", dir: "desc" }],
    ["activity:asc", { field: "activity", dir: "asc" }],
    ["elapsed", { field: "elapsed", dir: "desc" }],
    ["session", { field: "session", dir: "asc" }],
    [" Model:DESC ", { field: "model", dir: "desc" }],
    ["health", { field: "health", dir: "asc" }],
  ])("%j", (text, spec) => {
    expect(parseSort(text)).toEqual(spec);
  });

  it.each([
    ["speed", /--sort speed: unknown field "speed" \(use one of activity, elapsed, session, agent, state, health, model/],
    ["", /unknown field ""/],
    ["activity:up", /--sort activity:up: direction must be asc or desc, not "up"/],
    // a known field with one colon too many is not an unknown field
    ["activity:asc:x", /--sort activity:asc:x: one field and at most one direction \(e\.g\. activity:desc\)/],
    ["health:asc:desc", /--sort health:asc:desc: one field and at most one direction/],
  ])("rejects %j", (text, message) => {
    expect(() => parseSort(text)).toThrow(CliError);
    expect(() => parseSort(text)).toThrow(message);
  });
});

describe("problemRank", () => {
  it.each([
    ["unresponsive", 0],
    ["stalled", 1],
    ["active", 2],
    ["waiting", 2],
    ["idle", 2],
  ] as const)("%s -> %i", (health, rank) => {
    expect(problemRank(hb("k", { health }))).toBe(rank);
  });
});

describe("sortHeartbeats", () => {
  const list = [
    hb("a", { lastActivityAt: NOW - 50_000, startedAt: NOW - 60_000, model: "zeta", state: "complete" }),
    hb("b", { lastActivityAt: NOW - 10_000, startedAt: NOW - 20_000, model: "Alpha", state: "awaiting_model", health: "waiting" }),
    hb("c", { lastActivityAt: NOW - 90_000, health: "stalled", state: "tool_exec", model: "beta" }),
    hb("d", { lastActivityAt: NOW - 95_000, health: "unresponsive", state: "awaiting_model" }),
    hb("e", { startedAt: NOW - 5_000, state: "tool_exec", health: "active", model: "beta" }),
  ];

  it("session sorts by the name the SESSION column shows: the label, else the key", () => {
    const list = [hb("agent:main:aaa", { label: "banana" }), hb("agent:main:zzz", { label: "apple" }), hb("agent:main:mmm", { label: "  " })];
    expect(keys(sortHeartbeats(list, { field: "session", dir: "asc" }))).toEqual(["agent:main:mmm", "agent:main:zzz", "agent:main:aaa"]);
  });

  it("puts unresponsive, then stalled first, then newest activity (missing last) by default", () => {
    expect(keys(sortHeartbeats(list))).toEqual(["d", "c", "b", "a", "e"]);
  });

  it.each([
    ["activity:asc", ["d", "c", "a", "b", "e"]],
    ["elapsed", ["d", "c", "a", "b", "e"]],
    ["elapsed:asc", ["d", "c", "e", "b", "a"]],
    ["session:desc", ["d", "c", "e", "b", "a"]],
    ["model", ["d", "c", "b", "e", "a"]],
    ["state", ["d", "c", "e", "b", "a"]],
    ["health", ["d", "c", "e", "b", "a"]],
  ])("%s keeps problems first", (spec, expected) => {
    expect(keys(sortHeartbeats(list, parseSort(spec)))).toEqual(expected);
  });

  it("breaks ties by sessionKey, whatever the input order", () => {
    const tied = ["k3", "k1", "k2"].map((k) => hb(k, { lastActivityAt: NOW }));
    expect(keys(sortHeartbeats(tied))).toEqual(["k1", "k2", "k3"]);
    expect(keys(sortHeartbeats([...tied].reverse()))).toEqual(["k1", "k2", "k3"]);
  });

  it("does not modify its input", () => {
    const copy = [...list];
    sortHeartbeats(list);
    expect(list).toEqual(copy);
  });
});

describe("filterHeartbeats", () => {
  const list = [
    hb("agent:main:main", { lastActivityAt: NOW - 30_000, model: "gpt-5" }),
    hb("agent:ops:cron:nightly", { agentId: "ops", lastActivityAt: NOW - 3_600_000, label: "Nightly report" }),
    hb("agent:main:stuck", { health: "stalled", state: "awaiting_model", lastActivityAt: NOW - 7_200_000 }),
    hb("agent:main:dead", { health: "unresponsive", state: "tool_exec", toolName: "exec", drift: "running in index, lock owner pid 9 is dead" }),
  ];

  it.each([
    ["no filter", { now: NOW }, ["agent:main:main", "agent:ops:cron:nightly", "agent:main:stuck", "agent:main:dead"]],
    ["problems only", { problemsOnly: true, now: NOW }, ["agent:main:stuck", "agent:main:dead"]],
    ["active within 10m (runs in progress always count)", { activeWithinMs: 600_000, now: NOW }, ["agent:main:main", "agent:main:stuck", "agent:main:dead"]],
    ["text in the label, case-insensitive", { text: "NIGHTLY", now: NOW }, ["agent:ops:cron:nightly"]],
    ["text in the tool or drift", { text: "pid 9", now: NOW }, ["agent:main:dead"]],
    ["text in the model", { text: "gpt", now: NOW }, ["agent:main:main"]],
    ["combined", { problemsOnly: true, text: "stuck", now: NOW }, ["agent:main:stuck"]],
  ])("%s", (_name, filter, expected) => {
    expect(keys(filterHeartbeats(list, filter))).toEqual(expected);
  });
});

describe("arrangesAlike", () => {
  const base = hb("s-1", { lastActivityAt: NOW - 5_000, model: "gpt-5", reasons: ["ended 1m ago"] });
  const all = { now: NOW };

  it("holds for a heartbeat that differs only in what neither the order nor the filter reads", () => {
    expect(arrangesAlike(base, { ...base, reasons: ["ended 2m ago"] }, parseSort("activity"), all)).toBe(true);
  });

  it("fails when the sort field moved, but not when another field did", () => {
    const later = { ...base, lastActivityAt: NOW };
    expect(arrangesAlike(base, later, parseSort("activity"), all)).toBe(false);
    expect(arrangesAlike(base, later, parseSort("session"), all)).toBe(true);
  });

  it("fails when a problem appears, whatever the sort", () => {
    expect(arrangesAlike(base, { ...base, health: "stalled" }, parseSort("session"), all)).toBe(false);
  });

  it("fails when the heartbeat enters or leaves the filter", () => {
    expect(arrangesAlike(base, { ...base, model: "claude-opus" }, parseSort("activity"), { now: NOW, text: "gpt" })).toBe(false);
    expect(arrangesAlike(base, { ...base, model: "claude-opus" }, parseSort("activity"), all)).toBe(true);
  });
});
