// `status --gateway` in-process against the fake gateway replaying what a real 2026.9.6 gateway
// sent during one scripted turn (test/fixtures/gateway-frames), stopped at the tool's start. The
// listen window runs on a fake clock, ended once the replayed frames have arrived; `watch
// --gateway` on the same recording runs as the built CLI in test/e2e/gateway-replay.test.ts.
import { describe, expect, it, vi } from "vitest";
import { findAgent, loadRecording } from "../fixtures/gateway-recordings.js";
import { useReplayStates } from "../fixtures/replay-state.js";
import { runJson } from "./helpers/run.js";

const REC = loadRecording("2026.9.6");
const KEY = REC.sessionKey;
const RUN = "ffa181ca-c977-4492-b6fb-66ce1d0d35e8";
const { setup } = useReplayStates(REC, () => vi.useRealTimers());

describe("the real 2026.9.6 recording replayed", () => {
  it("status --gateway, stopped mid-tool: tool_exec exec from the gateway", async () => {
    const { state, gateway, env } = await setup();
    const toolStart = findAgent(REC, (a) => a.stream === "item" && a.data?.kind === "tool" && a.data.phase === "start");
    // setTimeout faked: the replay is sent back to back (its order kept, no gaps to wait) once
    // the CLI's first list is answered, as a real client sees a turn it joins; the 3 s window
    // ends once every replayed frame has arrived
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const listed = new Promise<void>((resolve) => gateway.once("request", function onRequest(method: string) {
      if (method === "sessions.list") setImmediate(resolve);
      else gateway.once("request", onRequest);
    }));
    const running = runJson(["status", "--state-dir", state, "--no-probe", "--gateway", "--gateway-wait", "3s"], { env });
    await listed;
    await gateway.replay(REC.frames.slice(0, toolStart + 1), { maxGapMs: 0 });
    await gateway.delivered();
    await vi.advanceTimersByTimeAsync(3_000);
    const { result, doc } = await running;
    expect(result.code).toBe(0);
    expect(doc.gatewayOverlay).toMatchObject({ connected: true, protocol: 4 });
    expect(doc.sessions[0]).toMatchObject({ sessionKey: KEY, state: "tool_exec", toolName: "exec", health: "active", source: "gateway", turnId: RUN, model: "fake-1" });
    expect(doc.sessions[0].reasons).toContain(`gateway: tool exec running (run ${RUN})`);
  });

});
