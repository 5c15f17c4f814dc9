import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readTranscriptTail } from "../../src/store/transcript.js";
import { line, makeTempDir, writeTranscript } from "../fixtures/store-builder.js";
import { REAL_OPENCLAW } from "../fixtures/real-openclaw.js";

const T0 = Date.parse("2026-11-21T20:00:00.000Z");

function transcript(lines: Array<string | object>): string {
  return writeTranscript(path.join(makeTempDir(), "s-1.jsonl"), lines);
}

describe("readTranscriptTail", () => {
  it("an unanswered toolCall of the newest assistant message is open, since that message", async () => {
    const p = transcript([
      line.header("s-1", T0),
      line.modelChange(T0 + 1),
      line.user(T0 + 10, "run it"),
      line.assistant(T0 + 20, { toolCalls: [{ id: "call_1", name: "exec" }, { id: "call_2", name: "read" }], messageAt: T0 + 15 }),
      line.toolResult(T0 + 30, "call_2", "read"),
    ]);
    const t = (await readTranscriptTail(p))!;
    expect(t.lastRole).toBe("toolResult");
    expect(t.lastMessageAt).toBe(T0 + 30);
    expect(t.lastStopReason).toBe("toolUse");
    expect(t.openToolCalls).toEqual([{ id: "call_1", name: "exec", since: T0 + 15 }]);
    expect(t.lastEntryAt).toBe(T0 + 30);
    expect(t.model).toBe("fake-1");
    expect(t.size).toBe(fs.statSync(p).size);
  });

  it("answered toolCalls are not open", async () => {
    const p = transcript([
      line.header("s-1", T0),
      line.user(T0 + 10),
      line.assistant(T0 + 20, { toolCalls: [{ id: "c1", name: "exec" }] }),
      line.toolResult(T0 + 30, "c1", "exec", true),
    ]);
    const t = (await readTranscriptTail(p))!;
    expect(t.openToolCalls).toEqual([]);
    expect(t.lastRole).toBe("toolResult");
  });

  it("only the newest assistant message counts: an older unanswered call is history", async () => {
    const p = transcript([
      line.header("s-1", T0),
      line.assistant(T0 + 20, { toolCalls: [{ id: "old", name: "exec" }] }),
      line.user(T0 + 30, "never mind"),
      line.assistant(T0 + 40, { text: "ok", model: "m-2" }),
    ]);
    const t = (await readTranscriptTail(p))!;
    expect(t.openToolCalls).toEqual([]);
    expect(t.lastRole).toBe("assistant");
    expect(t.lastStopReason).toBe("stop");
    expect(t.model).toBe("m-2");
  });

  it("a user message last: waiting for the model; message.timestamp wins over the entry time", async () => {
    const p = transcript([line.header("s-1", T0), line.assistant(T0 + 5), line.user(T0 + 100, "again", T0 + 90)]);
    const t = (await readTranscriptTail(p))!;
    expect(t.lastRole).toBe("user");
    expect(t.lastMessageAt).toBe(T0 + 90);
    expect(t.lastEntryAt).toBe(T0 + 100);
    expect(t.lastStopReason).toBe("stop");
  });

  it("an error stopReason, and a model_change newer than the last assistant message", async () => {
    const p = transcript([line.header("s-1", T0), line.user(T0 + 1), line.assistant(T0 + 2, { text: "", stopReason: "error" }), line.modelChange(T0 + 3, "m-next")]);
    const t = (await readTranscriptTail(p))!;
    expect(t.lastStopReason).toBe("error");
    expect(t.model).toBe("m-next");
    expect(t.lastEntryAt).toBe(T0 + 3);
    expect(t.lastRole).toBe("assistant");
  });

  it("a header only: nothing but the entry time", async () => {
    const t = (await readTranscriptTail(transcript([line.header("s-1", T0)])))!;
    expect(t.lastRole).toBeUndefined();
    expect(t.lastMessageAt).toBeUndefined();
    expect(t.openToolCalls).toEqual([]);
    expect(t.lastEntryAt).toBe(T0);
  });

  it("skips garbage and a torn last line", async () => {
    const p = transcript([line.header("s-1", T0), line.user(T0 + 1), "garbage{", line.assistant(T0 + 2, { toolCalls: [{ id: "c", name: "exec" }] })]);
    fs.appendFileSync(p, '{"type":"message","message":{"role":"toolRes');
    const t = (await readTranscriptTail(p))!;
    expect(t.lastRole).toBe("assistant");
    expect(t.openToolCalls.map((c) => c.name)).toEqual(["exec"]);
  });

  it("a newest line longer than the tail reader's cap: no message, and the cut is recorded", async () => {
    const p = transcript([line.header("s-1", T0), line.user(T0 + 10, "x".repeat(5000))]);
    const t = (await readTranscriptTail(p, { initialBytes: 64, maxBytes: 1024 }))!;
    expect(t.lastRole).toBeUndefined();
    expect(t.cutAtCap).toEqual({ bytes: 1024, lastLine: true });
    // the same file read whole has its message and no cut
    const whole = (await readTranscriptTail(p))!;
    expect(whole.lastRole).toBe("user");
    expect(whole.cutAtCap).toBeUndefined();
  });

  it("undefined for a missing file", async () => {
    expect(await readTranscriptTail(path.join(makeTempDir(), "none.jsonl"))).toBeUndefined();
  });

  it("reads the real s3 transcript: exec called, never answered", async () => {
    const t = (await readTranscriptTail(path.join(REAL_OPENCLAW, "s3-tool-killed/state/agents/main/sessions/d77c2b60-4f93-4e6d-9164-237dc3ba290d.jsonl")))!;
    expect(t.lastRole).toBe("assistant");
    expect(t.lastStopReason).toBe("toolUse");
    expect(t.openToolCalls).toEqual([{ id: "call_fake_5", name: "exec", since: 1795293258743 }]);
  });
});
