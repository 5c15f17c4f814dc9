import { describe, expect, it } from "vitest";
import { currentRun } from "../../../src/core/health/currentRun.js";
import { finalReply, toolInFlight, transcriptReason, turnActivity } from "../../../src/core/health/turnActivity.js";
import type { Claim } from "../../../src/core/health/runInProgress.js";
import { NOW, ago, evidence, run, toolCall, trajectory, transcript } from "./evidence.js";

const toolUse = (...calls: ReturnType<typeof toolCall>[]) =>
  transcript({ lastRole: "assistant", lastStopReason: "toolUse", lastMessageAt: calls[0]?.since ?? ago(1), openToolCalls: calls });

describe("toolInFlight", () => {
  it.each([
    ["nothing open", undefined, transcript({ lastRole: "user", lastMessageAt: ago(3) }), undefined, undefined],
    ["a transcript toolCall", undefined, toolUse(toolCall("exec", ago(4))), undefined, { name: "exec", since: ago(4), open: 1, source: "transcript" }],
    ["a trajectory tool.call", run({ openToolCalls: [toolCall("browser", ago(6))] }), undefined, undefined, { name: "browser", since: ago(6), open: 1, source: "trajectory" }],
    [
      "the oldest of several, the same call counted once",
      run({ openToolCalls: [toolCall("read", ago(9), "a")] }),
      toolUse(toolCall("read", ago(9), "a"), toolCall("exec", ago(8), "b")),
      undefined,
      { name: "read", since: ago(9), open: 2, source: "trajectory" },
    ],
    ["a toolCall from before this run started", undefined, toolUse(toolCall("exec", ago(60))), ago(10), undefined],
    [
      "calls of a turn a newer user message replaced",
      undefined,
      transcript({ lastRole: "user", lastMessageAt: ago(1), openToolCalls: [toolCall("exec", ago(60))] }),
      undefined,
      undefined,
    ],
  ] as const)("%s", (_name, r, t, notBefore, expected) => {
    expect(toolInFlight(r, t, notBefore)).toEqual(expected);
  });
});

describe("finalReply", () => {
  it.each([
    ["a stop reply", transcript({ lastRole: "assistant", lastStopReason: "stop", lastMessageAt: ago(2) }), undefined, { outcome: "stop", at: ago(2) }],
    ["an error reply", transcript({ lastRole: "assistant", lastStopReason: "error", lastMessageAt: ago(2) }), undefined, { outcome: "error", at: ago(2) }],
    ["a toolUse is not final", toolUse(toolCall("exec", ago(2))), undefined, undefined],
    ["a user message last", transcript({ lastRole: "user", lastMessageAt: ago(2) }), undefined, undefined],
    ["a reply from before this run", transcript({ lastRole: "assistant", lastStopReason: "stop", lastMessageAt: ago(20) }), ago(10), undefined],
    ["no transcript", undefined, undefined, undefined],
  ] as const)("%s", (_name, t, notBefore, expected) => {
    expect(finalReply(t, notBefore)).toEqual(expected);
  });
});

describe("transcriptReason", () => {
  it.each([
    ["missing", evidence(), "transcript not found (/agents/main/sessions/sess-1.jsonl)"],
    ["no message", evidence({ transcript: transcript() }), "transcript holds no message yet"],
    [
      "a last line longer than the tail reader reads",
      evidence({ transcript: transcript({ cutAtCap: { bytes: 4 * 1024 * 1024, lastLine: true } }) }),
      "transcript's last line is longer than the 4 MiB read from its end: its message was not read",
    ],
    [
      "a long line under later lines without a message",
      evidence({ transcript: transcript({ cutAtCap: { bytes: 4 * 1024 * 1024, lastLine: false } }) }),
      "no message in the last 4 MiB of the transcript (it reaches into a line longer than that): older messages were not read",
    ],
    ["user last", evidence({ transcript: transcript({ lastRole: "user", lastMessageAt: ago(42) }) }), "transcript ends with a user message 42s ago"],
    ["tool result last", evidence({ transcript: transcript({ lastRole: "toolResult", lastMessageAt: ago(2) }) }), "transcript ends with a tool result 2s ago"],
    ["open toolCall", evidence({ transcript: toolUse(toolCall("exec", ago(4))) }), "transcript ends with an unanswered tool call (exec) 4s ago"],
    [
      "a reply",
      evidence({ transcript: transcript({ lastRole: "assistant", lastStopReason: "length", lastMessageAt: ago(3) }) }),
      "transcript ends with the model's reply (length) 3s ago",
    ],
  ] as const)("%s", (_name, ev, reason) => {
    expect(transcriptReason(ev, undefined, NOW)).toBe(reason);
  });

  it("marks a tail older than the running row's start", () => {
    const ev = evidence({ transcript: transcript({ lastRole: "assistant", lastStopReason: "stop", lastMessageAt: ago(30) }) });
    expect(transcriptReason(ev, ago(5), NOW)).toBe("transcript ends with the model's reply (stop) 30s ago, from before this run started");
  });
});

describe("turnActivity", () => {
  const running = (s: number): Claim => ({ by: "index", anchor: ago(s), indexStartedAt: ago(s), reason: "" });

  it.each([
    {
      name: "trajectory session.ended -> complete with its status",
      ev: evidence({ trajectory: trajectory(run({ lastEventAt: ago(2), ended: { status: "interrupted", at: ago(2) } })) }),
      claim: running(10),
      holder: true,
      expected: { state: "complete", since: ago(2), outcome: "interrupted" },
    },
    {
      name: "a user message newer than the recorded end -> a new turn waits for the model",
      ev: evidence({
        trajectory: trajectory(run({ lastEventAt: ago(20), ended: { status: "success", at: ago(20) } })),
        transcript: transcript({ lastRole: "user", lastMessageAt: ago(4) }),
      }),
      claim: undefined,
      holder: true,
      expected: { state: "awaiting_model", since: ago(4) },
    },
    {
      name: "open tool call -> tool_exec since the call",
      ev: evidence({ transcript: toolUse(toolCall("exec", ago(7))) }),
      claim: running(10),
      holder: true,
      expected: { state: "tool_exec", since: ago(7), toolName: "exec" },
    },
    {
      name: "this run's reply and nobody holds the run -> complete",
      ev: evidence({ transcript: transcript({ lastRole: "assistant", lastStopReason: "error", lastMessageAt: ago(3) }) }),
      claim: running(10),
      holder: false,
      expected: { state: "complete", since: ago(3), outcome: "error" },
    },
    {
      name: "this run's reply but the holder is alive -> awaiting_model since the reply",
      ev: evidence({ transcript: transcript({ lastRole: "assistant", lastStopReason: "error", lastMessageAt: ago(3) }) }),
      claim: running(10),
      holder: true,
      expected: { state: "awaiting_model", since: ago(3) },
    },
    {
      name: "a reply from before the run -> awaiting_model since the run's start",
      ev: evidence({ transcript: transcript({ lastRole: "assistant", lastStopReason: "stop", lastMessageAt: ago(30) }) }),
      claim: running(10),
      holder: true,
      expected: { state: "awaiting_model", since: ago(10) },
    },
    {
      name: "prompt submitted without model.completed -> awaiting_model since the prompt",
      ev: evidence({ trajectory: trajectory(run({ lastEventAt: ago(8), promptSubmittedAt: ago(8) })) }),
      claim: running(10),
      holder: true,
      expected: { state: "awaiting_model", since: ago(8) },
    },
    {
      name: "model.completed but no session.ended -> awaiting_model since the completion",
      ev: evidence({ trajectory: trajectory(run({ lastEventAt: ago(2), promptSubmittedAt: ago(8), modelCompletedAt: ago(2) })) }),
      claim: running(10),
      holder: true,
      expected: { state: "awaiting_model", since: ago(2) },
    },
    {
      name: "tool results sent back -> awaiting_model since the result",
      ev: evidence({ transcript: transcript({ lastRole: "toolResult", lastMessageAt: ago(1) }) }),
      claim: running(10),
      holder: true,
      expected: { state: "awaiting_model", since: ago(1) },
    },
  ] as const)("$name", ({ ev, claim, holder, expected }) => {
    const act = turnActivity(ev, currentRun(ev.trajectory, claim?.anchor, NOW), claim, holder, NOW);
    expect(act).toMatchObject(expected);
    if (!("toolName" in expected)) expect(act.toolName).toBeUndefined();
  });
});

describe("reasons for a transcript or trajectory that is there but was not read", () => {
  it("the transcript reason names what was found instead of calling it missing", () => {
    const ev = evidence({ transcriptPath: "/a/s.jsonl", transcriptProblem: "transcript /a/s.jsonl is a FIFO (named pipe), not a regular file: not read" });
    expect(transcriptReason(ev, undefined, NOW)).toBe("transcript /a/s.jsonl is a FIFO (named pipe), not a regular file: not read");
    expect(transcriptReason(evidence({ transcriptPath: "/a/s.jsonl" }), undefined, NOW)).toBe("transcript not found (/a/s.jsonl)");
  });
  it("the trajectory reason names a symlink out of the agents tree instead of capture off", () => {
    const problem = "trajectory /a/s.trajectory.jsonl is a symlink to /etc/x, outside the agents tree; ignored";
    expect(currentRun(undefined, undefined, NOW, undefined, problem).reason).toBe(problem);
    expect(currentRun(undefined, undefined, NOW).reason).toMatch(/capture off/);
  });
});
