// `serve` as a dashboard meets it: the built CLI started on an ephemeral port, real HTTP
// requests (node's fetch and http), real WebSocket clients (the `ws` package), SSE read off a
// plain HTTP response.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { afterEach } from "vitest";
import WebSocket from "ws";
import { makeStateDir, makeTempDir } from "../../fixtures/store-builder.js";
import { idleStore } from "../watch-fixture.js";
import { assertBuilt, BIN, REPO_ROOT } from "./cli.js";

export interface Served {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** resolves with the exit once the process has ended */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
const sockets: WebSocket[] = [];

/** Kills what a test left running: its serve processes and its sockets. */
export function useServeCleanup(): void {
  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.terminate();
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });
}

export function serveEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("OPENCLAW_") || k === "NO_COLOR" || k === "FORCE_COLOR" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return { ...env, TMPDIR: makeTempDir("ocs-serve-tmp-"), XDG_STATE_HOME: makeTempDir("ocs-serve-xdg-"), ...extra };
}

/** Starts `serve --port 0 ...args` and waits for the line that names its URL (or its exit). */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = serveEnv()): Promise<Served> {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      // the first log line names the URL, as text or as JSON (--log-format json)
      const m = /listening url=(\S+)|"event":"listening","url":"([^"]+)"/.exec(stderr);
      if (m) resolve(m[1] ?? m[2]);
    });
    void exited.then(({ code }) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
  return { url, child, stderr: () => stderr, exited };
}

/** A state dir with two idle sessions (watch-fixture's idleStore), served and ready. */
export async function serveIdle(args: string[] = [], env?: NodeJS.ProcessEnv): Promise<{ state: string; srv: Served }> {
  const state = makeStateDir();
  idleStore(state);
  const srv = await startServe(["--state-dir", state, "--no-probe", ...args], env);
  await waitReady(srv.url);
  return { state, srv };
}

/** Polls until `probe` holds; fails with `what()` after the timeout. Waits on events, not on time. */
export async function until(probe: () => boolean | Promise<boolean>, what: () => string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function waitReady(url: string, headers: Record<string, string> = {}): Promise<void> {
  await until(async () => (await fetch(`${url}/readyz`, { headers })).status === 200, () => "readyz never said ready");
}

export interface WsClient {
  ws: WebSocket;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
  /** waits for the first message (after `from`) that `pred` accepts, and returns it */
  next(pred: (m: any) => boolean, what?: string, from?: number): Promise<any>;
}

export function wsUrl(url: string, path: string): string {
  return `${url.replace(/^http/, "ws")}${path}`;
}

export function connectWs(url: string, opts: WebSocket.ClientOptions = {}): WsClient {
  const ws = new WebSocket(url, opts);
  sockets.push(ws);
  const messages: any[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(data.toString())));
  ws.on("error", () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once("error", reject);
  });
  opened.catch(() => undefined);
  return {
    ws,
    messages,
    closed,
    opened,
    async next(pred, what = "a matching message", from = 0) {
      let found: any;
      await until(
        () => (found = messages.slice(from).find(pred)) !== undefined,
        () => `${what}; got ${messages.length} messages, the last: ${messages.slice(-5).map((m) => `${m.type}@${m.seq}`).join(" ")}`,
      );
      return found;
    },
  };
}

/** The status of a refused WebSocket upgrade, and its JSON body. */
export function refusedUpgrade(url: string, opts: WebSocket.ClientOptions = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    sockets.push(ws);
    ws.on("open", () => reject(new Error("the upgrade was accepted")));
    ws.on("error", () => undefined);
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
    });
  });
}

export interface SseClient {
  events: Array<{ id?: string; event?: string; data: any }>;
  status: Promise<number>;
  ended: Promise<void>;
  close(): void;
}

/** An SSE stream read off node's http client, parsed block by block. */
export function connectSse(url: string, headers: Record<string, string> = {}): SseClient {
  const events: SseClient["events"] = [];
  let req!: http.ClientRequest;
  let endedResolve!: () => void;
  const ended = new Promise<void>((r) => (endedResolve = r));
  const status = new Promise<number>((resolve, reject) => {
    req = http.get(url, { headers }, (res) => {
      resolve(res.statusCode!);
      let buf = "";
      res.setEncoding("utf8").on("data", (d: string) => {
        buf += d;
        let cut: number;
        while ((cut = buf.indexOf("\n\n")) !== -1) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const e: { id?: string; event?: string; data?: string } = {};
          for (const line of block.split("\n")) {
            if (line.startsWith("id: ")) e.id = line.slice(4);
            else if (line.startsWith("event: ")) e.event = line.slice(7);
            else if (line.startsWith("data: ")) e.data = line.slice(6);
          }
          if (e.data !== undefined) events.push({ id: e.id, event: e.event, data: JSON.parse(e.data) });
        }
      });
      res.on("end", endedResolve);
      res.on("close", endedResolve);
    });
    req.on("error", (err) => {
      reject(err);
      endedResolve();
    });
  });
  status.catch(() => undefined);
  return { events, status, ended, close: () => req.destroy() };
}

/** The seqs of the transition and drain events (timer heartbeats take none). */
export function eventSeqs(messages: any[]): number[] {
  return messages.filter((m) => (m.type === "heartbeat" && !m.periodic) || m.type === "socket.drain").map((m) => m.seq);
}

export function consecutive(from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}
