// One in-process run of `status --json` per health case: a real state dir in a temp
// dir, real lock files owned by a real live (or exited) process, a fixed clock
// (OPENCLAW_SESSIONS_NOW) so every age is exact.
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  event,
  format,
  line,
  makeStateDir,
  makeTempDir,
  runEvents,
  sessionsDir,
  transcriptPath,
  trajectoryPath,
  writeGatewayLock,
  writeIndex,
  writeLock,
  writePointer,
  writeTranscript,
  writeTrajectory,
} from "../fixtures/store-builder.js";
import { type OwnerProcess, procStartTime, useOwners } from "../e2e/helpers/cli.js";
import { run, runJson } from "./helpers/run.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const ID = "0f0e0d0c-0000-4000-8000-000000000001";
const KEY = "agent:main:main";

const { live, dead } = useOwners();

interface Row {
  status?: "running" | "done" | "failed" | "killed" | "timeout";
  startedAt?: number;
  endedAt?: number;
}

function index(state: string, row: Row): void {
  const at = Math.max(row.endedAt ?? 0, row.startedAt ?? 0, NOW - H);
  writeIndex(state, "main", {
    [KEY]: format.indexEntry({
      sessionId: ID,
      updatedAt: at,
      sessionStartedAt: NOW - 2 * H,
      lastInteractionAt: at,
      rich: false,
      model: "fake-1",
      modelProvider: "fake",
      ...row,
    }),
  });
}

/** An earlier, finished turn an hour ago: transcript lines and its trajectory run. */
const earlierTurn = () => [line.header(ID, NOW - 2 * H), line.user(NOW - H, "first question"), line.assistant(NOW - H + 2 * S, { text: "first answer" })];
const earlierRun = () => runEvents("run-0", NOW - H, "success", { sessionId: ID, sessionKey: KEY });

/** The live-written (2026.4.26) start of a run: session.started .. prompt.submitted, no end. */
function runStart(runId: string, at: number) {
  const s = { runId, sessionId: ID, sessionKey: KEY };
  return [
    event("session.started", at, { ...s, seq: 1 }),
    event("trace.metadata", at + 1, { ...s, seq: 2 }),
    event("context.compiled", at + 2, { ...s, seq: 3 }),
    event("prompt.submitted", at + 3, { ...s, seq: 4 }),
  ];
}

function lockOf(state: string, owner: OwnerProcess, createdAt: number): void {
  writeLock(`${transcriptPath(state, ID)}.lock`, { pid: owner.pid, starttime: owner.starttime, createdAt, maxHoldMs: 300_000 });
}

async function statusOf(state: string, args: string[] = [], env: Record<string, string> = {}) {
  const { result, doc } = await runJson(["status", "--state-dir", state, "--no-probe", ...args], {
    env: { OPENCLAW_SESSIONS_NOW: String(NOW), TMPDIR: makeTempDir("ocs-e2e-tmp-"), ...env },
  });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(doc.generatedAt).toBe(NOW);
  expect(doc.sessions).toHaveLength(1);
  return { doc, hb: doc.sessions[0] };
}

describe("status --json: one store per health case", () => {
  it("a completed turn is complete / idle, with no drift", async () => {
    const state = makeStateDir();
    index(state, { status: "done", startedAt: NOW - 5 * M, endedAt: NOW - 5 * M + 11 });
    writeTranscript(transcriptPath(state, ID), [...earlierTurn(), line.user(NOW - 5 * M), line.assistant(NOW - 5 * M + 8)]);
    writeTrajectory(trajectoryPath(state, ID), [...earlierRun(), ...runEvents("run-1", NOW - 5 * M, "success", { sessionId: ID, sessionKey: KEY })]);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ sessionKey: KEY, sessionId: ID, state: "complete", health: "idle", turnId: "run-1", storeStatus: "done", drift: null, turnElapsedMs: null });
  });

  it("a submitted prompt with a recent live lock is awaiting_model / waiting", async () => {
    const state = makeStateDir();
    index(state, { status: "running", startedAt: NOW - 30 * S });
    writeTranscript(transcriptPath(state, ID), [...earlierTurn(), line.user(NOW - 30 * S, "second question")]);
    writeTrajectory(trajectoryPath(state, ID), [...earlierRun(), ...runStart("run-1", NOW - 30 * S)]);
    lockOf(state, live, NOW - 30 * S);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting", turnId: "run-1", toolName: null, drift: null, startedAt: NOW - 30 * S, turnElapsedMs: 30 * S });
  });

  it("the same wait past the stall threshold is stalled; --stall-after awaiting_model=1h makes it waiting again", async () => {
    const state = makeStateDir();
    index(state, { status: "running", startedAt: NOW - 10 * M });
    writeTranscript(transcriptPath(state, ID), [...earlierTurn(), line.user(NOW - 10 * M, "second question")]);
    writeTrajectory(trajectoryPath(state, ID), [...earlierRun(), ...runStart("run-1", NOW - 10 * M)]);
    lockOf(state, live, NOW - 10 * M);
    const stalled = await statusOf(state);
    expect(stalled.hb).toMatchObject({ state: "awaiting_model", health: "stalled" });
    expect(stalled.hb.reasons.join("\n")).toMatch(/waiting for the model for 9m59s, past the 2m00s stall threshold/);
    const relaxed = await statusOf(state, ["--stall-after", "awaiting_model=1h"]);
    expect(relaxed.hb).toMatchObject({ state: "awaiting_model", health: "waiting" });
  });

  it("an unanswered toolCall with a live owner is tool_exec / active, naming the tool", async () => {
    const state = makeStateDir();
    index(state, { status: "running", startedAt: NOW - 40 * S });
    writeTranscript(transcriptPath(state, ID), [
      ...earlierTurn(),
      line.user(NOW - 40 * S, "list the files"),
      line.assistant(NOW - 20 * S, { toolCalls: [{ id: "call_exec_1", name: "exec", arguments: { command: "ls" } }] }),
    ]);
    writeTrajectory(trajectoryPath(state, ID), earlierRun());
    lockOf(state, live, NOW - 40 * S);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "tool_exec", health: "active", toolName: "exec", drift: null });
  });

  it("running with a dead lock owner is unresponsive, and the index drift says why", async () => {
    const state = makeStateDir();
    index(state, { status: "running", startedAt: NOW - 30 * S });
    writeTranscript(transcriptPath(state, ID), [...earlierTurn(), line.user(NOW - 30 * S, "second question")]);
    writeTrajectory(trajectoryPath(state, ID), earlierRun());
    lockOf(state, dead, NOW - 30 * S);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "unresponsive", storeStatus: "running" });
    expect(hb.drift).toBe(`running in index, lock owner pid ${dead.pid} is dead`);
  });

  describe("running with no lock, a live gateway found through TMPDIR", () => {
    function build(gatewayStartedAt: number, startedAt = NOW - 20 * M) {
      const state = makeStateDir();
      index(state, { status: "running", startedAt });
      writeTranscript(transcriptPath(state, ID), [...earlierTurn(), line.user(startedAt, "second question")]);
      writeTrajectory(trajectoryPath(state, ID), earlierRun());
      const tmp = makeTempDir("ocs-e2e-gw-");
      writeGatewayLock(tmp, path.join(state, "openclaw.json"), { pid: process.pid, startTime: procStartTime(process.pid), createdAt: gatewayStartedAt, port: 18999 });
      return { state, tmp };
    }

    it("activity before the gateway started: unresponsive (the restarted gateway never saw the run)", async () => {
      const { state, tmp } = build(NOW - 5 * M);
      const { doc, hb } = await statusOf(state, [], { TMPDIR: tmp });
      expect(doc.gateway).toMatchObject({ pid: process.pid, alive: true, startedAt: NOW - 5 * M, port: 18999, probe: "skipped" });
      expect(hb).toMatchObject({ state: "awaiting_model", health: "unresponsive", drift: "running in index, no lock, and the gateway restarted since" });
    });

    it("control: the same gateway already up before the run, activity 5 min ago, may still run it (stalled, not unresponsive)", async () => {
      const { state, tmp } = build(NOW - 30 * M, NOW - 5 * M);
      const { hb } = await statusOf(state, [], { TMPDIR: tmp });
      expect(hb).toMatchObject({ state: "awaiting_model", health: "stalled", drift: null });
    });

    it("the same gateway, but nothing written for 20 min: no run holds the lock a run keeps throughout, so unresponsive", async () => {
      const { state, tmp } = build(NOW - 30 * M);
      const { hb } = await statusOf(state, [], { TMPDIR: tmp });
      expect(hb).toMatchObject({ state: "awaiting_model", health: "unresponsive", drift: "running in index, no lock held by any run", outcome: "failed" });
    });
  });

  it("running in the index but the run ended: complete, with drift", async () => {
    const state = makeStateDir();
    const start = NOW - 3 * M;
    index(state, { status: "running", startedAt: start });
    writeTranscript(transcriptPath(state, ID), [...earlierTurn(), line.user(start + 1), line.assistant(start + 8)]);
    writeTrajectory(trajectoryPath(state, ID), [...earlierRun(), ...runEvents("run-1", start + 1, "success", { sessionId: ID, sessionKey: KEY })]);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "complete", health: "idle", storeStatus: "running", turnId: "run-1" });
    expect(hb.drift).toBe("running in index, run ended 2m59s ago (success)");
  });

  it("no trajectory sidecar: the transcript and the live lock decide (awaiting_model / waiting)", async () => {
    const state = makeStateDir();
    index(state, { status: "running", startedAt: NOW - 30 * S });
    writeTranscript(transcriptPath(state, ID), [...earlierTurn(), line.user(NOW - 30 * S)]);
    lockOf(state, live, NOW - 30 * S);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting", turnId: null });
    expect(hb.reasons).toContain("no trajectory sidecar (capture off, or OpenClaw before 2026.4.22)");
  });

  it("a missing transcript: the live trajectory's open tool.call decides (tool_exec / active)", async () => {
    const state = makeStateDir();
    const start = NOW - 45 * S;
    index(state, { status: "running", startedAt: start });
    const s = { runId: "run-1", sessionId: ID, sessionKey: KEY };
    writeTrajectory(trajectoryPath(state, ID), [
      ...earlierRun(),
      ...runStart("run-1", start),
      event("tool.call", NOW - 30 * S, { ...s, seq: 5, data: { toolCallId: "tc-1", name: "browser", arguments: {} } }),
    ]);
    lockOf(state, live, start);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "tool_exec", health: "active", toolName: "browser", turnId: "run-1" });
    expect(hb.reasons).toContain(`transcript not found (${transcriptPath(state, ID)})`);
  });

  it("startedAt newer than the trajectory's last session.ended, user spoke last, live lock: awaiting_model (not complete)", async () => {
    const state = makeStateDir();
    const turn1 = NOW - 40 * S;
    index(state, { status: "running", startedAt: NOW - 20 * S });
    writeTranscript(transcriptPath(state, ID), [line.header(ID, turn1 - S), line.user(turn1), line.assistant(turn1 + 8), line.user(NOW - 20 * S, "turn two")]);
    writeTrajectory(trajectoryPath(state, ID), runEvents("run-1", turn1, "success", { sessionId: ID, sessionKey: KEY }));
    lockOf(state, live, NOW - 20 * S);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting", turnId: null, startedAt: NOW - 20 * S, drift: null });
  });

  it("a row with no status (embedded run) and a live lock: awaiting_model / waiting", async () => {
    const state = makeStateDir();
    index(state, {});
    writeTranscript(transcriptPath(state, ID), [...earlierTurn(), line.user(NOW - 15 * S)]);
    lockOf(state, live, NOW - 15 * S);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting", storeStatus: null, startedAt: NOW - 15 * S, drift: null });
  });

  it("a row with no status and a dead lock: unresponsive", async () => {
    const state = makeStateDir();
    index(state, {});
    writeTranscript(transcriptPath(state, ID), [...earlierTurn(), line.user(NOW - 15 * S)]);
    lockOf(state, dead, NOW - 15 * S);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "unresponsive", storeStatus: null });
  });

  it("a brand-new session with no transcript or trajectory yet and a live lock: awaiting_model", async () => {
    const state = makeStateDir();
    index(state, { status: "running", startedAt: NOW - 10 * S });
    // 2026.7.1 writes the pointer at run start; the file it names comes only when the run ends
    writePointer(state, ID, path.join(sessionsDir(state), `${ID}.trajectory.jsonl`));
    lockOf(state, live, NOW - 10 * S);
    const { hb } = await statusOf(state);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting", startedAt: NOW - 10 * S, turnElapsedMs: 10 * S });
    expect(hb.reasons).toContain("a new session's transcript is only created with its first reply");
  });
});

describe("OPENCLAW_SESSIONS_NOW", () => {
  it("accepts an ISO date-time as well as epoch ms", async () => {
    const state = makeStateDir();
    index(state, { status: "done", startedAt: NOW - 5 * M, endedAt: NOW - 5 * M + 11 });
    const { doc } = await statusOf(state, [], { OPENCLAW_SESSIONS_NOW: "2026-07-01T12:00:00.000Z" });
    expect(doc.generatedAt).toBe(NOW);
  });

  it("rejects anything else with a one-line usage error before reading", async () => {
    const r = await run(["status", "--state-dir", makeStateDir(), "--no-probe"], { env: { OPENCLAW_SESSIONS_NOW: "yesterday" } });
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('openclaw-sessions: OPENCLAW_SESSIONS_NOW="yesterday" is neither epoch milliseconds nor an ISO date-time (e.g. 2026-07-01T12:00:00Z)\n');
  });
});
