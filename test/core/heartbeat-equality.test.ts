// When two heartbeats of a session are the same: as shown (sameHeartbeat: the live feed keeps the
// object), and as a verdict (sameVerdict: serve pushes no event when only the ages moved).
import { describe, expect, it } from "vitest";
import { sameHeartbeat, sameVerdict } from "../../src/core/heartbeat-equality.js";
import type { Heartbeat } from "../../src/core/types.js";

const NOW = Date.parse("2026-07-01T12:00:00Z");
const dead: Heartbeat = {
  sessionKey: "agent:main:a",
  agentId: "main",
  sessionId: "id-a",
  state: "awaiting_model",
  health: "unresponsive",
  storeStatus: "running",
  drift: "running in index, run ended 11m38s ago (error)",
  outcome: "failed",
  outcomeReason: "lock owner pid 4729 is dead (lock taken 11m38s ago); cleanup --finalize-stale writes failed",
  reasons: ["index says running, run started 11m38s ago"],
  updatedAt: NOW - 60_000,
};

describe("sameVerdict / sameHeartbeat", () => {
  it.each<[string, Partial<Heartbeat>]>([
    ["the age in the outcome reason moved", { outcomeReason: "lock owner pid 4729 is dead (lock taken 11m47s ago); cleanup --finalize-stale writes failed" }],
    ["the age in the drift moved into the next unit", { drift: "running in index, run ended 1h00m ago (error)" }],
    ["the ages in the reasons moved", { reasons: ["index says running, run started 2d3h ago"] }],
  ])("%s: the same verdict, not the same heartbeat", (_what, change) => {
    expect(sameVerdict(dead, { ...dead, ...change })).toBe(true);
    expect(sameHeartbeat(dead, { ...dead, ...change })).toBe(false);
  });

  it.each<[string, Partial<Heartbeat>]>([
    ["an outcome appeared (cleanup's repair once --stale-after passed), no reason changed", { outcome: undefined, outcomeReason: undefined }],
    ["the outcome reason names another owner", { outcomeReason: "lock owner pid 4730 is dead (lock taken 11m38s ago); cleanup --finalize-stale writes failed" }],
    ["the drift says something else", { drift: "running in index, lock owner pid 4729 is dead" }],
    ["the era is known now", { era: "B" }],
  ])("%s: a new verdict", (_what, change) => {
    expect(sameVerdict(dead, { ...dead, ...change })).toBe(false);
    expect(sameHeartbeat(dead, { ...dead, ...change })).toBe(false);
  });
});
