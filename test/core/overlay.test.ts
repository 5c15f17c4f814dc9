import { describe, expect, it } from "vitest";
import { EMPTY_OVERLAY, listRows, reduceOverlay, refineHeartbeat, type OverlayInput, type OverlayState } from "../../src/core/overlay.js";
import type { Heartbeat, Thresholds } from "../../src/core/types.js";

const KEY = "agent:main:main";
const T0 = 1_790_000_000_000;
const TH: Thresholds = { stallAfterMs: 120_000, perState: {} };

function agent(stream: string, data: Record<string, unknown>, ts: number, runId = "run-1", sessionKey = KEY): OverlayInput {
  return { kind: "agent", payload: { runId, seq: 1, stream, ts, data, sessionKey }, receivedAt: ts };
}

function run(inputs: OverlayInput[], start: OverlayState = EMPTY_OVERLAY): OverlayState {
  return inputs.reduce(reduceOverlay, start);
}

function baseline(over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    sessionKey: KEY,
    agentId: "main",
    sessionId: "s-1",
    state: "awaiting_model",
    health: "waiting",
    startedAt: T0 - 1000,
    reasons: ["index says running"],
    updatedAt: T0 - 1000,
    ...over,
  };
}

describe("reduceOverlay: the live phase of a run", () => {
  const cases: { name: string; inputs: OverlayInput[]; expected: Record<string, unknown> }[] = [
    { name: "lifecycle start is awaiting_model from the start", inputs: [agent("lifecycle", { phase: "start" }, T0)], expected: { state: "awaiting_model", since: T0, runStartedAt: T0, hasActiveRun: true } },
    {
      name: "an assistant delta is streaming and sets lastTokenAt",
      inputs: [agent("lifecycle", { phase: "start" }, T0), agent("assistant", { text: "He", delta: "He" }, T0 + 500)],
      expected: { state: "streaming", since: T0 + 500, lastTokenAt: T0 + 500 },
    },
    {
      name: "more deltas keep the streaming phase's start",
      inputs: [agent("lifecycle", { phase: "start" }, T0), agent("assistant", { delta: "a" }, T0 + 500), agent("assistant", { delta: "b" }, T0 + 900)],
      expected: { state: "streaming", since: T0 + 500, lastTokenAt: T0 + 900 },
    },
    {
      name: "a tool item start is tool_exec with the tool's name",
      inputs: [agent("lifecycle", { phase: "start" }, T0), agent("item", { kind: "tool", phase: "start", name: "exec", toolCallId: "c1" }, T0 + 100)],
      expected: { state: "tool_exec", toolName: "exec", toolCallId: "c1", since: T0 + 100 },
    },
    {
      name: "the older `tool` stream is read the same way",
      inputs: [agent("tool", { phase: "start", name: "read", toolCallId: "c1" }, T0 + 100)],
      expected: { state: "tool_exec", toolName: "read" },
    },
    {
      name: "a tool end is awaiting_model until the next delta",
      inputs: [agent("item", { kind: "tool", phase: "start", name: "exec", toolCallId: "c1" }, T0), agent("item", { kind: "tool", phase: "end", name: "exec", toolCallId: "c1" }, T0 + 4000)],
      expected: { state: "awaiting_model", since: T0 + 4000, toolName: undefined },
    },
    {
      name: "another call's end leaves the open tool running",
      inputs: [agent("item", { kind: "tool", phase: "start", name: "exec", toolCallId: "c1" }, T0), agent("item", { kind: "tool", phase: "end", name: "read", toolCallId: "c2" }, T0 + 10)],
      expected: { state: "tool_exec", toolName: "exec" },
    },
    {
      name: "a non-tool item changes nothing",
      inputs: [agent("lifecycle", { phase: "start" }, T0), agent("item", { kind: "message", phase: "start" }, T0 + 10)],
      expected: { state: "awaiting_model", since: T0 },
    },
    {
      name: "lifecycle end ends the turn",
      inputs: [agent("lifecycle", { phase: "start" }, T0), agent("assistant", { delta: "x" }, T0 + 1), agent("lifecycle", { phase: "end" }, T0 + 2)],
      expected: { state: undefined, hasActiveRun: false, ended: { runId: "run-1", at: T0 + 2, how: "end" } },
    },
    {
      name: "lifecycle error ends the turn",
      inputs: [agent("lifecycle", { phase: "start" }, T0), agent("lifecycle", { phase: "error" }, T0 + 2)],
      expected: { state: undefined, ended: { runId: "run-1", at: T0 + 2, how: "error" } },
    },
    {
      name: "a late frame of an ended run does not reopen it",
      inputs: [agent("lifecycle", { phase: "start" }, T0), agent("lifecycle", { phase: "end" }, T0 + 2), agent("assistant", { delta: "late" }, T0 + 3)],
      expected: { state: undefined, ended: { runId: "run-1", at: T0 + 2, how: "end" } },
    },
    {
      name: "9.6 phase=model is the model in use, not awaiting the model",
      inputs: [agent("lifecycle", { phase: "start" }, T0), agent("assistant", { delta: "x" }, T0 + 1), agent("lifecycle", { phase: "model", model: "scripted/slow" }, T0 + 2)],
      expected: { state: "streaming", model: "scripted/slow" },
    },
    {
      name: "9.6 phase=model with model null keeps the known model",
      inputs: [agent("lifecycle", { phase: "model", model: "m1" }, T0), agent("lifecycle", { phase: "model", model: null }, T0 + 2)],
      expected: { model: "m1" },
    },
    {
      name: "finishing changes nothing",
      inputs: [agent("lifecycle", { phase: "start" }, T0), agent("assistant", { delta: "x" }, T0 + 1), agent("lifecycle", { phase: "finishing" }, T0 + 2)],
      expected: { state: "streaming" },
    },
    {
      name: "a run first seen mid-way is in progress",
      inputs: [agent("assistant", { delta: "x" }, T0, "run-9")],
      expected: { state: "streaming", runId: "run-9", hasActiveRun: true },
    },
    {
      name: "a 9.6 execution event is not a tool_wait",
      inputs: [agent("item", { kind: "tool", phase: "start", name: "exec", toolCallId: "c1" }, T0), agent("execution", { phase: "approval" }, T0 + 5)],
      expected: { state: "tool_exec" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(run(c.inputs)[KEY]).toMatchObject(c.expected);
    });
  }

  it("an event with no sessionKey is ignored", () => {
    expect(run([{ kind: "agent", payload: { runId: "r", stream: "assistant", ts: T0, data: {} }, receivedAt: T0 }])).toEqual({});
  });

  it("chat events are never fed (the client passes only agent and sessions.changed)", () => {
    // the reducer's input kinds have no chat: a chat delta after lifecycle end cannot restart streaming
    const ended = run([agent("lifecycle", { phase: "start" }, T0), agent("lifecycle", { phase: "end" }, T0 + 1)]);
    expect(ended[KEY].state).toBeUndefined();
  });
});

describe("reduceOverlay: sessions.list and sessions.changed", () => {
  const row = (over: Record<string, unknown>) => ({ kind: "list" as const, rows: [{ key: KEY, sessionId: "s-1", status: "running", ...over }], receivedAt: T0 + 50 });

  it("hasActiveRun is taken from the row", () => {
    expect(run([row({ hasActiveRun: true })])[KEY]).toMatchObject({ hasActiveRun: true, sessionId: "s-1" });
  });
  it("activeRunIds stands in for hasActiveRun", () => {
    expect(run([row({ activeRunIds: [] })])[KEY]).toMatchObject({ hasActiveRun: false });
  });
  it("a listed idle session ends a turn whose end was missed", () => {
    const s = run([agent("lifecycle", { phase: "start" }, T0), row({ hasActiveRun: false })]);
    expect(s[KEY]).toMatchObject({ state: undefined, ended: { how: "listed idle", at: T0 + 50 } });
  });
  it("a new sessionId under the key drops the old facts", () => {
    const s = run([row({ hasActiveRun: true }), agent("assistant", { delta: "x" }, T0), { kind: "list", rows: [{ key: KEY, sessionId: "s-2", hasActiveRun: false }], receivedAt: T0 + 60 }]);
    expect(s[KEY]).toEqual({ sessionKey: KEY, sessionId: "s-2", hasActiveRun: false });
  });
  for (const reason of ["reset", "new", "delete"]) {
    it(`sessions.changed reason ${reason} drops the session's facts`, () => {
      const s = run([agent("assistant", { delta: "x" }, T0), { kind: "sessions.changed", payload: { key: KEY, reason }, receivedAt: T0 + 1 }]);
      expect(s[KEY]).toBeUndefined();
    });
  }
  it("listRows reads a list, a 9.6 subscribe answer and a bare array", () => {
    const rows = [{ key: KEY }];
    expect(listRows({ sessions: rows })).toBe(rows);
    expect(listRows({ subscribed: true, list: { sessions: rows } })).toBe(rows);
    expect(listRows(rows)).toBe(rows);
    expect(listRows({ subscribed: true })).toBeUndefined();
  });
});

describe("refineHeartbeat: the files/DB verdict stays the baseline", () => {
  const streaming = run([agent("lifecycle", { phase: "start", model: "m-live" }, T0), agent("assistant", { delta: "x" }, T0 + 1000)]);

  it("no live facts: the heartbeat is returned unchanged", () => {
    const hb = baseline();
    expect(refineHeartbeat(hb, undefined, T0, TH)).toBe(hb);
  });
  it("streaming: state streaming, health active, source gateway, reasons kept and added", () => {
    const hb = refineHeartbeat(baseline(), streaming[KEY], T0 + 2000, TH);
    expect(hb).toMatchObject({ state: "streaming", health: "active", source: "gateway", model: "m-live", lastTokenAt: T0 + 1000, startedAt: T0, turnId: "run-1" });
    expect(hb.reasons[0]).toBe("index says running");
    expect(hb.reasons.some((r) => r.startsWith("gateway: the model is streaming"))).toBe(true);
  });
  it("tool_exec carries the tool's name and is active", () => {
    const s = run([agent("item", { kind: "tool", phase: "start", name: "exec", toolCallId: "c1" }, T0)]);
    expect(refineHeartbeat(baseline(), s[KEY], T0 + 1000, TH)).toMatchObject({ state: "tool_exec", toolName: "exec", health: "active" });
  });
  it("awaiting_model past the stall threshold is stalled (the one stall rule)", () => {
    const s = run([agent("lifecycle", { phase: "start" }, T0)]);
    expect(refineHeartbeat(baseline(), s[KEY], T0 + 121_000, TH)).toMatchObject({ state: "awaiting_model", health: "stalled" });
    expect(refineHeartbeat(baseline(), s[KEY], T0 + 60_000, TH)).toMatchObject({ state: "awaiting_model", health: "waiting" });
  });
  it("facts of another sessionId under the key do not refine", () => {
    const s = run([{ kind: "list", rows: [{ key: KEY, sessionId: "s-other", hasActiveRun: true }], receivedAt: T0 }, agent("assistant", { delta: "x" }, T0)]);
    const hb = baseline();
    expect(refineHeartbeat(hb, s[KEY], T0, TH)).toBe(hb);
  });
  it("the gateway's lifecycle end completes a turn the files still show running", () => {
    const s = run([agent("lifecycle", { phase: "start" }, T0), agent("lifecycle", { phase: "error" }, T0 + 5)]);
    expect(refineHeartbeat(baseline(), s[KEY], T0 + 10, TH)).toMatchObject({ state: "complete", health: "idle", source: "gateway" });
  });
  it("an end older than the files' turn start does not end the newer turn", () => {
    const s = run([agent("lifecycle", { phase: "start" }, T0 - 5000), agent("lifecycle", { phase: "end" }, T0 - 4000)]);
    const hb = baseline({ startedAt: T0 });
    expect(refineHeartbeat(hb, s[KEY], T0 + 10, TH)).toBe(hb);
  });
  it("hasActiveRun confirms liveness the files could not see (unresponsive -> waiting)", () => {
    const s = run([{ kind: "list", rows: [{ key: KEY, sessionId: "s-1", hasActiveRun: true }], receivedAt: T0 }]);
    expect(refineHeartbeat(baseline({ health: "unresponsive" }), s[KEY], T0, TH)).toMatchObject({ state: "awaiting_model", health: "waiting", source: "gateway" });
  });
  it("no active run in the registry does not end a run the gateway cannot see (--local)", () => {
    const s = run([{ kind: "list", rows: [{ key: KEY, sessionId: "s-1", hasActiveRun: false }], receivedAt: T0 }]);
    const hb = baseline({ state: "tool_exec", toolName: "exec", health: "active" });
    expect(refineHeartbeat(hb, s[KEY], T0, TH)).toBe(hb);
  });
  it("a resting session is not given a run by the registry alone", () => {
    const s = run([{ kind: "list", rows: [{ key: KEY, sessionId: "s-1", hasActiveRun: true }], receivedAt: T0 }]);
    const hb = baseline({ state: "complete", health: "idle" });
    expect(refineHeartbeat(hb, s[KEY], T0, TH)).toBe(hb);
  });
});
