// The overlay fed what real OpenClaw gateways sent during one scripted turn (stream 6 deltas,
// call `exec`, reply, end; then a tick, SIGTERM): test/fixtures/gateway-frames, recorded by
// test/interop/gateway-frames.test.ts. First through the client's frame parsing and the pure
// reducer, frame by frame; then over a real WebSocket from the fake gateway replaying them.
import { describe, expect, it } from "vitest";
import { EMPTY_OVERLAY, reduceOverlay, refineHeartbeat, type LiveFacts, type OverlayState } from "../../src/core/overlay.js";
import { parseFrame } from "../../src/gateway/frames.js";
import { overlayInputOf } from "../../src/gateway/open-overlay.js";
import { loadRecording as load, RECORDED_VERSIONS as VERSIONS, type Recording } from "../fixtures/gateway-recordings.js";
import { baseline, rig, TH, until } from "./helpers.js";

/** "state tool" labels, one per change (a repeat of the same phase is not a new step). */
function steps(seen: (LiveFacts | undefined)[]): string[] {
  const out: string[] = [];
  for (const f of seen) {
    const label = f?.state ? `${f.state}${f.state === "tool_exec" ? ` ${f.toolName}` : ""}` : f?.ended ? `ended ${f.ended.how}` : "none";
    if (out[out.length - 1] !== label) out.push(label);
  }
  return out;
}

interface Fed {
  facts: OverlayState;
  /** the session's facts after each inbound event frame, with that frame's event and stream */
  trail: { event: string; stream?: string; phase?: string; facts?: LiveFacts }[];
}

function feed(rec: Recording, upTo = rec.frames.length): Fed {
  let facts: OverlayState = EMPTY_OVERLAY;
  const trail: Fed["trail"] = [];
  for (const entry of rec.frames.slice(0, upTo)) {
    if (entry.dir !== "in") continue;
    const parsed = parseFrame(JSON.stringify(entry.frame));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.frame.type !== "event") continue;
    const input = overlayInputOf(parsed.frame, 1_000_000 + entry.t);
    if (input) facts = reduceOverlay(facts, input);
    const p = (parsed.frame.payload ?? {}) as { stream?: string; data?: { phase?: string } };
    trail.push({ event: parsed.frame.event, stream: p.stream, phase: p.data?.phase, facts: facts[rec.sessionKey] });
  }
  return { facts, trail };
}

describe.each(VERSIONS)("the real %s frames through the parser and the reducer", (version) => {
  const rec = load(version);

  it("go awaiting_model, streaming, tool_exec exec, awaiting_model, streaming, then the end", () => {
    const { trail } = feed(rec);
    expect(steps(trail.map((t) => t.facts))).toEqual(["none", "awaiting_model", "streaming", "tool_exec exec", "awaiting_model", "streaming", "ended end"]);
    const start = trail.findIndex((t) => t.stream === "lifecycle" && t.phase === "start");
    expect(trail[start].facts?.state).toBe("awaiting_model");
    const firstDelta = trail.findIndex((t) => t.stream === "assistant");
    expect(trail[firstDelta].facts?.state).toBe("streaming");
    const toolStart = trail.findIndex((t) => t.stream === "item" && t.phase === "start");
    expect(trail[toolStart].facts).toMatchObject({ state: "tool_exec", toolName: "exec", toolCallId: "call_fake_1" });
    const end = trail.findIndex((t) => t.stream === "lifecycle" && t.phase === "end");
    expect(trail[end].facts).toMatchObject({ state: undefined, hasActiveRun: false, ended: { how: "end" } });
  });

  it("sets the model and lastTokenAt, and the heartbeat reads complete from the gateway after the end", () => {
    const { facts } = feed(rec);
    const f = facts[rec.sessionKey];
    expect(f.lastTokenAt).toBeGreaterThan(0);
    const hb = refineHeartbeat(baseline({ sessionKey: rec.sessionKey, sessionId: undefined, startedAt: 1 }), f, Date.now(), TH);
    expect(hb).toMatchObject({ state: "complete", source: "gateway" });
    // 7.1 names the model nowhere on the agent stream (only in chat/session.message, which the
    // overlay does not read) and its sessions.list was empty before the run; 9.6 says it in `model`
    if (version === "2026.9.6") expect(f.model).toBe("fake-1");
  });

  it("a chat delta after lifecycle end does not revive streaming; tick and shutdown change nothing", () => {
    const { trail } = feed(rec);
    const end = trail.findIndex((t) => t.stream === "lifecycle" && t.phase === "end");
    const after = trail.slice(end);
    if (version === "2026.9.6") expect(after.some((t) => t.event === "chat")).toBe(true);
    for (const t of after) expect(t.facts?.state).toBeUndefined();
    for (const t of trail.filter((x) => x.event === "tick" || x.event === "shutdown" || x.event === "health")) {
      const i = trail.indexOf(t);
      expect(t.facts).toBe(trail[i - 1].facts);
    }
  });
});

describe("2026.9.6 lifecycle phase=model", () => {
  it("is not awaiting the model: it keeps the phase it finds, and model null keeps the model", () => {
    const { trail } = feed(load("2026.9.6"));
    const models = trail.map((t, i) => ({ t, i })).filter(({ t }) => t.stream === "lifecycle" && t.phase === "model");
    expect(models.length).toBeGreaterThanOrEqual(2);
    for (const { t, i } of models) expect(t.facts?.state).toBe(trail[i - 1].facts?.state);
    const last = models[models.length - 1];
    // the null one fires after the reply streamed, before the end
    expect(last.t.facts).toMatchObject({ state: "streaming", model: "fake-1" });
  });
});

describe.each(VERSIONS)("the real %s recording replayed over a WebSocket", (version) => {
  it("the overlay sees the states in order, at the replay's clock, then shutdown + close 1012 drops it", async () => {
    const rec = load(version);
    const r = await rig({ version });
    const overlay = r.open();
    const seen: (LiveFacts | undefined)[] = [];
    overlay.subscribe(() => seen.push(overlay.facts()[rec.sessionKey]));
    await until(overlay, () => overlay.status().connected);
    const closed = until(overlay, () => !overlay.status().connected);
    const before = Date.now();
    await r.gateway.replay(rec.frames, { maxGapMs: 5 });
    await closed;
    expect(steps(seen.filter((f) => f !== undefined))).toEqual(["awaiting_model", "streaming", "tool_exec exec", "awaiting_model", "streaming", "ended end"]);
    // the recorded clocks are moved to the replay's: a tool started an hour ago would read stalled
    expect(seen.find((f) => f?.state === "tool_exec")!.since).toBeGreaterThanOrEqual(before);
    expect(overlay.facts()).toEqual({});
    expect(overlay.status().reason).toMatch(/closed the socket \(1012 service restart\)/);
  });
});
