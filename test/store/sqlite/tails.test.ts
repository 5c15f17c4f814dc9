// The transcript tail read from rows: the current turn is judged from the newest events. Restart
// recovery resumes a dead tool call without storing a tool result, so an unanswered call further
// back is history, not a tool running now.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../../src/core/health/deriveHeartbeat.js";
import { writeAgentDb, type SimSchemaVersion, type SimSessionRow } from "../../../src/sim/era-c/write.js";
import { NO_TRAJECTORY_ROWS, readEraCStore } from "../../../src/store/sqlite/read-store.js";

const NOW = Date.parse("2026-12-04T12:00:00Z");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const iso = (ms: number) => new Date(ms).toISOString();
const user = (at: number, text: string) => ({ event: { type: "message", id: `u${at}`, timestamp: iso(at), message: { role: "user", content: text, timestamp: at } }, at });
const toolUse = (at: number, id: string) => ({
  event: { type: "message", id: `a${at}`, timestamp: iso(at), message: { role: "assistant", content: [{ type: "text", text: "running it" }, { type: "toolCall", id, name: "exec", arguments: { command: "sleep 20" } }], stopReason: "toolUse", model: "m-1", timestamp: at } },
  at,
});

function storeOf(transcript: SimSessionRow["transcript"], schemaVersion: SimSchemaVersion = 23) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-tails-"));
  dirs.push(dir);
  const startedAt = NOW - 60_000;
  const row: SimSessionRow = {
    sessionKey: "agent:main:t",
    sessionId: "sid-1",
    entry: { sessionId: "sid-1", updatedAt: startedAt, status: "running", startedAt },
    transcript: [{ event: { type: "session", version: 4, id: "sid-1", timestamp: iso(startedAt - 1000) }, at: startedAt - 1000 }, ...transcript],
    trajectory: [],
  };
  const file = writeAgentDb(dir, "main", [row], NOW, schemaVersion);
  // no owner: the verdict is unresponsive, but the state is still judged from the tail
  const read = readEraCStore({ agentId: "main", storePath: file, era: "C" });
  return { ev: read.evidence[0]!, hb: deriveHeartbeat(read.evidence[0]!, NOW, { stallAfterMs: 600_000, perState: {} }), warnings: read.warnings };
}

describe("era C transcript tail", () => {
  it("a newest assistant toolCall without a result is the tool running now", () => {
    const { ev, hb } = storeOf([user(NOW - 50_000, "run it"), toolUse(NOW - 40_000, "call-1")]);
    expect(ev.transcript?.openToolCalls.map((c) => c.name)).toEqual(["exec"]);
    expect([hb.state, hb.toolName]).toEqual(["tool_exec", "exec"]);
    // a first run still in progress has no trajectory rows: the reasons say so in era C's terms
    expect(hb.reasons).toContain(NO_TRAJECTORY_ROWS);
  });

  it("an unanswered call before the recovery's new user turn is history: the turn waits on the model", () => {
    const { ev, hb } = storeOf([
      user(NOW - 50_000, "run it"),
      toolUse(NOW - 40_000, "call-1"),
      user(NOW - 10_000, "[System] Your previous turn was interrupted by a gateway restart"),
    ]);
    expect(ev.transcript?.lastRole).toBe("user");
    expect(hb.state).toBe("awaiting_model");
  });

  it("a long reply stored zstd-compressed is read like any other", () => {
    const long = "x".repeat(3000);
    const { ev } = storeOf([user(NOW - 50_000, "go"), { event: { type: "message", id: "a1", timestamp: iso(NOW - 1000), message: { role: "assistant", content: [{ type: "text", text: long }], stopReason: "stop", model: "m-2", timestamp: NOW - 1000 } }, at: NOW - 1000 }]);
    expect([ev.transcript?.lastRole, ev.transcript?.lastStopReason, ev.transcript?.model, ev.transcript?.lastMessageAt]).toEqual(["assistant", "stop", "m-2", NOW - 1000]);
  });
});

// The rows a real 2026.9.6 gateway stored for a tool turn (fixture: era-c-9.6-tool-rows.json).
const real = JSON.parse(fs.readFileSync(new URL("../../fixtures/era-c-9.6-tool-rows.json", import.meta.url), "utf8")) as {
  windowStartedAt: number;
  rows: Array<{ seq: number; event: Record<string, unknown> }>;
};

function realStoreUpTo(lastSeq: number, now: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-tails-real-"));
  dirs.push(dir);
  const startedAt = real.windowStartedAt;
  const transcript = real.rows.filter((r) => r.seq <= lastSeq).map((r) => ({ event: r.event, at: Date.parse(String(r.event.timestamp)) }));
  const row: SimSessionRow = {
    sessionKey: "agent:main:c-tool",
    sessionId: "sid-real",
    entry: { sessionId: "sid-real", updatedAt: startedAt, status: "running", startedAt },
    transcript,
    trajectory: [],
  };
  const read = readEraCStore({ agentId: "main", storePath: writeAgentDb(dir, "main", [row], now), era: "C" });
  return deriveHeartbeat(read.evidence[0]!, now, { stallAfterMs: 600_000, perState: {} });
}

describe("era C transcript tail, rows as 2026.9.6 stores them", () => {
  const now = real.windowStartedAt + 5_000;

  it("the assistant toolCall stored, no toolResult yet: tool_exec (exec)", () => {
    const hb = realStoreUpTo(5, now);
    expect([hb.state, hb.toolName]).toEqual(["tool_exec", "exec"]);
  });

  it("the tool's error result already stored (then a cache-ttl event): the turn waits on the model again", () => {
    const hb = realStoreUpTo(7, now);
    expect(hb.state).toBe("awaiting_model");
    expect(hb.reasons.join(" ")).toMatch(/transcript ends with a tool result/);
  });
});

// OpenClaw 2026.8.1-2026.9.4 (agent schema 19) and 2026.9.5 (21) store transcript rows as text
// only: their transcript_events has no event_zstd column, and the tail statement must not name it.
describe("transcript tails of stores older releases wrote", () => {
  it.each([19, 21] as const)("schema %i: the tail is read from text rows, the same verdict as 23's", (version) => {
    const { ev, hb, warnings } = storeOf(
      [
        user(NOW - 50_000, "run it"),
        // long enough that a 23 store would compress it: an older store keeps it as text
        { event: { type: "message", id: "a-long", timestamp: iso(NOW - 45_000), message: { role: "assistant", content: [{ type: "text", text: "y".repeat(3000) }], stopReason: "stop", model: "m-old", timestamp: NOW - 45_000 } }, at: NOW - 45_000 },
        toolUse(NOW - 40_000, "call-old"),
      ],
      version,
    );
    expect(warnings).toEqual([]);
    expect(ev.transcript?.openToolCalls.map((c) => c.name)).toEqual(["exec"]);
    expect(hb).toMatchObject({ state: "tool_exec", toolName: "exec", era: "C" });
  });
});
