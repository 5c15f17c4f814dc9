import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RealPaths } from "../../src/store/contain.js";
import { locateTrajectory, readTrajectoryTail, safeSessionFileName } from "../../src/store/trajectory.js";
import { event, makeStateDir, makeTempDir, runEvents, sessionsDir, transcriptPath, trajectoryPath, writePointer, writeTrajectory } from "../fixtures/store-builder.js";
import { REAL_OPENCLAW } from "../fixtures/real-openclaw.js";

const T0 = Date.parse("2026-11-21T20:00:00.000Z");

function trajFile(events: Array<string | object>): string {
  return writeTrajectory(path.join(makeTempDir(), "s-1.trajectory.jsonl"), events);
}

describe("readTrajectoryTail: the last run", () => {
  it("picks the last runId of a file with many runs", async () => {
    const p = trajFile([...runEvents("r1", T0), ...runEvents("r2", T0 + 60_000, "success", { provider: "p2", modelId: "m2" })]);
    const t = await readTrajectoryTail(p);
    expect(t!.run).toEqual({
      runId: "r2",
      firstEventAt: T0 + 60_000,
      lastEventAt: T0 + 60_011,
      promptSubmittedAt: T0 + 60_003,
      modelCompletedAt: T0 + 60_010,
      ended: { status: "success", at: T0 + 60_011 },
      openToolCalls: [],
      modelId: "m2",
      provider: "p2",
    });
    expect(t!.lastEventAt).toBe(T0 + 60_011);
    expect(t!.truncated).toBe(false);
    expect(t!.size).toBe(fs.statSync(p).size);
  });

  it("spans retries under one runId and reports the LAST session.ended", async () => {
    const p = trajFile([
      ...runEvents("r1", T0),
      ...runEvents("r2", T0 + 1000, "error"),
      ...runEvents("r2", T0 + 2000, "error"),
      ...runEvents("r2", T0 + 3000, "error"),
    ]);
    const run = (await readTrajectoryTail(p))!.run!;
    expect(run.runId).toBe("r2");
    expect(run.firstEventAt).toBe(T0 + 1000);
    expect(run.promptSubmittedAt).toBe(T0 + 3003);
    expect(run.ended).toEqual({ status: "error", at: T0 + 3011 });
  });

  it("keeps session.ended when model.fallback_step follows it", async () => {
    const p = trajFile([...runEvents("r1", T0, "error"), event("model.fallback_step", T0 + 500, { runId: "r1", data: { fallbackStepFinalOutcome: "chain_exhausted" } })]);
    const run = (await readTrajectoryTail(p))!.run!;
    expect(run.ended).toEqual({ status: "error", at: T0 + 11 });
    expect(run.lastEventAt).toBe(T0 + 500);
  });

  it("a killed 2026.4.26 run: prompt.submitted and no end", async () => {
    const p = trajFile([...runEvents("r1", T0), ...runEvents("r2", T0 + 1000).slice(0, 4)]);
    const run = (await readTrajectoryTail(p))!.run!;
    expect(run.runId).toBe("r2");
    expect(run.ended).toBeUndefined();
    expect(run.promptSubmittedAt).toBe(T0 + 1003);
    expect(run.modelCompletedAt).toBeUndefined();
  });

  it("lists tool.call events without tool.result / tool.timeout", async () => {
    const s = { runId: "r1" };
    const p = trajFile([
      ...runEvents("r1", T0).slice(0, 4),
      event("tool.call", T0 + 100, { ...s, data: { toolCallId: "c1", name: "read" } }),
      event("tool.result", T0 + 200, { ...s, data: { toolCallId: "c1", name: "read" } }),
      event("tool.call", T0 + 300, { ...s, data: { toolCallId: "c2", name: "exec" } }),
      event("tool.call", T0 + 310, { ...s, data: { toolCallId: "c3", name: "web" } }),
      event("tool.timeout", T0 + 400, { ...s, data: { toolCallId: "c3", name: "web" } }),
    ]);
    const run = (await readTrajectoryTail(p))!.run!;
    expect(run.openToolCalls).toEqual([{ id: "c2", name: "exec", since: T0 + 300 }]);
    expect(run.lastEventAt).toBe(T0 + 400);
  });

  it("forgets open calls of an earlier attempt when a retry starts", async () => {
    const s = { runId: "r1" };
    const p = trajFile([
      event("session.started", T0, s),
      event("tool.call", T0 + 1, { ...s, data: { toolCallId: "old", name: "exec" } }),
      event("session.ended", T0 + 2, { ...s, data: { status: "error" } }),
      event("session.started", T0 + 3, s),
    ]);
    expect((await readTrajectoryTail(p))!.run!.openToolCalls).toEqual([]);
  });

  it("skips garbage and a torn last line, notes trace.truncated", async () => {
    const p = trajFile([
      ...runEvents("r1", T0),
      "this is not json",
      '{"traceSchema":"other","type":"x","ts":"2026-11-21T21:00:00.000Z"}',
      '{"type":"session.started","ts":"not a date","runId":"bogus"}',
      event("trace.truncated", T0 + 50, { runId: "r1" }),
    ]);
    fs.appendFileSync(p, '{"traceSchema":"openclaw-trajectory","type":"session.star');
    const t = (await readTrajectoryTail(p))!;
    expect(t.truncated).toBe(true);
    expect(t.run!.runId).toBe("r1");
    expect(t.run!.ended!.status).toBe("success");
    expect(t.lastEventAt).toBe(T0 + 50);
  });

  it("undefined for a missing file; no run for a file without events", async () => {
    expect(await readTrajectoryTail(path.join(makeTempDir(), "none.jsonl"))).toBeUndefined();
    const t = await readTrajectoryTail(trajFile(["garbage", "{}"]));
    expect(t!.run).toBeUndefined();
    expect(t!.lastEventAt).toBeUndefined();
  });

  it("reads the real s5 http500 trajectory: ended(error), then model.fallback_step", async () => {
    const p = path.join(REAL_OPENCLAW, "s5-errors-within-grace/state/agents/main/sessions/d55aa982-b9bd-4044-ac4f-8a7348390d7e.trajectory.jsonl");
    const run = (await readTrajectoryTail(p))!.run!;
    expect(run.runId).toBe("37f156be-739e-4eaf-9f76-88bbd7b8cba2");
    // the flags 2026.7.1 writes on session.ended, and the failure reason of the model.fallback_step
    // after it: this is what tells http500 (persisted as timeout) from malformed (failed)
    expect(run.ended).toEqual({
      status: "error",
      at: Date.parse("2026-11-21T20:35:03.980Z"),
      aborted: false,
      externalAbort: false,
      timedOut: false,
      idleTimedOut: false,
      timedOutByRunBudget: false,
      failoverReason: "timeout",
    });
    expect(run.lastEventAt).toBe(Date.parse("2026-11-21T20:35:04.004Z"));
    expect(run.firstEventAt).toBe(Date.parse("2026-11-21T20:35:02.391Z"));
    expect(run.modelId).toBe("fake-1");
  });

  it("reads the real s5 malformed trajectory: four attempts under one runId", async () => {
    const p = path.join(REAL_OPENCLAW, "s5-errors-within-grace/state/agents/main/sessions/41685564-41df-44ab-9bd1-8dc3790d4100.trajectory.jsonl");
    const run = (await readTrajectoryTail(p))!.run!;
    expect(run.firstEventAt).toBe(Date.parse("2026-11-21T20:35:08.457Z"));
    expect(run.promptSubmittedAt).toBe(Date.parse("2026-11-21T20:35:09.493Z"));
    expect(run.ended).toEqual({
      status: "error",
      at: Date.parse("2026-11-21T20:35:09.526Z"),
      aborted: false,
      externalAbort: false,
      timedOut: false,
      idleTimedOut: false,
      timedOutByRunBudget: false,
    });
  });

  it("reads a 500 MB sparse file from its end, in bounded time", async () => {
    const p = path.join(makeTempDir(), "huge.trajectory.jsonl");
    try {
      fs.writeFileSync(p, "");
      fs.truncateSync(p, 500 * 1024 * 1024);
      const tail = [...runEvents("old", T0), ...runEvents("last", T0 + 5000, "interrupted")].map((e) => JSON.stringify(e) + "\n").join("");
      fs.appendFileSync(p, tail);
      const started = Date.now();
      const t = (await readTrajectoryTail(p))!;
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(t.size).toBeGreaterThan(500 * 1024 * 1024);
      expect(t.run!.runId).toBe("last");
      expect(t.run!.ended!.status).toBe("interrupted");
    } finally {
      fs.rmSync(p, { force: true });
    }
  });
});

describe("locateTrajectory", () => {
  const sid = "fc4ca43d-e885-46ff-af9b-f20dc6eea468";

  function setup() {
    const state = makeStateDir();
    const transcript = transcriptPath(state, sid);
    const roots = [path.join(state, "agents"), sessionsDir(state)];
    return { state, transcript, roots };
  }

  it("falls back to the sibling when the pointer names a path from another machine", () => {
    const { state, transcript, roots } = setup();
    writeTrajectory(trajectoryPath(state, sid), runEvents("r", T0));
    writePointer(state, sid, `/home/operator/.openclaw/agents/main/sessions/${sid}.trajectory.jsonl`);
    expect(locateTrajectory({ sessionId: sid, transcriptPath: transcript, roots, env: {} })).toEqual({ path: trajectoryPath(state, sid), note: undefined });
  });

  it("follows a pointer naming an existing file inside the tree", () => {
    const { state, transcript, roots } = setup();
    writeTrajectory(trajectoryPath(state, sid), runEvents("r", T0));
    const other = writeTrajectory(path.join(sessionsDir(state), "renamed.jsonl"), runEvents("r", T0));
    writePointer(state, sid, other);
    expect(locateTrajectory({ sessionId: sid, transcriptPath: transcript, roots, env: {} }).path).toBe(other);
  });

  it("ignores, with a note, a pointer naming an existing file outside the tree", () => {
    const { state, transcript, roots } = setup();
    const outside = writeTrajectory(path.join(makeTempDir(), "secret.jsonl"), runEvents("r", T0));
    writePointer(state, sid, outside);
    const loc = locateTrajectory({ sessionId: sid, transcriptPath: transcript, roots, env: {} });
    expect(loc.path).toBeUndefined();
    expect(loc.note).toContain(outside);
  });

  it("rejects a sibling that is a symlink leading out of the tree, saying it is a symlink and to where", () => {
    const { state, transcript, roots } = setup();
    const outside = writeTrajectory(path.join(makeTempDir(), "x.jsonl"), runEvents("r", T0));
    fs.mkdirSync(sessionsDir(state), { recursive: true });
    fs.symlinkSync(outside, trajectoryPath(state, sid));
    const loc = locateTrajectory({ sessionId: sid, transcriptPath: transcript, roots, env: {} });
    expect(loc.path).toBeUndefined();
    expect(loc.note).toBe(`trajectory ${trajectoryPath(state, sid)} is a symlink to ${fs.realpathSync(outside)}, outside the agents tree; ignored`);
  });

  it("a sibling that is a symlink inside the tree is read as the file it names", () => {
    const { state, transcript, roots } = setup();
    const real = writeTrajectory(path.join(sessionsDir(state), "elsewhere.jsonl"), runEvents("r", T0));
    fs.symlinkSync(real, trajectoryPath(state, sid));
    expect(locateTrajectory({ sessionId: sid, transcriptPath: transcript, roots, env: {} })).toEqual({ path: trajectoryPath(state, sid), note: undefined });
  });

  it("finds $OPENCLAW_TRAJECTORY_DIR/<safeSessionId>.jsonl", () => {
    const { transcript, roots } = setup();
    const dir = makeTempDir();
    const weird = "a/b:c";
    const p = writeTrajectory(path.join(dir, `${safeSessionFileName(weird)}.jsonl`), runEvents("r", T0));
    expect(safeSessionFileName(weird)).toBe("a_b_c");
    expect(locateTrajectory({ sessionId: weird, transcriptPath: transcript, roots, env: { OPENCLAW_TRAJECTORY_DIR: dir } }).path).toBe(p);
    expect(locateTrajectory({ sessionId: weird, transcriptPath: transcript, roots, env: {} }).path).toBeUndefined();
  });

  it("with one RealPaths shared by many sessions, escaping pointers and siblings are still refused", () => {
    const state = makeStateDir();
    const roots = [path.join(state, "agents"), sessionsDir(state)];
    const realPaths = new RealPaths();
    const outsideDir = makeTempDir();
    const outside = writeTrajectory(path.join(outsideDir, "secret.jsonl"), runEvents("r", T0));
    const ids = ["s-good", "s-pointer-out", "s-link-out", "s-pointer-in", "s-dir-out"];
    writeTrajectory(trajectoryPath(state, "s-good"), runEvents("r", T0));
    writePointer(state, "s-pointer-out", outside);
    fs.symlinkSync(outside, trajectoryPath(state, "s-link-out"));
    writeTrajectory(trajectoryPath(state, "s-pointer-in"), runEvents("r", T0));
    writePointer(state, "s-pointer-in", trajectoryPath(state, "s-pointer-in"));
    fs.symlinkSync(outsideDir, path.join(sessionsDir(state), "out-dir"));
    writePointer(state, "s-dir-out", path.join(sessionsDir(state), "out-dir", "secret.jsonl"));
    for (let round = 0; round < 2; round++) {
      const loc = Object.fromEntries(ids.map((id) => [id, locateTrajectory({ sessionId: id, transcriptPath: transcriptPath(state, id), roots, env: {}, realPaths })]));
      expect(loc["s-good"]).toEqual({ path: trajectoryPath(state, "s-good"), note: undefined });
      expect(loc["s-pointer-out"].path).toBeUndefined();
      expect(loc["s-pointer-out"].note).toContain(outside);
      expect(loc["s-link-out"].path).toBeUndefined();
      expect(loc["s-link-out"].note).toMatch(/is a symlink to .*secret.jsonl, outside the agents tree; ignored/);
      expect(loc["s-pointer-in"]).toEqual({ path: trajectoryPath(state, "s-pointer-in") });
      expect(loc["s-dir-out"].path).toBeUndefined();
      expect(loc["s-dir-out"].note).toMatch(/outside the agents tree/);
    }
  });

  it("a pointer that is too big, not JSON, a directory or a FIFO is ignored (without waiting): the sibling is used", () => {
    const { state, transcript, roots } = setup();
    writeTrajectory(trajectoryPath(state, sid), runEvents("r", T0));
    const elsewhere = writeTrajectory(path.join(sessionsDir(state), "renamed.jsonl"), runEvents("r", T0));
    const pointer = transcript.replace(/\.jsonl$/, ".trajectory-path.json");
    const sibling = { path: trajectoryPath(state, sid), note: undefined };
    const at = () => locateTrajectory({ sessionId: sid, transcriptPath: transcript, roots, env: {} });
    fs.writeFileSync(pointer, JSON.stringify({ runtimeFile: elsewhere, pad: "x".repeat(64 * 1024) }));
    expect(at()).toEqual(sibling);
    fs.writeFileSync(pointer, `{"runtimeFile": "${elsewhere}"`);
    expect(at()).toEqual(sibling);
    fs.rmSync(pointer);
    fs.mkdirSync(pointer);
    expect(at()).toEqual(sibling);
    fs.rmdirSync(pointer);
    execFileSync("mkfifo", [pointer]);
    expect(at()).toEqual(sibling);
    fs.rmSync(pointer);
    fs.writeFileSync(pointer, JSON.stringify({ runtimeFile: ` ${elsewhere} ` }));
    expect(at().path).toBe(elsewhere);
  });

  it("safeSessionFileName matches OpenClaw's rules", () => {
    expect(safeSessionFileName("...")).toBe("session");
    expect(safeSessionFileName("x".repeat(200))).toHaveLength(120);
  });
});
