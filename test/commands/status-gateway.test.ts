// `status --gateway` in-process against a fake gateway (src/sim/gateway-ws.ts) whose port is
// written into the gateway singleton lock of a test state dir, with our device identity in a temp
// XDG_STATE_HOME. The built CLI's exit 69 on a refusal is checked in test/e2e/status.test.ts.
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FakeGateway } from "../../src/sim/gateway-ws.js";
import { useFakeGateways } from "./helpers/fake-gateway-store.js";
import { run, runJson } from "./helpers/run.js";

const ID = "0f0e0d0c-0000-4000-8000-0000000000aa";
const KEY = "agent:main:main";
const { setup } = useFakeGateways(KEY, ID);
afterEach(() => vi.useRealTimers());

/**
 * The listen window (--gateway-wait) runs on a fake clock: the test moves it past the window's
 * end only once what the gateway sent has arrived (FakeGateway.delivered), where it used to wait
 * the real 3 s out. Sockets, files and the gateway's own pace stay real.
 */
function fakeWindow(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
}

/** Once the CLI has first listed, the run streams and then calls a tool; resolves once both are sent (and `then` ran). */
function playRunOnList(gateway: FakeGateway, then?: () => void): Promise<void> {
  return new Promise((resolve) => {
    let played = false;
    gateway.on("request", (method: string) => {
      if (method !== "sessions.list" || played) return;
      played = true;
      setImmediate(() => {
        gateway.agent(KEY, "run-7", "assistant", { delta: "Let me check" });
        gateway.agent(KEY, "run-7", "item", { kind: "tool", phase: "start", name: "exec", toolCallId: "call-1" });
        then?.();
        resolve();
      });
    });
  });
}

/** Ends the listen window once the played events have arrived. */
async function endWindowAfter(gateway: FakeGateway, played: Promise<void>, waitMs: number): Promise<void> {
  await played;
  await gateway.delivered();
  await vi.advanceTimersByTimeAsync(waitMs);
}

describe("status --gateway", () => {
  it("refines the files' verdict with the live tool call; says what it paired", async () => {
    const { state, gateway, env } = await setup();
    fakeWindow();
    const played = playRunOnList(gateway);
    const running = runJson(["status", "--state-dir", state, "--no-probe", "--gateway", "--gateway-wait", "3s"], { env });
    await endWindowAfter(gateway, played, 3_000);
    const { result, doc } = await running;
    expect(result.code).toBe(0);
    expect(doc.gatewayOverlay).toMatchObject({ connected: true, protocol: 4, reason: null });
    expect(doc.sessions[0]).toMatchObject({ sessionKey: KEY, state: "tool_exec", toolName: "exec", health: "active", source: "gateway", turnId: "run-7" });
    expect(doc.sessions[0].reasons).toContain("gateway: tool exec running (run run-7)");
    // judged as of the listen's end: nothing after the document's time, no negative duration
    expect(doc.sessions[0].lastActivityAt).toBeLessThanOrEqual(doc.generatedAt);
    expect(doc.sessions[0].reasons.join("\n")).not.toMatch(/for -\d/);
    expect(result.stderr).toContain("as a read-only operator (scope operator.read, protocol 4)");
    expect(result.stderr).toContain(path.join(env.XDG_STATE_HOME, "openclaw-sessions", "gateway-device.json"));
    expect(gateway.connects[0].params).toMatchObject({ role: "operator", scopes: ["operator.read"], client: { id: "cli", mode: "cli" } });
  });

  it("OPENCLAW_SESSIONS_GATEWAY=1 turns it on; the text table shows the tool", async () => {
    const { state, gateway, env } = await setup({ version: "2026.4.26" });
    fakeWindow();
    const played = playRunOnList(gateway);
    const running = run(["status", "--state-dir", state, "--no-probe", "--gateway-wait", "3s"], { env: { ...env, OPENCLAW_SESSIONS_GATEWAY: "1" } });
    await endWindowAfter(gateway, played, 3_000);
    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/active\s+agent:main:main\s+main\s+tool exec\s+-\s+fake-1\s+exec/);
    expect(gateway.connects).toHaveLength(1);
  });

  it("a socket closed abruptly falls back to the files", async () => {
    const { state, gateway, env } = await setup();
    // the gateway's socket dies after the tool call; the client reconnects and re-lists, but no
    // event says what the run does now, so the files decide again. A real window: its reconnect
    // waits on a retry timer the test cannot see being set, so a fake clock could pass it by.
    void playRunOnList(gateway, () => setImmediate(() => gateway.killSockets()));
    const { result, doc } = await runJson(["status", "--state-dir", state, "--no-probe", "--gateway", "--gateway-wait", "3s"], { env });
    expect(result.code).toBe(0);
    expect(doc.sessions[0]).toMatchObject({ state: "awaiting_model", source: "files" });
    expect(gateway.connects.length).toBeGreaterThanOrEqual(1);
  });

  it("a refused secret: one line, exit 69", async () => {
    const { state, env } = await setup({ auth: { mode: "token", token: "right" } }, { gateway: { auth: { mode: "token", token: "wrong" } } });
    const result = await run(["status", "--state-dir", state, "--no-probe", "--gateway", "--gateway-wait", "10s"], { env });
    expect(result.code).toBe(69);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^openclaw-sessions: --gateway: gateway at 127\.0\.0\.1:\d+ refused our connect: INVALID_REQUEST/);
  });

  it("NOT_PAIRED: the approval command, exit 69", async () => {
    const { state, env } = await setup({ pairing: "required" });
    const result = await run(["status", "--state-dir", state, "--no-probe", "--gateway", "--gateway-wait", "10s"], { env });
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/has not paired this tool yet: run `openclaw devices approve req-[0-9a-f]{8}` on the gateway host/);
  });

  it("no gateway lock: nothing is dialled, the files decide at once, a warning says why", async () => {
    const { state, gateway, env } = await setup({}, {}, false);
    // a 10 min window: only ending it at once lets the CLI finish within the test's timeout
    const { result, doc } = await runJson(["status", "--state-dir", state, "--no-probe", "--gateway", "--gateway-wait", "10m"], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: --gateway: no gateway is running for .*openclaw\.json \(no singleton lock\); showing what the files say/);
    expect(doc.gatewayOverlay).toMatchObject({ connected: false });
    expect(doc.sessions[0].source).toBe("files");
    expect(gateway.connects).toHaveLength(0);
  });

  it("--gateway-wait without --gateway is a usage error", async () => {
    const { state, env } = await setup();
    const result = await run(["status", "--state-dir", state, "--gateway-wait", "2s"], { env });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("--gateway-wait needs --gateway");
  });
});
