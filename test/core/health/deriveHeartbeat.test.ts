import { describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../../src/core/health/deriveHeartbeat.js";
import type { Evidence, Health, SessionState, Thresholds } from "../../../src/core/types.js";
import { NOW, TH, ago, entry, evidence, gateway, lock, run, toolCall, trajectory, transcript } from "./evidence.js";

interface Case {
  name: string;
  ev: Evidence;
  th?: Thresholds;
  state: SessionState;
  health: Health;
  toolName?: string;
  turnId?: string;
  /** undefined: no drift expected */
  drift?: RegExp;
  reason?: RegExp;
}

const GW = gateway(true, ago(3600));
const userSaid = (s: number) => transcript({ lastRole: "user", lastMessageAt: ago(s), lastEntryAt: ago(s) });
const replied = (s: number, stopReason = "stop") =>
  transcript({ lastRole: "assistant", lastMessageAt: ago(s), lastEntryAt: ago(s), lastStopReason: stopReason });
const calledTool = (name: string, s: number) =>
  transcript({ lastRole: "assistant", lastStopReason: "toolUse", lastMessageAt: ago(s), lastEntryAt: ago(s), openToolCalls: [toolCall(name, ago(s))] });

const cases: Case[] = [
  {
    name: "1 completed turn: trajectory session.ended(success) -> complete/idle",
    ev: evidence({
      entry: entry({ status: "done", startedAt: ago(30), endedAt: ago(20) }),
      trajectory: trajectory(
        run({ firstEventAt: ago(30), lastEventAt: ago(20), promptSubmittedAt: ago(29), modelCompletedAt: ago(21), ended: { status: "success", at: ago(20) } }),
      ),
      transcript: replied(21),
      gateway: GW,
    }),
    state: "complete",
    health: "idle",
    turnId: "run-aaaa-1111",
    reason: /trajectory run run-aaaa ended success 20s ago/,
  },
  {
    name: "2 prompt submitted, no model.completed, live lock owner, recent -> awaiting_model/waiting",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(30) }),
      trajectory: trajectory(run({ firstEventAt: ago(30), lastEventAt: ago(29), promptSubmittedAt: ago(29) })),
      transcript: userSaid(30),
      lock: lock("alive", ago(30)),
      gateway: GW,
    }),
    state: "awaiting_model",
    health: "waiting",
    turnId: "run-aaaa-1111",
    reason: /prompt submitted 29s ago, no model.completed yet/,
  },
  {
    name: "3 prompt submitted, no model.completed, live owner, past the threshold -> awaiting_model/stalled",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(301) }),
      trajectory: trajectory(run({ firstEventAt: ago(301), lastEventAt: ago(300), promptSubmittedAt: ago(300) })),
      transcript: userSaid(301),
      lock: lock("alive", ago(301)),
      gateway: GW,
    }),
    state: "awaiting_model",
    health: "stalled",
    reason: /waiting for the model for 5m00s, past the 2m00s stall threshold/,
  },
  {
    name: "4a unanswered transcript toolCall + live owner -> tool_exec/active",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(20) }),
      transcript: calledTool("exec", 10),
      lock: lock("alive", ago(20)),
      gateway: GW,
    }),
    state: "tool_exec",
    health: "active",
    toolName: "exec",
    reason: /transcript ends with an unanswered tool call \(exec\) 10s ago/,
  },
  {
    name: "4b open trajectory tool.call + live owner -> tool_exec/active",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(20) }),
      trajectory: trajectory(
        run({ firstEventAt: ago(20), lastEventAt: ago(5), promptSubmittedAt: ago(19), openToolCalls: [toolCall("browser", ago(5))] }),
      ),
      transcript: userSaid(20),
      lock: lock("alive", ago(20)),
    }),
    state: "tool_exec",
    health: "active",
    toolName: "browser",
    reason: /tool browser called 5s ago, no result yet/,
  },
  {
    name: "4c tool running past the default but within its own tool_exec=10m -> active",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(320) }),
      transcript: calledTool("exec", 300),
      lock: lock("alive", ago(320)),
    }),
    th: { stallAfterMs: 120_000, perState: { tool_exec: 600_000 } },
    state: "tool_exec",
    health: "active",
    toolName: "exec",
    reason: /tool exec running for 5m00s \(stalls after 10m00s\)/,
  },
  {
    name: "4d tool running past its tool_exec threshold -> tool_exec/stalled",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(720) }),
      transcript: calledTool("exec", 700),
      lock: lock("alive", ago(720)),
    }),
    th: { stallAfterMs: 120_000, perState: { tool_exec: 600_000 } },
    state: "tool_exec",
    health: "stalled",
    toolName: "exec",
    reason: /past the 10m00s stall threshold/,
  },
  {
    name: "5a index running, run in progress, lock owner dead -> unresponsive",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(60) }),
      transcript: userSaid(60),
      lock: lock("dead", ago(60)),
      gateway: GW,
    }),
    state: "awaiting_model",
    health: "unresponsive",
    drift: /^running in index, lock owner pid 4242 is dead$/,
    reason: /lock owner pid 4242 is dead/,
  },
  {
    name: "5b index running, tool in flight, lock pid reused -> unresponsive",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(60) }),
      transcript: calledTool("exec", 50),
      lock: lock("reused", ago(60)),
    }),
    state: "tool_exec",
    health: "unresponsive",
    toolName: "exec",
    drift: /^running in index, lock owner pid 4242 is gone: the pid now belongs to another process$/,
    reason: /belongs to another process/,
  },
  {
    name: "6a index running, no lock, last activity before the live gateway started -> unresponsive",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(7200) }),
      transcript: userSaid(7200),
      gateway: GW,
    }),
    state: "awaiting_model",
    health: "unresponsive",
    drift: /running in index, no lock, and the gateway restarted since/,
    reason: /last activity 2h00m ago, before gateway pid 777 started 1h00m ago/,
  },
  {
    name: "6b index running, no lock, no live gateway -> unresponsive",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(20) }),
      transcript: userSaid(20),
      gateway: gateway(false, ago(3600)),
    }),
    state: "awaiting_model",
    health: "unresponsive",
    drift: /no lock and no live gateway/,
  },
  {
    name: "7 index running but the current run ended -> complete, drift says the index is stale",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(3 * 3600 + 5) }),
      trajectory: trajectory(
        run({ firstEventAt: ago(3 * 3600 + 4), lastEventAt: ago(3 * 3600), promptSubmittedAt: ago(3 * 3600 + 3), ended: { status: "error", at: ago(3 * 3600) } }),
      ),
      transcript: replied(3 * 3600 + 1, "error"),
      gateway: GW,
    }),
    state: "complete",
    health: "idle",
    turnId: "run-aaaa-1111",
    drift: /^running in index, run ended 3h00m ago \(error\)$/,
  },
  {
    name: "8a no trajectory: user message last + live lock -> awaiting_model",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(10) }),
      transcript: userSaid(10),
      lock: lock("alive", ago(10)),
    }),
    state: "awaiting_model",
    health: "waiting",
    reason: /no trajectory sidecar/,
  },
  {
    name: "8b no trajectory: assistant stop last, index done -> complete/idle",
    ev: evidence({ entry: entry({ status: "done", startedAt: ago(40), endedAt: ago(30) }), transcript: replied(31) }),
    state: "complete",
    health: "idle",
    reason: /transcript ends with the model's reply \(stop\) 31s ago/,
  },
  {
    name: "8c no trajectory: this run's reply is written but the live owner has not ended the run -> awaiting_model",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(10) }),
      transcript: replied(1, "error"),
      lock: lock("alive", ago(10)),
    }),
    state: "awaiting_model",
    health: "waiting",
    reason: /the run has not ended since that reply: the model may be asked again/,
  },
  {
    name: "8d no trajectory: this run's reply is written and the owner died -> complete, drift",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(10) }),
      transcript: replied(1),
      lock: lock("dead", ago(10)),
    }),
    state: "complete",
    health: "idle",
    drift: /^running in index, run ended 1s ago \(stop\)$/,
  },
  {
    name: "9a transcript missing, running + live lock -> awaiting_model",
    ev: evidence({ entry: entry({ status: "running", startedAt: ago(10) }), lock: lock("alive", ago(10)) }),
    state: "awaiting_model",
    health: "waiting",
    reason: /transcript not found \(\/agents\/main\/sessions\/sess-1.jsonl\)/,
  },
  {
    name: "9b transcript missing, running + dead lock -> unresponsive",
    ev: evidence({ entry: entry({ status: "running", startedAt: ago(10) }), lock: lock("dead", ago(10)) }),
    state: "awaiting_model",
    health: "unresponsive",
    drift: /lock owner pid 4242 is dead/,
    reason: /transcript not found/,
  },
  {
    name: "9c transcript missing, terminal status -> idle (state complete: the index records the end)",
    ev: evidence({ entry: entry({ status: "failed", startedAt: ago(100), endedAt: ago(90) }) }),
    state: "complete",
    health: "idle",
    reason: /index says failed, ended 1m30s ago/,
  },
  {
    name: "10 running run newer than the trajectory's last end, user message last, live lock -> awaiting_model, not complete",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(5) }),
      trajectory: trajectory(
        run({ firstEventAt: ago(70), lastEventAt: ago(60), promptSubmittedAt: ago(69), modelCompletedAt: ago(61), ended: { status: "success", at: ago(60) } }),
      ),
      transcript: userSaid(6),
      lock: lock("alive", ago(5)),
      gateway: GW,
    }),
    state: "awaiting_model",
    health: "waiting",
    turnId: undefined,
    reason: /ended success 1m00s ago, before the current run started: the current run is not recorded yet/,
  },
  {
    name: "11a no status (embedded run), live lock, toolCall open -> tool_exec/active",
    ev: evidence({ entry: entry(), transcript: calledTool("read", 4), lock: lock("alive", ago(8)) }),
    state: "tool_exec",
    health: "active",
    toolName: "read",
    reason: /no status in index \(embedded run\); a transcript lock was taken 8s ago/,
  },
  {
    name: "11b no status, live lock, user message last -> awaiting_model/waiting",
    ev: evidence({ entry: entry(), transcript: userSaid(3), lock: lock("alive", ago(3)) }),
    state: "awaiting_model",
    health: "waiting",
  },
  {
    name: "11c no status, dead lock -> unresponsive, no drift (embedded runs never write status)",
    ev: evidence({ entry: entry(), transcript: userSaid(30), lock: lock("dead", ago(30)) }),
    state: "awaiting_model",
    health: "unresponsive",
  },
  {
    name: "11d no status, no lock, last turn answered -> idle (complete)",
    ev: evidence({ entry: entry(), transcript: replied(30) }),
    state: "complete",
    health: "idle",
  },
  {
    name: "11e no status, no lock, unanswered user message -> idle: nothing runs it",
    ev: evidence({ entry: entry(), transcript: userSaid(30) }),
    state: "idle",
    health: "idle",
    reason: /no run in progress/,
  },
  {
    name: "12 brand-new session: no transcript, no trajectory, running, live lock -> awaiting_model",
    ev: evidence({ entry: entry({ status: "running", startedAt: ago(3) }), lock: lock("alive", ago(3)), gateway: GW }),
    state: "awaiting_model",
    health: "waiting",
    reason: /transcript is only created with its first reply/,
  },
  {
    name: "recovery window: 2026.7.1 gateway marked the orphan aborted just now -> waiting, not unresponsive",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(900), abortedLastRun: true, updatedAt: ago(4) }),
      transcript: calledTool("exec", 890),
      gateway: gateway(true, ago(10)),
    }),
    state: "awaiting_model",
    health: "waiting",
    reason: /marked this run aborted 4s ago: it is recovering the run/,
  },
  {
    name: "recovery window with the dead lock not yet removed -> waiting",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(900), abortedLastRun: true, updatedAt: ago(2) }),
      transcript: userSaid(900),
      lock: lock("dead", ago(900)),
      gateway: gateway(true, ago(5)),
    }),
    state: "awaiting_model",
    health: "waiting",
  },
  {
    name: "recovery that never finished -> unresponsive",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(900), abortedLastRun: true, updatedAt: ago(300) }),
      transcript: userSaid(900),
      gateway: gateway(true, ago(310)),
    }),
    state: "awaiting_model",
    health: "unresponsive",
    drift: /running in index, gateway recovery did not finish/,
    reason: /has neither resumed nor failed it/,
  },
  {
    name: "errors within grace: running, no lock, trajectory ended error after startedAt -> complete, drift",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(3) }),
      trajectory: trajectory(
        run({ firstEventAt: ago(3), lastEventAt: ago(0.9), promptSubmittedAt: ago(2.9), modelCompletedAt: ago(1), ended: { status: "error", at: ago(1) } }),
      ),
      transcript: replied(1.1, "error"),
      gateway: GW,
    }),
    state: "complete",
    health: "idle",
    drift: /^running in index, run ended 1s ago \(error\)$/,
  },
  {
    name: "terminal status (done) with no evidence at all -> idle",
    ev: evidence({ entry: entry({ status: "done" }), transcriptPath: undefined }),
    state: "complete",
    health: "idle",
  },
  {
    name: "model retry in a live trajectory: prompt after session.ended(error) -> still awaiting_model",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(12) }),
      trajectory: trajectory(
        run({ firstEventAt: ago(12), lastEventAt: ago(5), promptSubmittedAt: ago(5), modelCompletedAt: ago(10), ended: { status: "error", at: ago(10) } }),
      ),
      transcript: userSaid(6),
      lock: lock("alive", ago(12)),
    }),
    state: "awaiting_model",
    health: "waiting",
    reason: /retrying after session.ended\(error\)/,
  },
  {
    name: "no lock, but activity after the live gateway's start: maybe inside the gateway -> waiting",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(5) }),
      trajectory: trajectory(run({ firstEventAt: ago(5), lastEventAt: ago(4), promptSubmittedAt: ago(4) })),
      gateway: GW,
    }),
    state: "awaiting_model",
    health: "waiting",
    reason: /no transcript lock; the live gateway pid 777 may still be running it/,
  },
  {
    name: "a lock file still empty (being written) is held",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(1) }),
      lock: lock("unknown", undefined, { pid: undefined, mtimeMs: ago(0.05) }),
    }),
    state: "awaiting_model",
    health: "waiting",
    reason: /lock body not written yet: treated as held/,
  },
  {
    name: "an old unreadable lock holds nothing -> unresponsive",
    ev: evidence({
      entry: entry({ status: "running", startedAt: ago(600) }),
      lock: lock("unknown", undefined, { pid: undefined, mtimeMs: ago(600) }),
    }),
    state: "awaiting_model",
    health: "unresponsive",
    drift: /^running in index, lock body unreadable and old: nothing holds it$/,
  },
  {
    name: "index done, but a later embedded run holds the lock -> in progress, drift",
    ev: evidence({
      entry: entry({ status: "done", startedAt: ago(100), endedAt: ago(90) }),
      transcript: userSaid(4),
      lock: lock("alive", ago(4)),
    }),
    state: "awaiting_model",
    health: "waiting",
    drift: /^done in index, but a later run holds the transcript lock$/,
  },
  {
    name: "index done, lock taken before the recorded end (released a moment later) -> complete/idle",
    ev: evidence({
      entry: entry({ status: "done", startedAt: ago(10), endedAt: ago(1) }),
      transcript: replied(1.1),
      lock: lock("alive", ago(10)),
    }),
    state: "complete",
    health: "idle",
    reason: /the lock predates the run's recorded end/,
  },
];

describe("deriveHeartbeat", () => {
  it.each(cases)("$name", (c) => {
    const hb = deriveHeartbeat(c.ev, NOW, c.th ?? TH);
    expect({ state: hb.state, health: hb.health }).toEqual({ state: c.state, health: c.health });
    expect(hb.toolName).toBe(c.toolName);
    if ("turnId" in c) expect(hb.turnId).toBe(c.turnId);
    if (c.drift) expect(hb.drift).toMatch(c.drift);
    else expect(hb.drift).toBeUndefined();
    if (c.reason) expect(hb.reasons.join("\n")).toMatch(c.reason);
    expect(hb.reasons.length).toBeGreaterThan(0);
  });

  it("copies identity, label and index fields into the heartbeat", () => {
    const ev = evidence({
      agentId: "ops",
      sessionKey: "agent:ops:cron:nightly",
      entry: entry({ sessionId: "abc", updatedAt: ago(7), status: "done", displayName: "Nightly", model: "m-index" }),
    });
    const hb = deriveHeartbeat(ev, NOW, TH);
    expect(hb).toMatchObject({
      agentId: "ops",
      sessionKey: "agent:ops:cron:nightly",
      sessionId: "abc",
      updatedAt: ago(7),
      storeStatus: "done",
      label: "Nightly",
      model: "m-index",
    });
    expect(deriveHeartbeat({ ...ev, entry: { ...ev.entry, label: "Mine" } }, NOW, TH).label).toBe("Mine");
  });

  it("adds the store's note about an ignored sessionFile to the reasons", () => {
    const note = "sessionFile /etc/passwd is outside the agents tree: ignored";
    const hb = deriveHeartbeat(evidence({ sessionFileNote: note }), NOW, TH);
    expect(hb.reasons).toContain(note);
  });

  it("never yields streaming or tool_wait from files", () => {
    const states = cases.map((c) => deriveHeartbeat(c.ev, NOW, c.th ?? TH).state);
    expect(states).not.toContain("streaming");
    expect(states).not.toContain("tool_wait");
  });
});
