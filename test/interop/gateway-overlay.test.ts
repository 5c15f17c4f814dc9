// Issue 14 against a real gateway: our built `serve --gateway` beside a real OpenClaw gateway
// (2026.9.6, then 2026.7.1 with INTEROP_VERSIONS), a turn the scripted model streams slowly and
// that calls a tool. A real `ws` client of serve must see `streaming`, then `tool_exec` with the
// tool's name, then the end, in that order; a SIGKILLed gateway must hand the rows back to the
// files/DB; a restarted gateway must be reconnected and re-listed. Beside it a read-only operator
// client records the gateway's own frames, so the delay from a gateway event (its `ts`) to our
// heartbeat event (`at`) is measured and printed (never asserted: no timed tests).
// Connecting pairs our device with the sandbox gateway (docs/gateway-overlay.md).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Driver, until } from "./drive.js";
import { startModelServer, type ModelServer } from "./model-server.js";
import { OperatorRecorder } from "./operator-client.js";
import { ensureInterop, INTEROP_NODE, OPENCLAW_VERSIONS, OUR_BIN, REPO_ROOT } from "./support.js";

const VERSIONS = process.env.INTEROP_VERSIONS?.split(",") ?? [OPENCLAW_VERSIONS.eraC, OPENCLAW_VERSIONS.fileEra];

type Msg = Record<string, any>;
type Frame = { type?: string; event?: string; payload?: Record<string, any> };

interface Serve {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

async function startServe(d: Driver): Promise<Serve> {
  const xdg = path.join(d.box.root, "xdg");
  fs.mkdirSync(xdg, { recursive: true });
  const env = { PATH: `${path.dirname(INTEROP_NODE)}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: d.box.home, TMPDIR: d.box.tmp, XDG_STATE_HOME: xdg, NO_COLOR: "1" };
  const child = spawn(process.execPath, [OUR_BIN, "serve", "--port", "0", "--state-dir", d.box.stateDir, "--gateway"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const url = await until("serve to listen", () => /listening url=(\S+)|"event":"listening","url":"([^"]+)"/.exec(stderr)?.slice(1).find(Boolean), 60_000);
  return { child, url, stderr: () => stderr };
}

function connectWs(url: string): { ws: WebSocket; messages: Msg[] } {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/sessions/ws`);
  const messages: Msg[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(data.toString())));
  ws.on("error", () => undefined);
  return { ws, messages };
}

async function readyz(url: string): Promise<Msg> {
  return (await fetch(`${url}/readyz`)).json() as Promise<Msg>;
}

const hbOf = (messages: Msg[], key: string) =>
  messages.filter((m) => m.type === "heartbeat" && !m.periodic && m.heartbeat.sessionKey === key);

describe.each(VERSIONS)("serve --gateway beside a real OpenClaw %s gateway", (version) => {
  let d: Driver;
  let model: ModelServer;
  let serve: Serve | undefined;
  let client: { ws: WebSocket; messages: Msg[] };
  let recorder: OperatorRecorder;
  let recorderT0 = 0;
  const KEY_NAME = "ovl";
  const HANG_NAME = "ovlhang";
  let key = "";
  let hangKey = "";
  let turnExit: { code: number | null } | undefined;
  const readyzAt: Record<string, Msg> = {};
  let afterKillIdx = 0;
  let afterRestartIdx = 0;

  beforeAll(async () => {
    const entry = ensureInterop(version);
    model = await startModelServer();
    d = await Driver.create(version, entry, `overlay-${version}`, model.baseUrl);
    key = d.sessionKey(KEY_NAME);
    hangKey = d.sessionKey(HANG_NAME);
    try {
      await d.startGateway(20 * 60_000);
      // serve is ready (and streams) only once a session store exists: a first quick turn makes it
      const first = await d.turn("ovlfirst", "TAG=ovlfirst MODE=quick").exited;
      if (first.code !== 0) throw new Error(`the first turn failed (${first.code}): ${d.gatewayLog.slice(-2000)}`);
      serve = await startServe(d);
      await until("serve ready with the gateway connected", async () => { const r = await readyz(serve!.url); return r.ready === true && r.gateway?.connected === true ? true : undefined; }, 120_000, 250)
        .catch(async (e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(await readyz(serve!.url))}\n${serve!.stderr()}`); });
      readyzAt.connected = await readyz(serve.url);
      recorderT0 = Date.now(); // the recorder's frame times are relative to its creation
      recorder = new OperatorRecorder();
      await recorder.connect(d.port);
      await recorder.request("sessions.subscribe", {});
      client = connectWs(serve.url);
      await until("the snapshot", () => (client.messages.some((m) => m.type === "snapshot") ? true : undefined), 60_000);

      // a slow stream (8 deltas 400 ms apart), a tool (exec sleep 3), then the answer
      const turn = d.turn(KEY_NAME, `TAG=${KEY_NAME} MODE=slowtool:8x400:sleep 3`);
      turnExit = await turn.exited;
      await until("the end of the turn from the gateway", () => (hbOf(client.messages, key).some((m) => m.heartbeat.state === "complete") ? true : undefined), 60_000);

      // a turn left waiting on the model, then the gateway SIGKILLed under it
      const hang = d.turn(HANG_NAME, `TAG=${HANG_NAME} MODE=hang`);
      await model.waitForRequest((r) => r.tag === HANG_NAME);
      await until("the hanging turn seen through the gateway", () => (hbOf(client.messages, hangKey).some((m) => m.heartbeat.source === "gateway") ? true : undefined), 60_000);
      hang.child.kill("SIGSTOP"); // frozen: a CLI that loses its gateway may run the turn embedded
      afterKillIdx = client.messages.length;
      await d.stopGateway("SIGKILL");
      hang.child.kill("SIGKILL");
      await until("readyz: gateway disconnected", async () => ((await readyz(serve!.url)).gateway?.connected === false ? true : undefined), 60_000, 250);
      readyzAt.afterKill = await readyz(serve.url);
      await until("the hanging row back on the files' view", () => (hbOf(client.messages.slice(afterKillIdx), hangKey).some((m) => m.heartbeat.source !== "gateway") ? true : undefined), 60_000);

      // restart: the client must find it again (the lock names the same port) and re-list
      afterRestartIdx = client.messages.length;
      await d.startGateway();
      await until("readyz: gateway reconnected", async () => ((await readyz(serve!.url)).gateway?.connected === true ? true : undefined), 120_000, 250);
      readyzAt.reconnected = await readyz(serve.url);
      // 2026.7.1's recovery ends the dead run without events; a new turn proves the overlay is back
      const again = d.turn(KEY_NAME, `TAG=${KEY_NAME}2 MODE=slow:6x300`);
      await until("streaming from the restarted gateway", () => (hbOf(client.messages.slice(afterRestartIdx), key).some((m) => m.heartbeat.state === "streaming" && m.heartbeat.source === "gateway") ? true : undefined), 120_000)
        .catch((e: Error) => { readyzAt.relistMissing = { error: e.message }; });
      await again.exited;
      await d.stopGateway("SIGTERM");
    } finally {
      recorder?.close();
      d.killAll();
    }
  }, 30 * 60_000);

  afterAll(async () => {
    client?.ws.terminate();
    if (serve && serve.child.exitCode === null) serve.child.kill("SIGTERM");
    d?.killAll();
    await model?.close();
    if (d) fs.rmSync(d.box.root, { recursive: true, force: true });
  });

  it("the turn completed through the gateway", () => {
    expect(turnExit?.code, d.gatewayLog.slice(-3000)).toBe(0);
  });

  it("a ws client of serve sees streaming, then tool_exec exec, then the end, in order, from the gateway", () => {
    const seen = hbOf(client.messages, key).map((m) => m.heartbeat as Msg);
    const trail = seen.map((h) => `${h.state}:${h.source}${h.toolName ? `:${h.toolName}` : ""}`);
    const streaming = trail.indexOf("streaming:gateway");
    const tool = trail.indexOf("tool_exec:gateway:exec");
    const end = trail.indexOf("complete:gateway");
    expect(streaming, trail.join(" ")).toBeGreaterThanOrEqual(0);
    expect(tool, trail.join(" ")).toBeGreaterThan(streaming);
    expect(end, trail.join(" ")).toBeGreaterThan(tool);
    console.log(`${version} overlay trail for ${key}: ${trail.join(" -> ")}`);
  });

  it("measures gateway event ts -> our heartbeat at (printed, not asserted)", () => {
    const frames = recorder.frames.filter((f) => f.dir === "in").map((f) => ({ seenAt: recorderT0 + f.t, frame: f.frame as Frame }));
    const agent = frames.filter((f) => f.frame.event === "agent" && f.frame.payload?.sessionKey === key);
    const first = (pred: (p: Record<string, any>) => boolean) => agent.find((f) => pred(f.frame.payload!));
    const hb = (state: string) => hbOf(client.messages, key).find((m) => m.heartbeat.state === state && m.heartbeat.source === "gateway");
    const rows = [
      ["streaming", first((p) => p.stream === "assistant"), hb("streaming")],
      ["tool_exec", first((p) => p.stream === "item" && p.data?.kind === "tool" && p.data?.phase === "start"), hb("tool_exec")],
      ["complete", first((p) => p.stream === "lifecycle" && p.data?.phase === "end"), hb("complete")],
    ] as const;
    const table = rows.map(([state, f, m]) => ({
      state,
      gatewayTs: f?.frame.payload?.ts ?? null,
      operatorSawAt: f?.seenAt ?? null,
      heartbeatAt: m?.at ?? null,
      delayFromGatewayTsMs: f && m ? m.at - f.frame.payload!.ts : null,
      delayFromOperatorReceiptMs: f && m ? m.at - f.seenAt : null,
    }));
    console.log(`${version} overlay delays: ${JSON.stringify(table)}`);
    for (const r of table) expect(r.heartbeatAt, `${r.state}: no heartbeat`).not.toBeNull();
  });

  it("a SIGKILLed gateway hands the rows back to the files (db for era C) and readyz says disconnected", () => {
    expect(readyzAt.afterKill?.gateway).toMatchObject({ connected: false });
    const back = hbOf(client.messages.slice(afterKillIdx), hangKey).find((m) => m.heartbeat.source !== "gateway");
    expect(back?.heartbeat.source).toBe(version === OPENCLAW_VERSIONS.eraC ? "db" : "files");
  });

  it("a restarted gateway is reconnected: a new turn streams through it", () => {
    expect(readyzAt.reconnected?.gateway, JSON.stringify(readyzAt)).toMatchObject({ connected: true });
    expect(readyzAt.relistMissing, JSON.stringify(readyzAt)).toBeUndefined();
  });
});
