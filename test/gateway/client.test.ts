// The read-only operator client against a fake gateway speaking the recorded protocol subset
// (src/sim/gateway-ws.ts): real WebSockets on loopback, a real singleton lock, real key files.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { IDENTITY_FILE } from "../../src/gateway/identity.js";
import { baseline, KEY, requests, rig, until } from "./helpers.js";

const ROW = { key: KEY, sessionId: "s-1", status: "running", hasActiveRun: true, activeRunIds: ["run-1"] };

describe("handshake", () => {
  it("protocol 4 (2026.9.6): a read-only cli operator with its own signed device, then subscribe + list", async () => {
    const r = await rig({ version: "2026.9.6", sessions: [ROW] });
    const overlay = r.open();
    await until(overlay, () => overlay.facts()[KEY]?.hasActiveRun === true);
    expect(overlay.status()).toMatchObject({ connected: true, protocol: 4 });
    const [c] = r.gateway.connects;
    expect(c.signatureValid).toBe(true);
    expect(c.params).toMatchObject({ minProtocol: 3, maxProtocol: 4, role: "operator", scopes: ["operator.read"], client: { id: "cli", mode: "cli" } });
    expect(c.params.auth).toBeUndefined();
    expect(r.gateway.methods.slice(0, 2)).toEqual(["sessions.subscribe", "sessions.list"]);
  });

  it("protocol 3 (2026.4.26): the same client, protocol 3 chosen", async () => {
    const r = await rig({ version: "2026.4.26", sessions: [ROW] });
    const overlay = r.open();
    await until(overlay, () => overlay.status().connected);
    expect(overlay.status().protocol).toBe(3);
  });

  it("keeps its identity in its own state dir, mode 0600, with the deviceToken from hello-ok; says so once", async () => {
    const r = await rig({ sessions: [ROW] });
    const first = r.open();
    await until(first, () => first.status().connected);
    const file = path.join(r.xdg, "openclaw-sessions", IDENTITY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(file, "utf8"));
    const deviceId = r.gateway.connects[0].params.device as { id: string };
    expect(stored.deviceId).toBe(deviceId.id);
    expect(stored.gateways[r.configPath].deviceToken).toBe(`dt-${deviceId.id.slice(0, 12)}`);
    expect(r.notices.join("\n")).toContain(`openclaw devices remove ${deviceId.id}`);
    expect(r.notices.join("\n")).toContain("device_pairing_paired");
    expect(r.notices.join("\n")).toContain(path.join("devices", "paired.json"));
    first.close();
    const told = r.notices.length;
    const second = r.open();
    await until(second, () => second.status().connected);
    expect((r.gateway.connects[1].params.device as { id: string }).id).toBe(deviceId.id);
    expect(r.notices.length).toBe(told);
  });

  it("token auth from openclaw.json is sent and signed", async () => {
    const r = await rig({ auth: { mode: "token", token: "s3cret" } }, { gateway: { auth: { mode: "token", token: "s3cret" } } });
    const overlay = r.open();
    await until(overlay, () => overlay.status().connected);
    expect(r.gateway.connects[0]).toMatchObject({ params: { auth: { token: "s3cret" } }, signatureValid: true });
  });

  it("password auth from OPENCLAW_GATEWAY_PASSWORD", async () => {
    const r = await rig({ auth: { mode: "password", password: "pw" } });
    const overlay = r.open({ env: { OPENCLAW_GATEWAY_PASSWORD: "pw" } });
    await until(overlay, () => overlay.status().connected);
    expect(r.gateway.connects[0].params.auth).toEqual({ password: "pw" });
  });
});

describe("refusals", () => {
  it("a refused secret is one clear line and no retry", async () => {
    const r = await rig({ auth: { mode: "token", token: "right" } }, { gateway: { auth: { token: "wrong" } } });
    const overlay = r.open();
    const status = await overlay.listen(60_000);
    expect(status).toMatchObject({ connected: false, blocked: "refused", phase: "failed" });
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]).toMatch(/refused our connect: INVALID_REQUEST: unauthorized.*openclaw\.json gateway\.auth\.token/);
    // a retry would come within 50 ms (the test's backoff cap): give it ten times that
    await new Promise((res) => setTimeout(res, 500));
    expect(r.gateway.connects).toHaveLength(1);
  });

  it("NOT_PAIRED names `openclaw devices approve <requestId>`; once approved, a retry gets in", async () => {
    const r = await rig({ pairing: "required", sessions: [ROW] });
    const overlay = r.open({ client: { backoff: { baseMs: 10, maxMs: 50 }, notPairedRetryMs: 30 } });
    await until(overlay, () => overlay.status().blocked === "not_paired");
    const deviceId = (r.gateway.connects[0].params.device as { id: string }).id;
    expect(r.notices).toEqual([expect.stringContaining(`openclaw devices approve req-${deviceId.slice(0, 8)}`)]);
    r.gateway.approve(deviceId);
    await until(overlay, () => overlay.status().connected);
    expect(r.notices.filter((n) => n.includes("devices approve"))).toHaveLength(1);
  });

  it("UNAVAILABLE (a starting gateway) is waited out and retried", async () => {
    const r = await rig({ unavailableFirst: 2 });
    const overlay = r.open();
    await until(overlay, () => overlay.status().connected);
    expect(r.gateway.connects).toHaveLength(3);
    expect(r.notices.some((n) => n.includes("UNAVAILABLE"))).toBe(false);
  });

  it("a dead gateway's lock: no connection at all, the reason says why", async () => {
    const dead = Number(fs.readFileSync("/proc/sys/kernel/pid_max", "utf8")) - 1;
    const r = await rig({}, {}, dead);
    const overlay = r.open();
    await until(overlay, () => (overlay.status().reason ?? "").includes("not running"));
    expect(r.gateway.connects).toHaveLength(0);
  });
});

describe("loss and recovery", () => {
  it("a malformed frame is skipped; the next events still count", async () => {
    const r = await rig({ sessions: [ROW] });
    const overlay = r.open();
    await until(overlay, () => overlay.facts()[KEY]?.hasActiveRun === true);
    r.gateway.sendRaw("{this is not json");
    r.gateway.sendRaw(JSON.stringify({ type: "mystery" }));
    r.gateway.agent(KEY, "run-1", "assistant", { delta: "hi" });
    await until(overlay, () => overlay.facts()[KEY]?.state === "streaming");
    expect(overlay.status().connected).toBe(true);
    expect(overlay.apply(baseline())).toMatchObject({ state: "streaming", source: "gateway" });
  });

  it("a silent socket is dropped after 2x the tick interval and the overlay falls back to files", async () => {
    // ticks every second (the shortest tick the client honours) keep the socket alive until the gateway goes silent
    const r = await rig({ tickIntervalMs: 1_000, sessions: [ROW] });
    const overlay = r.open();
    await until(overlay, () => overlay.status().connected);
    r.gateway.agent(KEY, "run-1", "assistant", { delta: "x" });
    await until(overlay, () => overlay.facts()[KEY]?.state === "streaming");
    r.gateway.goSilent();
    await until(overlay, () => !overlay.status().connected);
    expect(overlay.status().reason).toMatch(/silent for 2000 ms/);
    const hb = baseline();
    expect(overlay.apply(hb)).toBe(hb);
  });

  it("a seq gap re-subscribes and re-lists", async () => {
    const r = await rig({ sessions: [ROW] });
    const overlay = r.open();
    await until(overlay, () => overlay.facts()[KEY]?.hasActiveRun === true);
    r.gateway.emitEvent("tick", { ts: Date.now() });
    r.gateway.sessions = [{ ...ROW, hasActiveRun: false, activeRunIds: [] }];
    r.gateway.emitEvent("tick", { ts: Date.now() }, { skipSeq: 5 });
    await requests(r.gateway, "sessions.list", 2);
    expect(r.gateway.methods).toEqual(["sessions.subscribe", "sessions.list", "sessions.subscribe", "sessions.list"]);
    await until(overlay, () => overlay.facts()[KEY]?.hasActiveRun === false);
  });

  it("sessions.changed reason cleanup re-lists (no single key is named)", async () => {
    const r = await rig({ sessions: [ROW] });
    const overlay = r.open();
    await until(overlay, () => overlay.facts()[KEY]?.hasActiveRun === true);
    r.gateway.sessions = [];
    r.gateway.emitEvent("sessions.changed", { reason: "cleanup" });
    await requests(r.gateway, "sessions.list", 2);
    expect(r.gateway.methods.filter((m) => m === "sessions.list")).toHaveLength(2);
  });

  it("an abrupt close (SIGKILLed gateway) drops the overlay at once, then reconnects and re-lists", async () => {
    const r = await rig({ sessions: [ROW] });
    const overlay = r.open();
    await until(overlay, () => overlay.facts()[KEY]?.hasActiveRun === true);
    r.gateway.agent(KEY, "run-1", "item", { kind: "tool", phase: "start", name: "exec", toolCallId: "c1" });
    await until(overlay, () => overlay.facts()[KEY]?.state === "tool_exec");
    const states: boolean[] = [];
    overlay.subscribe(() => states.push(overlay.status().connected));
    r.gateway.killSockets();
    await until(overlay, () => !overlay.status().connected);
    expect(overlay.facts()).toEqual({});
    const hb = baseline({ state: "tool_exec", toolName: "from-files" });
    expect(overlay.apply(hb)).toBe(hb);
    await until(overlay, () => overlay.status().connected && overlay.facts()[KEY] !== undefined);
    expect(r.gateway.connects).toHaveLength(2);
    expect(r.gateway.methods.filter((m) => m === "sessions.list")).toHaveLength(2);
    expect(states).toContain(false);
  });

  it("a shutdown (SIGTERM) is followed by a reconnect once the gateway is back", async () => {
    const r = await rig({ sessions: [ROW] });
    const overlay = r.open();
    await until(overlay, () => overlay.status().connected);
    r.gateway.shutdown();
    await until(overlay, () => !overlay.status().connected);
    expect(overlay.status().reason).toMatch(/1012/);
    await until(overlay, () => overlay.status().connected);
  });
});

describe("the live view of a run", () => {
  it("streaming, then tool_exec with the tool's name, then the end, in order", async () => {
    const r = await rig({ sessions: [ROW] });
    const overlay = r.open();
    await until(overlay, () => overlay.facts()[KEY]?.hasActiveRun === true);
    const seen: string[] = [];
    overlay.subscribe(() => {
      const hb = overlay.apply(baseline());
      const label = `${hb.state}${hb.toolName ? `:${hb.toolName}` : ""}`;
      if (seen.at(-1) !== label) seen.push(label);
    });
    r.gateway.agent(KEY, "run-2", "lifecycle", { phase: "start" });
    r.gateway.agent(KEY, "run-2", "assistant", { delta: "Let me look" });
    r.gateway.agent(KEY, "run-2", "item", { kind: "tool", phase: "start", name: "exec", toolCallId: "c1" });
    r.gateway.agent(KEY, "run-2", "item", { kind: "tool", phase: "end", name: "exec", toolCallId: "c1" });
    r.gateway.agent(KEY, "run-2", "assistant", { delta: "Done" });
    r.gateway.agent(KEY, "run-2", "lifecycle", { phase: "end" });
    // a chat delta after the end must not bring streaming back
    r.gateway.emitEvent("chat", { sessionKey: KEY, runId: "run-2", state: "delta" });
    await until(overlay, () => overlay.facts()[KEY]?.ended?.runId === "run-2");
    expect(seen).toEqual(["awaiting_model", "streaming", "tool_exec:exec", "awaiting_model", "streaming", "complete"]);
  });
});
