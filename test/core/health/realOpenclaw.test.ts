// The four real OpenClaw 2026.7.1 runs in test/fixtures/real-openclaw, rebuilt BY HAND as the
// Evidence the store reader should produce from them (timestamps copied from inside the files),
// read once at capture time (owners alive) and once long after (every pid dead).

import { describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../../src/core/health/deriveHeartbeat.js";
import type { Evidence, GatewayInfo, LockInfo, Thresholds } from "../../../src/core/types.js";

const iso = (text: string): number => Date.parse(text);
const TH: Thresholds = { stallAfterMs: 120_000, perState: {} };
/** the next morning: every lock owner and gateway is long dead */
const LATER = iso("2026-11-22T09:00:00.000Z");
const SESSIONS = "/home/operator/.openclaw/agents/main/sessions";

function gatewayOf(pid: number, createdAt: string, alive: boolean): GatewayInfo {
  return { lockPath: `/tmp/openclaw-0/gateway.9519d10a.lock`, pid, startedAt: iso(createdAt), alive, port: 18999, probe: "skipped" };
}

function lockOf(sessionId: string, pid: number, createdAt: string, starttime: number, alive: boolean): LockInfo {
  const at = iso(createdAt);
  return { path: `${SESSIONS}/${sessionId}.jsonl.lock`, pid, createdAt: at, starttime, mtimeMs: at, owner: alive ? "alive" : "dead" };
}

// s1-quick-done: agent:main:main, two quick turns, gateway stopped cleanly (no locks left).
function s1(): Evidence {
  const id = "6247fe16-f29a-4a96-be6b-6520c3cd0178";
  return {
    agentId: "main",
    sessionKey: "agent:main:main",
    entry: {
      sessionId: id,
      updatedAt: 1795293178438,
      sessionStartedAt: 1795293171808,
      lastInteractionAt: 1795293178423,
      status: "done",
      startedAt: 1795293177840,
      endedAt: 1795293178434,
      runtimeMs: 594,
      abortedLastRun: false,
      model: "fake-1",
      modelProvider: "fake",
    },
    transcriptPath: `${SESSIONS}/${id}.jsonl`,
    transcript: {
      path: `${SESSIONS}/${id}.jsonl`,
      size: 1963,
      mtimeMs: iso("2026-11-21T20:32:58.407Z"),
      lastRole: "assistant",
      lastMessageAt: 1795293178329,
      lastStopReason: "stop",
      openToolCalls: [],
      lastEntryAt: iso("2026-11-21T20:32:58.390Z"),
      model: "fake-1",
    },
    trajectory: {
      path: `${SESSIONS}/${id}.trajectory.jsonl`,
      size: 39130,
      mtimeMs: iso("2026-11-21T20:32:58.418Z"),
      run: {
        runId: "75c1aa26-c477-4aec-92c7-2ff2a3475084",
        firstEventAt: iso("2026-11-21T20:32:58.197Z"),
        lastEventAt: iso("2026-11-21T20:32:58.414Z"),
        promptSubmittedAt: iso("2026-11-21T20:32:58.319Z"),
        modelCompletedAt: iso("2026-11-21T20:32:58.412Z"),
        ended: { status: "success", at: iso("2026-11-21T20:32:58.414Z") },
        openToolCalls: [],
        modelId: "fake-1",
        provider: "fake",
      },
      lastEventAt: iso("2026-11-21T20:32:58.414Z"),
      truncated: false,
    },
  };
}

// s2-live-waiting-model: turn 2's model never answers; the trajectory only holds turn 1.
function s2(alive: boolean): Evidence {
  const id = "fc4ca43d-e885-46ff-af9b-f20dc6eea468";
  return {
    agentId: "main",
    sessionKey: "agent:main:s2-model-wait",
    entry: {
      sessionId: id,
      updatedAt: 1795293201802,
      status: "running",
      startedAt: 1795293201799,
      abortedLastRun: false,
      lastInteractionAt: 1795293201135,
      sessionStartedAt: 1795293195337,
      model: "fake-1",
    },
    transcriptPath: `${SESSIONS}/${id}.jsonl`,
    transcript: {
      path: `${SESSIONS}/${id}.jsonl`,
      size: 1531,
      mtimeMs: iso("2026-11-21T20:33:21.806Z"),
      lastRole: "user",
      lastMessageAt: 1795293201233,
      lastStopReason: "stop",
      openToolCalls: [],
      lastEntryAt: iso("2026-11-21T20:33:21.806Z"),
      model: "fake-1",
    },
    trajectory: {
      path: `${SESSIONS}/${id}.trajectory.jsonl`,
      size: 41546,
      mtimeMs: iso("2026-11-21T20:33:16.654Z"),
      run: {
        runId: "72996a14-da24-4aa8-8287-38c1eaf72672",
        firstEventAt: iso("2026-11-21T20:33:16.309Z"),
        lastEventAt: iso("2026-11-21T20:33:16.639Z"),
        promptSubmittedAt: iso("2026-11-21T20:33:16.446Z"),
        modelCompletedAt: iso("2026-11-21T20:33:16.637Z"),
        ended: { status: "success", at: iso("2026-11-21T20:33:16.639Z") },
        openToolCalls: [],
        modelId: "fake-1",
        provider: "fake",
      },
      lastEventAt: iso("2026-11-21T20:33:16.639Z"),
      truncated: false,
    },
    lock: lockOf(id, 23939, "2026-11-21T20:33:21.824Z", 434168, alive),
    gateway: gatewayOf(23939, "2026-11-21T20:33:09.885Z", alive),
  };
}

// s3-tool-killed: brand-new session, `exec sleep 20` running when the gateway was SIGKILLed;
// only the trajectory pointer exists, no trajectory yet.
function s3(alive: boolean): Evidence {
  const id = "d77c2b60-4f93-4e6d-9164-237dc3ba290d";
  return {
    agentId: "main",
    sessionKey: "agent:main:s3-tool-exec",
    entry: {
      sessionId: id,
      updatedAt: 1795293258725,
      sessionStartedAt: 1795293257742,
      lastInteractionAt: 1795293257742,
      status: "running",
      startedAt: 1795293258704,
      abortedLastRun: false,
    },
    transcriptPath: `${SESSIONS}/${id}.jsonl`,
    transcript: {
      path: `${SESSIONS}/${id}.jsonl`,
      size: 1473,
      mtimeMs: iso("2026-11-21T20:34:18.794Z"),
      lastRole: "assistant",
      lastMessageAt: 1795293258743,
      lastStopReason: "toolUse",
      openToolCalls: [{ id: "call_fake_5", name: "exec", since: 1795293258743 }],
      lastEntryAt: iso("2026-11-21T20:34:18.795Z"),
      model: "fake-1",
    },
    lock: lockOf(id, 25653, "2026-11-21T20:34:18.788Z", 440452, alive),
    gateway: gatewayOf(25653, "2026-11-21T20:34:12.850Z", alive),
  };
}

// s5-errors-within-grace: both runs already ended with session.ended(error) in the trajectory,
// the index still says running (15 s persist grace), no locks.
function s5http500(gatewayAlive: boolean): Evidence {
  const id = "d55aa982-b9bd-4044-ac4f-8a7348390d7e";
  return {
    agentId: "main",
    sessionKey: "agent:main:s5-http500",
    entry: {
      sessionId: id,
      updatedAt: 1795293302621,
      status: "running",
      startedAt: 1795293302601,
      abortedLastRun: false,
      lastInteractionAt: 1795293301479,
      sessionStartedAt: 1795293301479,
    },
    transcriptPath: `${SESSIONS}/${id}.jsonl`,
    transcript: {
      path: `${SESSIONS}/${id}.jsonl`,
      size: 1486,
      mtimeMs: iso("2026-11-21T20:35:03.971Z"),
      lastRole: "assistant",
      lastMessageAt: 1795293302642,
      lastStopReason: "error",
      openToolCalls: [],
      lastEntryAt: iso("2026-11-21T20:35:03.933Z"),
      model: "fake-1",
    },
    trajectory: {
      path: `${SESSIONS}/${id}.trajectory.jsonl`,
      size: 42258,
      mtimeMs: iso("2026-11-21T20:35:04.010Z"),
      run: {
        runId: "37f156be-739e-4eaf-9f76-88bbd7b8cba2",
        firstEventAt: iso("2026-11-21T20:35:02.391Z"),
        // model.fallback_step follows session.ended
        lastEventAt: iso("2026-11-21T20:35:04.004Z"),
        promptSubmittedAt: iso("2026-11-21T20:35:02.597Z"),
        modelCompletedAt: iso("2026-11-21T20:35:03.979Z"),
        ended: { status: "error", at: iso("2026-11-21T20:35:03.980Z") },
        openToolCalls: [],
        modelId: "fake-1",
        provider: "fake",
      },
      lastEventAt: iso("2026-11-21T20:35:04.004Z"),
      truncated: false,
    },
    gateway: gatewayOf(26715, "2026-11-21T20:34:56.040Z", gatewayAlive),
  };
}

function s5malformed(gatewayAlive: boolean): Evidence {
  const id = "41685564-41df-44ab-9bd1-8dc3790d4100";
  return {
    agentId: "main",
    sessionKey: "agent:main:s5-malformed",
    entry: {
      sessionId: id,
      updatedAt: 1795293309538,
      status: "running",
      startedAt: 1795293309496,
      abortedLastRun: false,
      lastInteractionAt: 1795293309538,
      sessionStartedAt: 1795293307943,
      model: "fake-1",
      modelProvider: "fake",
    },
    transcriptPath: `${SESSIONS}/${id}.jsonl`,
    transcript: {
      path: `${SESSIONS}/${id}.jsonl`,
      size: 3536,
      mtimeMs: iso("2026-11-21T20:35:09.523Z"),
      lastRole: "assistant",
      lastMessageAt: 1795293309503,
      lastStopReason: "error",
      openToolCalls: [],
      lastEntryAt: iso("2026-11-21T20:35:09.517Z"),
      model: "fake-1",
    },
    trajectory: {
      path: `${SESSIONS}/${id}.trajectory.jsonl`,
      size: 171035,
      mtimeMs: iso("2026-11-21T20:35:09.530Z"),
      // four session.started..ended(error) attempts under one runId: the tail sees the last
      run: {
        runId: "84d14e0f-96f6-412a-a480-a28f0e74c2a3",
        firstEventAt: iso("2026-11-21T20:35:08.457Z"),
        lastEventAt: iso("2026-11-21T20:35:09.526Z"),
        promptSubmittedAt: iso("2026-11-21T20:35:09.493Z"),
        modelCompletedAt: iso("2026-11-21T20:35:09.525Z"),
        ended: { status: "error", at: iso("2026-11-21T20:35:09.526Z") },
        openToolCalls: [],
        modelId: "fake-1",
        provider: "fake",
      },
      lastEventAt: iso("2026-11-21T20:35:09.526Z"),
      truncated: false,
    },
    gateway: gatewayOf(26715, "2026-11-21T20:34:56.040Z", gatewayAlive),
  };
}

describe("real OpenClaw 2026.7.1 stores, read at capture time (owners alive)", () => {
  it("s1-quick-done: complete / idle, turn 75c1aa26, no drift", () => {
    const hb = deriveHeartbeat(s1(), iso("2026-11-21T20:32:59.078Z"), TH);
    expect(hb).toMatchObject({ state: "complete", health: "idle", turnId: "75c1aa26-c477-4aec-92c7-2ff2a3475084", model: "fake-1" });
    expect(hb.drift).toBeUndefined();
    expect(hb.reasons).toContain("trajectory run 75c1aa26 ended success 664ms ago");
  });

  it("s2-live-waiting-model: awaiting_model / waiting, not complete because of turn 1's success", () => {
    const hb = deriveHeartbeat(s2(true), iso("2026-11-21T20:33:24.951Z"), TH);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting", startedAt: 1795293201799, model: "fake-1" });
    expect(hb.turnId).toBeUndefined();
    expect(hb.drift).toBeUndefined();
    expect(hb.reasons.join("\n")).toMatch(/trajectory run 72996a14 ended success 8s ago, before the current run started/);
    expect(hb.reasons).toContain("lock owner pid 23939 is alive (lock taken 3s ago)");
  });

  it("s3-tool-killed: tool_exec (exec) / active while the gateway was alive", () => {
    const hb = deriveHeartbeat(s3(true), iso("2026-11-21T20:34:22.500Z"), TH);
    expect(hb).toMatchObject({ state: "tool_exec", health: "active", toolName: "exec", startedAt: 1795293258704 });
    expect(hb.drift).toBeUndefined();
    expect(hb.reasons).toContain("tool exec running for 3s (stalls after 2m00s)");
  });

  it.each([
    ["s5-http500", s5http500, "6s", "37f156be-739e-4eaf-9f76-88bbd7b8cba2"],
    ["s5-malformed", s5malformed, "1s", "84d14e0f-96f6-412a-a480-a28f0e74c2a3"],
  ])("%s: complete (ended error) / idle, the index drifts", (_name, make, endedAgo, runId) => {
    const hb = deriveHeartbeat(make(true), iso("2026-11-21T20:35:10.650Z"), TH);
    expect(hb).toMatchObject({ state: "complete", health: "idle", storeStatus: "running", turnId: runId });
    expect(hb.drift).toBe(`running in index, run ended ${endedAgo} ago (error)`);
  });
});

describe("real OpenClaw 2026.7.1 stores, read the next day (every owner dead)", () => {
  it("s1-quick-done: still complete / idle", () => {
    const hb = deriveHeartbeat(s1(), LATER, TH);
    expect(hb).toMatchObject({ state: "complete", health: "idle" });
    expect(hb.drift).toBeUndefined();
  });

  it("s2-live-waiting-model: unresponsive, running left by a dead owner (never complete)", () => {
    const hb = deriveHeartbeat(s2(false), LATER, TH);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "unresponsive" });
    expect(hb.drift).toBe("running in index, lock owner pid 23939 is dead");
  });

  it("s3-tool-killed: unresponsive, to be finalized", () => {
    const hb = deriveHeartbeat(s3(false), LATER, TH);
    expect(hb).toMatchObject({ state: "tool_exec", health: "unresponsive", toolName: "exec" });
    expect(hb.drift).toBe("running in index, lock owner pid 25653 is dead");
  });

  it.each([
    ["s5-http500", s5http500],
    ["s5-malformed", s5malformed],
  ])("%s: the same: complete (ended error), the index drifts", (_name, make) => {
    const hb = deriveHeartbeat(make(false), LATER, TH);
    expect(hb).toMatchObject({ state: "complete", health: "idle" });
    expect(hb.drift).toMatch(/^running in index, run ended 12h24m ago \(error\)$/);
  });
});
