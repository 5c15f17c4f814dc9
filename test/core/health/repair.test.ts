// judgeRepair for a `running` row whose trajectory already ended the run: which endings the
// gateway persists only after its 15 s error grace, and what a gateway that died (or restarted)
// inside that grace leaves to OpenClaw's restart recovery. The shapes are the ones real 2026.7.1
// wrote (test/fixtures/real-openclaw/s5-errors-within-grace; the interop row "model HTTP 500,
// gateway SIGTERM inside the 15 s error grace"): index `running`, no transcript lock,
// session.ended(error), for HTTP 500 a model.fallback_step with failure reason `timeout` after it.
import { describe, expect, it } from "vitest";
import { judgeSession } from "../../../src/core/health/deriveHeartbeat.js";
import { outcomeRow, persistedAfterGrace } from "../../../src/core/health/outcome.js";
import type { Evidence, GatewayInfo, RunEndRecord } from "../../../src/core/types.js";
import { ago, entry, evidence, gateway, NOW, run, TH, trajectory, transcript } from "./evidence.js";

const END_AGO_S = 10; // inside OpenClaw's 15 s grace, and inside our 30 s one
const short = { ...TH, staleAfterMs: 1_000 }; // the interop run's --stale-after 1s

function endedRow(end: Omit<RunEndRecord, "at">, gw: GatewayInfo | undefined): Evidence {
  const at = ago(END_AGO_S);
  return evidence({
    entry: entry({ status: "running", startedAt: ago(12), updatedAt: ago(12), abortedLastRun: false }),
    transcript: transcript({ lastRole: "assistant", lastStopReason: "error", lastMessageAt: at - 50, lastEntryAt: at - 50 }),
    trajectory: trajectory(run({ firstEventAt: ago(12), lastEventAt: at + 20, promptSubmittedAt: ago(12), ended: { ...end, at } })),
    ...(gw ? { gateway: gw } : {}),
  });
}

const HTTP500 = { status: "error", failoverReason: "timeout" } as const;
const MALFORMED = { status: "error" } as const;
const TIMEOUT_FLAG = { status: "error", timedOut: true } as const;
const ABORT = { status: "error", externalAbort: true, aborted: true } as const;
const SUCCESS = { status: "success" } as const;

// who could still persist the ending, as the store layer reports it
const NO_LOCK = undefined; // a SIGTERMed gateway removes its singleton lock: no gateway evidence
const DEAD = gateway(false, ago(3600), { probe: "failed" }); // a SIGKILLed one leaves it, owner dead
const SAME_ALIVE = gateway(true, ago(3600)); // the gateway that ran it, still up
const RESTARTED = gateway(true, ago(END_AGO_S - 5)); // a new gateway started after the end

const RECOVERY = { status: "failed", abortedLastRun: true, runtimeMs: false };

describe("persistedAfterGrace: the endings 2026.7.1 persists only after its 15 s grace", () => {
  it.each([
    ["HTTP 500 (error, fallback failure reason timeout)", HTTP500, true],
    ["malformed stream (plain error)", MALFORMED, true],
    ["--timeout (error + timedOut): persisted at once", TIMEOUT_FLAG, false],
    ["user abort (error + externalAbort): persisted at once", ABORT, false],
    ["success", SUCCESS, false],
    ["2026.4.26 abort (interrupted)", { status: "interrupted" }, false],
  ] as const)("%s -> %s", (_name, end, graced) => {
    expect(persistedAfterGrace({ ...end, at: NOW })).toBe(graced);
  });
});

describe("judgeRepair: a running row whose run already ended, 10 s after the end", () => {
  it.each([
    // the interop row: recovery wrote failed + abortedLastRun, no runtimeMs
    ["HTTP 500, gateway SIGTERMed (lock removed)", HTTP500, NO_LOCK, "run-ended", RECOVERY],
    ["HTTP 500, gateway SIGKILLed (lock left, owner dead)", HTTP500, DEAD, "run-ended", RECOVERY],
    ["HTTP 500, a gateway restarted since the end", HTTP500, RESTARTED, "run-ended", RECOVERY],
    ["malformed, gateway SIGTERMed", MALFORMED, NO_LOCK, "run-ended", RECOVERY],
    ["malformed, gateway SIGKILLed", MALFORMED, DEAD, "run-ended", RECOVERY],
    // persisted at once by the gateway: the ending's own row
    ["--timeout, gateway gone", TIMEOUT_FLAG, NO_LOCK, "run-ended", { status: "timeout", abortedLastRun: false, runtimeMs: true }],
    ["user abort, gateway gone", ABORT, NO_LOCK, "run-ended", { status: "killed", abortedLastRun: true, runtimeMs: true }],
    ["success, gateway gone", SUCCESS, NO_LOCK, "run-ended", { status: "done", abortedLastRun: false, runtimeMs: true }],
  ] as const)("%s -> finalize (%s)", (_name, end, gw, rule, want) => {
    const { hb, facts } = judgeSession(endedRow(end, gw), NOW, short);
    const repair = facts.repair;
    expect(repair).toMatchObject({ kind: "finalize", rule, status: want.status, endedAt: ago(END_AGO_S) });
    if (repair?.kind !== "finalize") throw new Error("unreachable");
    expect(repair.set).toMatchObject({ status: want.status, abortedLastRun: want.abortedLastRun, endedAt: ago(END_AGO_S) });
    expect("runtimeMs" in repair.set).toBe(want.runtimeMs);
    // status shows as the outcome what cleanup writes
    expect(hb.outcome).toBe(want.status);
  });

  it("says why an HTTP 500 whose gateway is gone is not written as the timeout the gateway would have persisted", () => {
    const repair = judgeSession(endedRow(HTTP500, NO_LOCK), NOW, short).facts.repair;
    expect(repair?.reasons.join("\n")).toMatch(/failure reason timeout/);
    expect(repair?.reasons.join("\n")).toMatch(/no live gateway: nothing persists the error, OpenClaw's restart recovery writes it as a dead run/);
  });

  it.each([
    ["HTTP 500", HTTP500, "timeout"],
    ["malformed", MALFORMED, "failed"],
  ] as const)("%s with the gateway that ran it still up: kept for its grace, outcome what that gateway persists (%s)", (_name, end, persisted) => {
    const { hb, facts } = judgeSession(endedRow(end, SAME_ALIVE), NOW, short);
    expect(facts.repair).toMatchObject({ kind: "keep", rule: "error-grace" });
    expect(hb.outcome).toBe(persisted);
  });

  it("HTTP 500 with the same gateway up past our grace: the status it persists (timeout, with runtimeMs)", () => {
    const ev = endedRow(HTTP500, SAME_ALIVE);
    const { hb, facts } = judgeSession(ev, NOW + 25_000, short);
    expect(facts.repair).toMatchObject({ kind: "finalize", rule: "run-ended", status: "timeout" });
    if (facts.repair?.kind !== "finalize") throw new Error("unreachable");
    expect(facts.repair.set).toMatchObject({ abortedLastRun: false, runtimeMs: 2_000 });
    expect(hb.outcome).toBe("timeout");
  });

  it.each([
    ["--timeout", TIMEOUT_FLAG, "timeout"],
    ["user abort", ABORT, "killed"],
  ] as const)("%s with the gateway up is not held back by the error grace (persisted at once)", (_name, end, status) => {
    expect(judgeSession(endedRow(end, SAME_ALIVE), NOW, short).facts.repair).toMatchObject({ kind: "finalize", rule: "run-ended", status });
  });
});

describe("judgeRepair: a --timeout run whose gateway died before writing the timeout status", () => {
  // 2026.4.26 under load: the row caught `running` with abortedLastRun already set (its timeout
  // path sets the flag first), session.ended(interrupted, timedOut) recorded, gateway gone
  const INTERRUPTED_TIMEOUT = { status: "interrupted", timedOut: true } as const;
  function caught(aborted: boolean, era?: Evidence["era"]): Evidence {
    const ev = endedRow(INTERRUPTED_TIMEOUT, NO_LOCK);
    return { ...ev, entry: { ...ev.entry, abortedLastRun: aborted }, ...(era ? { era } : {}) };
  }
  const flagOf = (ev: Evidence): unknown => {
    const repair = judgeSession(ev, NOW, short).facts.repair;
    if (repair?.kind !== "finalize") throw new Error(`not finalized: ${JSON.stringify(repair)}`);
    expect(repair.set.status).toBe("timeout");
    return repair.set.abortedLastRun;
  };

  it("version unknown (no lock, no config stamp): the flag the gateway already set is kept, as its 2026.4 table has it", () => {
    expect(flagOf(caught(true))).toBe(true);
    expect(flagOf(caught(true, "AB"))).toBe(true);
    const repair = judgeSession(caught(true), NOW, short).facts.repair;
    expect(repair?.reasons.at(-1)).toMatch(/abortedLastRun as the row has it/);
  });

  it("version unknown, flag not set: not set (the 2026.5-2026.7 table)", () => {
    expect(flagOf(caught(false))).toBe(false);
  });

  it("a run past its whole-run timeout with no end recorded (run-timeout) takes the table's flag: the row's says nothing of who wrote it", () => {
    expect(outcomeRow("run-timeout", undefined, true).abortedLastRun).toBe(false);
    expect(outcomeRow("timeout", undefined, true).abortedLastRun).toBe(true);
  });

  it("a row that already holds this run's end (its start patch persisted after its timeout patch): that endedAt and runtimeMs are kept", () => {
    // 2026.4.26 under load: status back to running, the timeout patch's endedAt and runtimeMs left in place
    const ev = caught(true);
    const startedAt = ev.entry.startedAt as number;
    const withEnd = { ...ev, entry: { ...ev.entry, endedAt: startedAt + 1_000, runtimeMs: 1_000 } };
    const repair = judgeSession(withEnd, NOW, short).facts.repair;
    if (repair?.kind !== "finalize") throw new Error(`not finalized: ${JSON.stringify(repair)}`);
    expect(repair.set).toMatchObject({ status: "timeout", endedAt: startedAt + 1_000, runtimeMs: 1_000, abortedLastRun: true });
    expect(repair.reasons.join("\n")).toMatch(/already holds this run's end as its gateway wrote it/);
    // an end from before this run's start is an earlier run's: the recorded end is used
    const stale = { ...ev, entry: { ...ev.entry, endedAt: startedAt - 60_000 } };
    const again = judgeSession(stale, NOW, short).facts.repair;
    expect(again).toMatchObject({ kind: "finalize", endedAt: ago(END_AGO_S), set: { runtimeMs: ago(END_AGO_S) - startedAt } });
    // a runtimeMs without an endedAt (what recovery left of the interop row): kept, the end recorded
    const runtimeOnly = { ...ev, entry: { ...ev.entry, runtimeMs: 500 } };
    expect(judgeSession(runtimeOnly, NOW, short).facts.repair).toMatchObject({ kind: "finalize", endedAt: ago(END_AGO_S), set: { runtimeMs: 500 } });
  });

  it("version known: its own table, whatever the row has", () => {
    expect(flagOf(caught(false, "A"))).toBe(true);
    expect(flagOf(caught(true, "B"))).toBe(false);
  });
});
