import { describe, expect, it } from "vitest";
import { currentRun, runEnd } from "../../../src/core/health/currentRun.js";
import { NOW, ago, run, toolCall, trajectory } from "./evidence.js";

const ended = (s: number, status = "success") => ({ status, at: ago(s) });

describe("runEnd", () => {
  it.each([
    ["no session.ended", run({ promptSubmittedAt: ago(5) }), undefined],
    ["session.ended", run({ promptSubmittedAt: ago(9), ended: ended(5) }), ended(5)],
    ["session.ended then model.fallback_step", run({ promptSubmittedAt: ago(9), lastEventAt: ago(4), ended: ended(5, "error") }), ended(5, "error")],
    ["a retry's prompt after session.ended(error)", run({ promptSubmittedAt: ago(3), ended: ended(5, "error") }), undefined],
    ["a tool call after session.ended", run({ openToolCalls: [toolCall("exec", ago(2))], ended: ended(5, "error") }), undefined],
  ] as const)("%s", (_name, r, expected) => {
    expect(runEnd(r)).toEqual(expected);
  });
});

describe("currentRun", () => {
  const done = run({ runId: "75c1aa26-c477", firstEventAt: ago(70), lastEventAt: ago(60), ended: ended(60) });
  const open = run({ runId: "0badc0de-1", firstEventAt: ago(70), lastEventAt: ago(50), promptSubmittedAt: ago(69) });

  it.each([
    ["no sidecar", undefined, undefined, false, "no trajectory sidecar (capture off, or OpenClaw before 2026.4.22)"],
    ["no readable event", trajectory(undefined), undefined, false, "trajectory holds no readable event"],
    ["no anchor: the last run is the current one", trajectory(done), undefined, true, "trajectory run 75c1aa26 ended success 1m00s ago"],
    ["ended after the run started", trajectory(done), ago(65), true, "trajectory run 75c1aa26 ended success 1m00s ago"],
    [
      "ended before the run started (2026.7.1 writes at the end)",
      trajectory(done),
      ago(5),
      false,
      "trajectory run 75c1aa26 ended success 1m00s ago, before the current run started: the current run is not recorded yet",
    ],
    ["open and written since the run started (2026.4.26 writes live)", trajectory(open), ago(65), true, "trajectory run 0badc0de has not ended (last event 50s ago)"],
    [
      "open but silent since before the run started (an earlier killed run)",
      trajectory(open),
      ago(5),
      false,
      "trajectory run 0badc0de was last written 50s ago, before the current run started: the current run is not recorded yet",
    ],
  ] as const)("%s", (_name, tail, anchor, isCurrent, reason) => {
    const cur = currentRun(tail, anchor, NOW);
    expect(cur.run !== undefined).toBe(isCurrent);
    expect(cur.reason).toBe(reason);
    if (tail?.run) expect(cur.last).toBe(tail.run);
  });

  it("reports the end only of a current run", () => {
    expect(currentRun(trajectory(done), ago(65), NOW).end).toEqual(ended(60));
    expect(currentRun(trajectory(done), ago(5), NOW).end).toBeUndefined();
  });
});
