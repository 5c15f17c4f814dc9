// The live feed's rules beyond the verdict: which runs can still move (serve's timer
// heartbeats), and when a heartbeat's reasons can read differently with no file changing.
import { describe, expect, it } from "vitest";
import type { SessionFacts } from "../../../src/core/health/index.js";
import { runCanMove } from "../../../src/core/live/judge-live.js";
import { rejudgeAfterMs, youngestAgeShown } from "../../../src/core/live/rejudge-after.js";
import { ago, entry, evidence, gateway, lock } from "./fixtures.js";

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
    expect(rejudgeAfterMs(lastActivityAt, now)).toBe(want);
  });
});

describe("youngestAgeShown: the moment whose age moves the reasons' wording first", () => {
  const claimed = facts({ claim, lastActivityAt: ago(3 * 86_400) });
  it.each([
    ["the last activity, when nothing shown is younger", evidence(), facts({ lastActivityAt: ago(600) }), ago(600)],
    ["a lock file written after the last activity (an unreadable body has no createdAt)", evidence({ lock: lock("unknown", undefined, { mtimeMs: ago(20) }) }), claimed, ago(20)],
    ["a live gateway's start, named by a claimed run's liveness reasons", evidence({ gateway: gateway(true, ago(300)) }), claimed, ago(300)],
    ["but not for a resting session, whose reasons do not name the gateway", evidence({ gateway: gateway(true, ago(300)) }), facts({ lastActivityAt: ago(86_400) }), ago(86_400)],
    ["a recovery mark's updatedAt", evidence({ entry: entry({ status: "running", abortedLastRun: true, updatedAt: ago(30) }) }), claimed, ago(30)],
  ])("%s", (_what, ev, f, want) => {
    expect(youngestAgeShown(ev, f)).toBe(want);
  });
});
