// `serve --gateway` end to end: the built CLI against a fake gateway (src/sim/gateway-ws.ts) whose
// port is in this state dir's gateway singleton lock. A WebSocket client of serve sees the
// gateway's transitions in order with no seq gap, the files again once the gateway is gone, one
// drain per sessionId leaving whichever source saw it first, and the overlay's state in /readyz
// and /metrics.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeGateway, type FakeGatewayOptions } from "../../src/sim/gateway-ws.js";
import { makeStateDir, makeTempDir, writeGatewayLock } from "../fixtures/store-builder.js";
import { procStartTime, useOwners } from "./helpers/cli.js";
import { loadSchema, validate } from "./helpers/schema.js";
import { connectWs, consecutive, eventSeqs, serveEnv, startServe, until, useServeCleanup, waitReady, wsUrl } from "./helpers/serve.js";
import { ID, idleStore, KEY, OTHER_ID, OTHER_KEY, readEntries, startRun, writeIndexAtomic } from "./watch-fixture.js";

useServeCleanup();
const { live } = useOwners();
const SERVE = loadSchema("serve.schema.json");
const gateways: FakeGateway[] = [];
afterEach(async () => {
  for (const g of gateways.splice(0)) await g.stop();
});

const isHb = (key: string, pred: (h: any) => boolean) => (m: any) => m.type === "heartbeat" && !m.periodic && m.heartbeat.sessionKey === key && pred(m.heartbeat);

/** A run in progress on KEY (files: awaiting_model), a fake gateway, and (unless `lock` is false) its lock. */
async function setup(fake: FakeGatewayOptions = {}, config: Record<string, unknown> = {}, lock = true) {
  const state = makeStateDir();
  fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify(config));
  idleStore(state);
  startRun(state, live);
  const gateway = new FakeGateway({ sessions: [{ key: KEY, sessionId: ID, status: "running", hasActiveRun: true }, { key: OTHER_KEY, sessionId: OTHER_ID, status: "done", hasActiveRun: false }], ...fake });
  gateways.push(gateway);
  const port = await gateway.start();
  const tmp = makeTempDir("ocs-serve-gw-tmp-");
  const writeLock = () => writeGatewayLock(tmp, path.join(state, "openclaw.json"), { pid: process.pid, startTime: procStartTime(process.pid), createdAt: Date.now() - 60_000, port });
  if (lock) writeLock();
  return { state, gateway, env: serveEnv({ TMPDIR: tmp }), writeLock };
}

async function readyz(url: string): Promise<any> {
  return (await fetch(`${url}/readyz`)).json();
}

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

describe("serve --gateway", () => {
  it("pushes streaming, then tool_exec with the tool's name, then the end, with no seq gap; a stopped gateway falls back to the files", async () => {
    const { state, gateway, env } = await setup();
    const srv = await startServe(["--state-dir", state, "--no-probe", "--gateway"], env);
    await waitReady(srv.url);
    await until(async () => (await readyz(srv.url)).gateway?.connected === true, () => "readyz never showed the gateway connected");
    expect(await readyz(srv.url)).toMatchObject({ ready: true, gateway: { connected: true, phase: "connected", protocol: 4, reason: null } });
    expect(await metrics(srv.url)).toContain('openclaw_sessions_gateway_connected{protocol="4"} 1');

    const ws = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const snap = await ws.next((m) => m.type === "snapshot", "the snapshot");
    expect(snap.sessions.find((s: any) => s.sessionKey === KEY)).toMatchObject({ state: "awaiting_model", source: "files" });

    gateway.agent(KEY, "run-5", "assistant", { delta: "Looking" });
    await ws.next(isHb(KEY, (h) => h.state === "streaming"), "streaming");
    // more deltas only move lastTokenAt: no transition of their own
    gateway.agent(KEY, "run-5", "assistant", { delta: " around" }, Date.now() + 1);
    gateway.agent(KEY, "run-5", "assistant", { delta: " here" }, Date.now() + 2);
    gateway.agent(KEY, "run-5", "item", { kind: "tool", phase: "start", name: "exec", toolCallId: "c1" });
    await ws.next(isHb(KEY, (h) => h.state === "tool_exec"), "the tool call");
    gateway.agent(KEY, "run-5", "lifecycle", { phase: "end" });
    await ws.next(isHb(KEY, (h) => h.state === "complete"), "the end");
    await gateway.stop();
    await ws.next(isHb(KEY, (h) => h.source === "files"), "the files' view again");

    const key = ws.messages.filter(isHb(KEY, () => true)).map((m) => m.heartbeat);
    expect(key.map((h) => `${h.state}:${h.source}${h.toolName ? `:${h.toolName}` : ""}`)).toEqual(["streaming:gateway", "tool_exec:gateway:exec", "complete:gateway", "awaiting_model:files"]);
    expect(key[0]).toMatchObject({ health: "active", turnId: "run-5" });
    const seqs = eventSeqs(ws.messages);
    expect(seqs).toEqual(consecutive(snap.seq + 1, seqs.length));
    for (const m of ws.messages) expect(validate(SERVE.$defs.event, m, "$", SERVE)).toEqual([]);

    await until(async () => (await readyz(srv.url)).gateway?.connected === false, () => "readyz still shows the gateway connected");
    expect(await readyz(srv.url)).toMatchObject({ ready: true, gateway: { connected: false, protocol: null } });
    expect(await metrics(srv.url)).toContain('openclaw_sessions_gateway_connected{protocol=""} 0');
  });

  it("a reset the gateway reports is drained once, as reset, also after the files show the new sessionId; one the files saw first is not drained again", async () => {
    const { state, gateway, env } = await setup();
    let listed = 0;
    gateway.on("request", (m: string) => {
      if (m === "sessions.list") listed++;
    });
    const srv = await startServe(["--state-dir", state, "--no-probe", "--gateway"], env);
    await waitReady(srv.url);
    await until(() => listed > 0, () => "serve's overlay never listed the sessions");
    const ws = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const snap = await ws.next((m) => m.type === "snapshot", "the snapshot");

    // the gateway first (9.6's reset names the sessionId that left)
    gateway.emitEvent("sessions.changed", { key: KEY, reason: "reset", sessionId: ID });
    const drain = await ws.next((m) => m.type === "socket.drain" && m.sessionKey === KEY, "the gateway's reset drain");
    expect(drain).toMatchObject({ sessionKey: KEY, agentId: "main", sessionId: ID, reason: "reset" });
    // OpenClaw then writes the new session under the key
    let entries = readEntries(state);
    entries[KEY] = { ...entries[KEY], sessionId: "fresh-after-gateway-reset" };
    writeIndexAtomic(state, entries);
    await ws.next(isHb(KEY, (h) => h.sessionId === "fresh-after-gateway-reset"), "the new session's heartbeat");

    // the files first: their drain names the new id; the gateway's late word changes nothing
    entries = readEntries(state);
    entries[OTHER_KEY] = { ...entries[OTHER_KEY], sessionId: "fresh-after-file-reset" };
    writeIndexAtomic(state, entries);
    await ws.next((m) => m.type === "socket.drain" && m.sessionKey === OTHER_KEY, "the files' reset drain");
    gateway.emitEvent("sessions.changed", { key: OTHER_KEY, reason: "reset", sessionId: OTHER_ID });
    // an event after it on the same socket: once it shows, the late reset has been handled
    gateway.agent(KEY, "run-9", "assistant", { delta: "hello" });
    await ws.next(isHb(KEY, (h) => h.state === "streaming"), "a later gateway event");

    const drains = ws.messages.filter((m) => m.type === "socket.drain");
    expect(drains.map((d) => `${d.sessionKey}:${d.sessionId}:${d.reason}`)).toEqual([`${KEY}:${ID}:reset`, `${OTHER_KEY}:${OTHER_ID}:reset`]);
    expect(drains[1].newSessionId).toBe("fresh-after-file-reset");
    const seqs = eventSeqs(ws.messages);
    expect(seqs).toEqual(consecutive(snap.seq + 1, seqs.length));
    for (const m of ws.messages) expect(validate(SERVE.$defs.event, m, "$", SERVE)).toEqual([]);
    const batch = (await (await fetch(`${srv.url}/api/sessions/heartbeat`)).json()) as { sessions: Array<Record<string, unknown>> };
    expect(batch.sessions.map((s: any) => s.sessionId).sort()).toEqual(["fresh-after-file-reset", "fresh-after-gateway-reset"]);
  });

  it("a refused secret at start: one line, exit 69, no retrying", async () => {
    const { state, gateway, env } = await setup({ auth: { mode: "token", token: "right" } }, { gateway: { auth: { mode: "token", token: "wrong" } } });
    const srv = await startServe(["--state-dir", state, "--no-probe", "--gateway"], env);
    const { code } = await srv.exited;
    expect(code).toBe(69);
    const lines = srv.stderr().trim().split("\n");
    expect(lines.at(-1)).toMatch(/^openclaw-sessions: --gateway: gateway at 127\.0\.0\.1:\d+ refused our connect: INVALID_REQUEST/);
    expect(lines.filter((l) => l.startsWith("openclaw-sessions:"))).toHaveLength(1);
    // said once: no `gateway` log line repeats the refusal
    expect(lines.filter((l) => /^\S+ gateway /.test(l))).toEqual([]);
    expect(gateway.connects).toHaveLength(1);
  });

  it("a pairing to approve at start: the approval command, exit 69", async () => {
    const { state, env } = await setup({ pairing: "required" });
    const srv = await startServe(["--state-dir", state, "--no-probe", "--gateway"], env);
    expect((await srv.exited).code).toBe(69);
    expect(srv.stderr().trim().split("\n").at(-1)).toMatch(/has not paired this tool yet: run `openclaw devices approve req-[0-9a-f]{8}` on the gateway host/);
  });

  it("a gateway that accepts and never speaks holds up nothing: ready from the files while it is silent", async () => {
    const { state, env } = await setup({}, {}, false);
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      writeGatewayLock(env.TMPDIR!, path.join(state, "openclaw.json"), { pid: process.pid, startTime: procStartTime(process.pid), createdAt: Date.now() - 60_000, port });
      const srv = await startServe(["--state-dir", state, "--no-probe", "--gateway"], env);
      await waitReady(srv.url);
      // ready, and no word from the gateway yet: serve did not wait for it
      expect(srv.stderr()).not.toMatch(/ gateway /);
      expect(await readyz(srv.url)).toMatchObject({ ready: true, gateway: { connected: false } });
      const batch = (await (await fetch(`${srv.url}/api/sessions/heartbeat`)).json()) as { sessions: Array<Record<string, unknown>> };
      expect(batch.sessions.find((s: any) => s.sessionKey === KEY)).toMatchObject({ state: "awaiting_model", source: "files" });
    } finally {
      silent.close();
    }
  });

  it("no gateway running (OPENCLAW_SESSIONS_GATEWAY=1): serves the files, and connects once the gateway's lock appears", async () => {
    const { state, env, writeLock } = await setup({}, {}, false);
    const srv = await startServe(["--state-dir", state, "--no-probe"], { ...env, OPENCLAW_SESSIONS_GATEWAY: "1" });
    await waitReady(srv.url);
    const before = await readyz(srv.url);
    expect(before).toMatchObject({ ready: true, gateway: { connected: false } });
    expect(before.gateway.reason).toMatch(/no gateway is running for .*openclaw\.json/);
    expect(await metrics(srv.url)).toContain('openclaw_sessions_gateway_connected{protocol=""} 0');
    const batch = (await (await fetch(`${srv.url}/api/sessions/heartbeat`)).json()) as { sessions: Array<Record<string, unknown>> };
    expect(batch.sessions.find((s: any) => s.sessionKey === KEY)).toMatchObject({ state: "awaiting_model", source: "files" });

    writeLock();
    await until(async () => (await readyz(srv.url)).gateway?.connected === true, () => "serve never connected to the gateway that appeared");
    expect(await metrics(srv.url)).toContain('openclaw_sessions_gateway_connected{protocol="4"} 1');
  });
});
