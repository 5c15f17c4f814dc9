import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  assistantMessage,
  customModelSnapshot,
  fallbackStepEvent,
  gatewayLockBody,
  indexEntry,
  indexText,
  lockBody,
  modelChange,
  pointerFile,
  runEventCount,
  runEvents,
  sessionKeys,
  terminalPatch,
  thinkingLevelChange,
  toolResult,
  trajectoryEvent,
  transcriptHeader,
  userMessage,
  type RunSpec,
} from "../../src/sim/format.js";
import { REAL_OPENCLAW as REAL } from "../fixtures/real-openclaw.js";

const sessionsOf = (run: string) => path.join(REAL, run, "state/agents/main/sessions");
const S2 = sessionsOf("s2-live-waiting-model");
const S2_ID = "fc4ca43d-e885-46ff-af9b-f20dc6eea468";
const S3 = sessionsOf("s3-tool-killed");
const S3_ID = "d77c2b60-4f93-4e6d-9164-237dc3ba290d";
const S5 = sessionsOf("s5-errors-within-grace");

const lines = (file: string): string[] => fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => l + "\n");
const parsed = (file: string): Record<string, any>[] => lines(file).map((l) => JSON.parse(l));
const ms = (iso: string) => Date.parse(iso);

function realTrajectoryEvents(): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const run of fs.readdirSync(REAL)) {
    const dir = path.join(REAL, run, "state/agents/main/sessions");
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (f.endsWith(".trajectory.jsonl")) out.push(...parsed(path.join(dir, f)));
  }
  return out;
}

describe("transcript builders reproduce real 2026.7.1 lines byte for byte", () => {
  const real = lines(path.join(S2, `${S2_ID}.jsonl`));
  const obj = real.map((l) => JSON.parse(l));

  it("header, model_change, thinking_level_change, model-snapshot", () => {
    expect(transcriptHeader(S2_ID, ms(obj[0].timestamp), obj[0].cwd)).toBe(real[0]);
    expect(modelChange(ms(obj[1].timestamp), { id: obj[1].id, parentId: null }, "fake", "fake-1")).toBe(real[1]);
    expect(thinkingLevelChange(ms(obj[2].timestamp), { id: obj[2].id, parentId: obj[2].parentId })).toBe(real[2]);
    expect(customModelSnapshot(ms(obj[3].timestamp), { id: obj[3].id, parentId: obj[3].parentId }, { provider: "fake", modelId: "fake-1" })).toBe(real[3]);
  });

  it("user and assistant messages", () => {
    const u = obj[4];
    expect(userMessage(ms(u.timestamp), u.message.content, { id: u.id, parentId: u.parentId }, u.message.timestamp)).toBe(real[4]);
    const a = obj[5];
    const built = assistantMessage(
      ms(a.timestamp),
      { text: "OK quick reply.", stopReason: "stop", model: "fake-1", provider: "fake", usage: { input: 50, output: 5 }, responseId: a.message.responseId, messageAt: a.message.timestamp },
      { id: a.id, parentId: a.parentId },
    );
    expect(built).toBe(real[5]);
  });

  it("assistant toolUse with a toolCall block (s3)", () => {
    const realS3 = lines(path.join(S3, `${S3_ID}.jsonl`));
    const a = JSON.parse(realS3[5]!);
    const call = a.message.content[0];
    const built = assistantMessage(
      ms(a.timestamp),
      { toolCalls: [{ id: call.id, name: call.name, arguments: call.arguments }], stopReason: "toolUse", model: "fake-1", provider: "fake", usage: { input: 50, output: 12 }, responseId: a.message.responseId, messageAt: a.message.timestamp },
      { id: a.id, parentId: a.parentId },
    );
    expect(built).toBe(realS3[5]);
  });

  it("assistant error answer (s5 malformed stream)", () => {
    const file = fs.readdirSync(S5).find((f) => f.endsWith(".jsonl") && !f.includes("trajectory") && fs.readFileSync(path.join(S5, f), "utf8").includes("malformed"))!;
    const real5 = lines(path.join(S5, file));
    const a = JSON.parse(real5[5]!);
    const built = assistantMessage(
      ms(a.timestamp),
      { text: a.message.content[0].text, stopReason: "error", model: "fake-1", provider: "fake", errorMessage: a.message.errorMessage, messageAt: a.message.timestamp },
      { id: a.id, parentId: a.parentId },
    );
    expect(built).toBe(real5[5]);
  });

  it("toolResult carries toolCallId, toolName, isError and round-trips", () => {
    const line = toolResult(1795293262000, "call_1", "exec", "exit 0", false, { id: "aa", parentId: "bb" });
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    const o = JSON.parse(line);
    expect(Object.keys(o)).toEqual(["type", "id", "parentId", "timestamp", "message"]);
    expect(o.message).toMatchObject({ role: "toolResult", toolCallId: "call_1", toolName: "exec", isError: false, timestamp: 1795293262000 });
    expect(o.message.content).toEqual([{ type: "text", text: "exit 0" }]);
  });
});

describe("trajectory builders", () => {
  const real = realTrajectoryEvents();
  const byType = new Map<string, Record<string, any>>();
  for (const e of real) if (!byType.has(e.type)) byType.set(e.type, e);

  const spec = (over: Partial<RunSpec> = {}): RunSpec => ({
    sessionId: S2_ID,
    sessionKey: "agent:main:s2-model-wait",
    runId: "72996a14-da24-4aa8-8287-38c1eaf72672",
    agentId: "main",
    provider: "fake",
    modelId: "fake-1",
    workspaceDir: "/home/operator/.openclaw/workspace",
    sessionFile: `/home/operator/.openclaw/agents/main/sessions/${S2_ID}.jsonl`,
    prompt: "hello",
    startedAt: 1795293196309,
    promptAt: 1795293196446,
    completedAt: 1795293196637,
    endedAt: 1795293196639,
    status: "success",
    ...over,
  });

  it("reproduces a real session.ended line exactly", () => {
    const realLine = lines(path.join(S2, `${S2_ID}.trajectory.jsonl`)).find((l) => l.includes('"type":"session.ended"'))!;
    const e = JSON.parse(realLine);
    const built = trajectoryEvent("session.ended", ms(e.ts), {
      sessionId: e.sessionId,
      sessionKey: e.sessionKey,
      runId: e.runId,
      seq: e.seq,
      sourceSeq: e.sourceSeq,
      workspaceDir: e.workspaceDir,
      provider: e.provider,
      modelId: e.modelId,
      modelApi: e.modelApi,
      data: e.data,
    });
    expect(built).toBe(realLine);
  });

  for (const status of ["success", "error"] as const) {
    it(`a whole ${status} run has the real event types, envelope keys and data keys`, () => {
      const events = runEvents(spec({ status })).map((l) => JSON.parse(l));
      expect(events.map((e) => e.type)).toEqual(["session.started", "trace.metadata", "context.compiled", "prompt.submitted", "model.completed", "trace.artifacts", "session.ended"]);
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      // success runs are compared with s1/s2 events, error runs with s5 events
      const pool = real.filter((x) => (x.sessionKey.startsWith("agent:main:s5-")) === (status === "error"));
      for (const e of events) {
        const r = pool.find((x) => x.type === e.type)!;
        expect(Object.keys(e), e.type).toEqual(Object.keys(r));
        expect(Object.keys(e.data).sort(), e.type).toEqual(Object.keys(r.data).sort());
      }
      expect(events[6].data.status).toBe(status);
      expect(events[5].data.finalStatus).toBe(status);
    });
  }

  it("sourceSeq continues over the file while seq restarts per run", () => {
    const first = spec();
    const second = spec({ runId: "r2", firstSourceSeq: runEventCount(first) + 1 });
    const evs = runEvents(second).map((l) => JSON.parse(l));
    expect(evs[0].seq).toBe(1);
    expect(evs[0].sourceSeq).toBe(8);
    expect(evs[6].sourceSeq).toBe(14);
  });

  it("tool events sit between prompt.submitted and model.completed; an unfinished tool has no result", () => {
    const s = spec({
      toolCalls: [
        { id: "c1", name: "exec", arguments: { command: "ls" }, startedAt: 1795293196500, endedAt: 1795293196600 },
        { id: "c2", name: "read", arguments: {}, startedAt: 1795293196610 },
      ],
    });
    const evs = runEvents(s).map((l) => JSON.parse(l));
    expect(evs.map((e) => e.type)).toEqual(["session.started", "trace.metadata", "context.compiled", "prompt.submitted", "tool.call", "tool.result", "tool.call", "model.completed", "trace.artifacts", "session.ended"]);
    expect(evs.length).toBe(runEventCount(s));
    expect(evs[4].data).toMatchObject({ toolCallId: "c1", name: "exec" });
    expect(evs[5].data).toMatchObject({ toolCallId: "c1", name: "exec" });
    expect(evs[6].data).toMatchObject({ toolCallId: "c2", name: "read" });
  });

  it("model.fallback_step has the real shape (no modelApi, data keys)", () => {
    const r = byType.get("model.fallback_step")!;
    const e = JSON.parse(fallbackStepEvent(1795293304004, spec({ status: "error" }), 8, "500 boom"));
    expect(Object.keys(e)).toEqual(Object.keys(r));
    expect(Object.keys(e.data)).toEqual(Object.keys(r.data));
    expect(e.seq).toBe(1);
    expect(e.sourceSeq).toBe(8);
  });
});

describe("small JSON files", () => {
  it("pointer file is byte-identical to the real one", () => {
    const real = fs.readFileSync(path.join(S2, `${S2_ID}.trajectory-path.json`), "utf8");
    const o = JSON.parse(real);
    expect(pointerFile(o.sessionId, o.runtimeFile)).toBe(real);
  });

  it("transcript lock body is byte-identical to the real one", () => {
    const real = fs.readFileSync(path.join(S2, `${S2_ID}.jsonl.lock`), "utf8");
    const o = JSON.parse(real);
    expect(lockBody(o.pid, ms(o.createdAt), o.starttime, o.maxHoldMs)).toBe(real);
    expect(Object.keys(JSON.parse(lockBody(1, 0)))).toEqual(["pid", "createdAt"]);
  });

  it("gateway lock body is byte-identical to the real one", () => {
    const dir = path.join(REAL, "s2-live-waiting-model/gateway-lock");
    const real = fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!), "utf8");
    const o = JSON.parse(real);
    expect(gatewayLockBody(o.pid, ms(o.createdAt), o.configPath, o.port, o.startTime)).toBe(real);
  });
});

describe("index entries", () => {
  const realIndex = JSON.parse(fs.readFileSync(path.join(S2, "sessions.json"), "utf8"));
  const realEntry = realIndex["agent:main:s2-model-wait"];

  it("keeps the real key order for the fields both have", () => {
    const e = indexEntry({
      sessionId: "x",
      updatedAt: 3,
      sessionStartedAt: 1,
      lastInteractionAt: 2,
      sessionFile: "/t.jsonl",
      status: "running",
      startedAt: 2,
      model: "fake-1",
      modelProvider: "fake",
    });
    const shared = Object.keys(e).filter((k) => k in realEntry);
    expect(shared).toEqual(Object.keys(realEntry).filter((k) => k in e));
    // a realistic entry carries unknown fields a rewrite must keep
    expect(shared).toEqual(expect.arrayContaining(["skillsSnapshot", "contextTokens", "contextBudgetStatus"]));
  });

  it("an embedded run's row has no status, startedAt or abortedLastRun", () => {
    const e = indexEntry({ sessionId: "x", updatedAt: 3, sessionStartedAt: 1, lastInteractionAt: 2 });
    expect(e).not.toHaveProperty("status");
    expect(e).not.toHaveProperty("startedAt");
    expect(e).not.toHaveProperty("abortedLastRun");
  });

  it("terminalPatch appends endedAt and runtimeMs last, like the s1 capture", () => {
    const s1 = JSON.parse(fs.readFileSync(path.join(sessionsOf("s1-quick-done"), "sessions.json"), "utf8"))["agent:main:main"];
    const patched = terminalPatch(realEntry, "done", realEntry.startedAt + 594);
    expect(Object.keys(patched).slice(-2)).toEqual(["endedAt", "runtimeMs"]);
    expect(Object.keys(s1).slice(-2)).toEqual(["endedAt", "runtimeMs"]);
    expect(patched).toMatchObject({ status: "done", runtimeMs: 594, abortedLastRun: false, updatedAt: realEntry.startedAt + 594 });
    expect(terminalPatch(realEntry, "killed", realEntry.startedAt + 1).abortedLastRun).toBe(true);
  });

  it("indexText matches OpenClaw's layout (2-space indent, no trailing newline)", () => {
    const text = fs.readFileSync(path.join(S2, "sessions.json"), "utf8");
    expect(indexText(JSON.parse(text))).toBe(text);
  });
});

describe("session keys", () => {
  it("have OpenClaw's shapes", () => {
    expect(sessionKeys.main("main")).toBe("agent:main:main");
    expect(sessionKeys.cronRun("ops", "nightly", "u1")).toBe("agent:ops:cron:nightly:run:u1");
    expect(sessionKeys.subagent("research", "u2")).toBe("agent:research:subagent:u2");
    expect(sessionKeys.group("main", "telegram", "-1001")).toBe("agent:main:telegram:group:-1001");
  });
});
