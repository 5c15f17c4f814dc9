// The live feed's two rules beyond the verdict: which runs can still move (serve's timer
// heartbeats), and when a resting session's reasons can read differently with no file changing.
import { describe, expect, it } from "vitest";
import type { SessionFacts } from "../../../src/core/health/index.js";
import { runCanMove } from "../../../src/core/live/judge-live.js";
import { rejudgeAfterMs } from "../../../src/core/live/rejudge-after.js";

const facts = (over: Partial<SessionFacts>): SessionFacts =>
  ({ owner: { kind: "none" }, current: {}, activity: { state: "awaiting_model" }, ...over }) as unknown as SessionFacts;
const claim = { reason: "index says running" } as unknown as SessionFacts["claim"];

describe("runCanMove", () => {
  it.each([
    ["no claim: nothing in progress", facts({}), false],
    ["claimed, its owner alive", facts({ claim, live: { kind: "owner", reason: "" } }), true],
    ["claimed, inside the live gateway", facts({ claim, live: { kind: "gateway", reason: "" } }), true],
    ["claimed, OpenClaw recovering it", facts({ claim, live: { kind: "recovering", reason: "" } }), true],
    ["claimed, nothing alive (unresponsive, owner gone)", facts({ claim, live: { kind: "none", reason: "", repairBy: "cleanup" } }), false],
    ["claimed but the turn ended", facts({ claim, live: { kind: "owner", reason: "" }, activity: { state: "complete" } as SessionFacts["activity"] }), false],
    ["lost", facts({ claim, live: { kind: "none", reason: "" }, lost: true }), false],
    ["past the whole-run timeout, owner alive", facts({ claim, live: { kind: "owner", reason: "" }, pastRunTimeout: true }), true],
  ])("%s", (_what, f, want) => {
    expect(runCanMove(f)).toBe(want);
  });
});

describe("rejudgeAfterMs", () => {
  const now = Date.parse("2026-07-01T12:00:00Z");
  it.each([
    ["ages in seconds (under an hour)", now - 59 * 60_000, 0],
    ["ages in minutes (under a day)", now - 2 * 3_600_000, 60_000],
    ["ages in hours (a day and more)", now - 3 * 86_400_000, 3_600_000],
    ["no activity known", undefined, 3_600_000],
  ])("%s", (_what, lastActivityAt, want) => {
    expect(rejudgeAfterMs({ lastActivityAt }, now)).toBe(want);
  });
});
