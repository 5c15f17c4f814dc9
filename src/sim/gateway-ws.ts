// A fake OpenClaw gateway WebSocket speaking the subset of protocol 3/4 that docs/gateway-overlay.md
// records from real 2026.4.26, 2026.7.1 and 2026.9.6 gateways: the challenge, the
// connect checks (protocol range, auth, an Ed25519 device signature over the v3 payload,
// pairing), hello-ok, sessions.subscribe / sessions.list, ticks, and broadcast events with a
// gateway-wide seq. Tests drive it (a silent socket, a seq gap, a malformed frame, an abrupt
// close); `demo` can run one next to its simulated store.
import { createHash, createPublicKey, randomUUID, verify } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { SimAction } from "./scenarios.js";

export type FakeVersion = "2026.4.26" | "2026.7.1" | "2026.9.6";

export interface FakeGatewayOptions {
  version?: FakeVersion;
  /** auth mode and its secret (default none) */
  auth?: { mode: "none" } | { mode: "token"; token: string } | { mode: "password"; password: string };
  /** "auto": loopback devices are approved silently (the default); "required": NOT_PAIRED until approve() */
  pairing?: "auto" | "required";
  tickIntervalMs?: number;
  /** rows sessions.list returns */
  sessions?: Record<string, unknown>[];
  /** answer connect with UNAVAILABLE (retryAfterMs) this many times first, as a starting gateway does */
  unavailableFirst?: number;
  port?: number;
  /** share this HTTP server's port (a real gateway serves /healthz and the WebSocket on one port) */
  server?: Server;
}

/** One entry of a recording (test/interop/operator-client.ts): ms since the recorder started. */
export interface RecordedFrame {
  t: number;
  dir: "in" | "out" | "close";
  frame: Record<string, unknown>;
}

export interface ConnectRecord {
  params: Record<string, unknown>;
  /** the device signature verified against the v3 payload */
  signatureValid: boolean;
}

interface Conn {
  ws: WebSocket;
  nonce: string;
  hello: boolean;
}

/** Which protocol a gateway of `version` picks for a client offering [min, max] (undefined: mismatch). */
export function pickProtocol(version: FakeVersion, min: number, max: number): number | undefined {
  // 2026.4.26 speaks 3 only; 7.1 and 9.6 require operators to offer 4
  const supported = version === "2026.4.26" ? [3] : [4];
  const ok = supported.filter((p) => p >= min && p <= max);
  return ok.length ? Math.max(...ok) : undefined;
}

export class FakeGateway extends EventEmitter {
  readonly connects: ConnectRecord[] = [];
  readonly methods: string[] = [];
  sessions: Record<string, unknown>[];
  private server: WebSocketServer | undefined;
  private conns = new Set<Conn>();
  private seq = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private silent = false;
  private approved = new Set<string>();
  private unavailableLeft: number;
  private readonly version: FakeVersion;
  private readonly bootId = randomUUID();

  constructor(private readonly opts: FakeGatewayOptions = {}) {
    super();
    this.version = opts.version ?? "2026.9.6";
    this.sessions = opts.sessions ?? [];
    this.unavailableLeft = opts.unavailableFirst ?? 0;
  }

  get tickIntervalMs(): number {
    return this.opts.tickIntervalMs ?? 30_000;
  }

  async start(): Promise<number> {
    const http = this.opts.server;
    const server = http ? new WebSocketServer({ server: http }) : new WebSocketServer({ host: "127.0.0.1", port: this.opts.port ?? 0 });
    this.server = server;
    if (!http) {
      await new Promise<void>((resolve, reject) => {
        server.once("listening", () => resolve());
        server.once("error", reject);
      });
    }
    server.on("connection", (ws) => this.accept(ws));
    this.tickTimer = setInterval(() => {
      if (!this.silent) this.broadcast("tick", { ts: Date.now() });
    }, this.tickIntervalMs);
    return this.port;
  }

  get port(): number {
    return ((this.opts.server ?? this.server)?.address() as AddressInfo).port;
  }

  /** clients past hello-ok */
  get clients(): number {
    return [...this.conns].filter((c) => c.hello).length;
  }

  /** Lets a NOT_PAIRED device in on its next connect, as `openclaw devices approve` does. */
  approve(deviceId: string): void {
    this.approved.add(deviceId);
  }

  /** Stops every frame (ticks included) without closing: a hung gateway. */
  goSilent(): void {
    this.silent = true;
  }

  /** A broadcast event with the next seq. `skipSeq` drops that many seq numbers first (frames dropped for a slow consumer). */
  emitEvent(event: string, payload: unknown, opts: { skipSeq?: number; noSeq?: boolean } = {}): void {
    if (opts.noSeq) return this.sendAll({ type: "event", event, payload });
    this.seq += opts.skipSeq ?? 0;
    this.broadcast(event, payload);
  }

  /** An agent event as the gateway forwards it: {runId, seq, stream, ts, data, sessionKey}. */
  agent(sessionKey: string, runId: string, stream: string, data: Record<string, unknown>, ts = Date.now()): void {
    this.emitEvent("agent", { runId, seq: ++this.runSeq, stream, ts, data, sessionKey });
  }
  private runSeq = 0;

  /** Any text to every connected client (a malformed frame). */
  sendRaw(text: string): void {
    for (const c of this.conns) if (c.hello) c.ws.send(text);
  }

  /**
   * Resolves once every client past hello-ok has received every frame sent before the call: each
   * answers a ping with its pong, and a socket delivers in order. Lets a test move a fake clock on
   * only after what it sent has arrived, instead of waiting a real listen window out.
   */
  async delivered(): Promise<void> {
    const live = [...this.conns].filter((c) => c.hello);
    await Promise.all(live.map((c) => new Promise<void>((resolve) => c.ws.once("pong", () => resolve()).ping())));
  }

  /** Drops every socket without a close frame, as a SIGKILLed gateway's kernel does (close 1006). */
  killSockets(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }

  /**
   * Replays a recording of a real gateway (test/fixtures/gateway-frames): to the next client past
   * hello-ok (or the ones already there), its recorded event frames in order, verbatim (their own
   * seq), and a recorded close as that close. Gaps keep their order but not their length: each is
   * divided by `speedup` and capped at `maxGapMs`. The gateway's clock fields (`ts`, `startedAt`...)
   * are moved so the first one reads now: a run recorded an hour ago would otherwise look stalled.
   * The handshake and the answers to requests stay this gateway's own. Resolves once all is sent.
   */
  async replay(frames: readonly RecordedFrame[], opts: { speedup?: number; maxGapMs?: number } = {}): Promise<void> {
    if (this.clients === 0) await new Promise<void>((resolve) => this.once("hello", () => resolve()));
    const base = frames.map((f) => (f.frame.payload as { ts?: unknown } | undefined)?.ts).find((ts): ts is number => typeof ts === "number");
    const shift = base === undefined ? 0 : Date.now() - base;
    const speedup = opts.speedup ?? 20;
    const cap = opts.maxGapMs ?? 50;
    let prevT: number | undefined;
    for (const f of frames) {
      const isEvent = f.dir === "in" && f.frame.type === "event" && f.frame.event !== "connect.challenge";
      if (!isEvent && f.dir !== "close") continue;
      const gap = prevT === undefined ? 0 : Math.min(cap, Math.max(0, f.t - prevT) / speedup);
      prevT = f.t;
      if (gap > 0) await new Promise((r) => setTimeout(r, gap));
      if (f.dir === "close") {
        const code = typeof f.frame.code === "number" ? f.frame.code : 1000;
        for (const c of this.conns) if (c.hello) c.ws.close(code, typeof f.frame.reason === "string" ? f.frame.reason : "");
      } else {
        this.sendAll(shiftClock(f.frame, shift));
      }
    }
  }

  /** SIGTERM: a shutdown event, then close 1012. */
  shutdown(): void {
    this.broadcast("shutdown", { reason: "gateway stopping", restartExpectedMs: null });
    for (const c of this.conns) c.ws.close(1012, "service restart");
  }

  async stop(): Promise<void> {
    clearInterval(this.tickTimer);
    this.killSockets();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private broadcast(event: string, payload: unknown): void {
    this.seq += 1;
    this.sendAll({ type: "event", event, payload, seq: this.seq });
  }

  private sendAll(frame: unknown): void {
    if (this.silent) return;
    const text = JSON.stringify(frame);
    for (const c of this.conns) if (c.hello) c.ws.send(text);
  }

  private accept(ws: WebSocket): void {
    const conn: Conn = { ws, nonce: randomUUID(), hello: false };
    this.conns.add(conn);
    ws.on("close", () => this.conns.delete(conn));
    ws.on("error", () => {});
    ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: conn.nonce, ts: Date.now() } }));
    ws.on("message", (data) => {
      if (this.silent) return;
      let frame: { type?: string; id?: string; method?: string; params?: Record<string, unknown> };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return ws.close(1008, "invalid frame");
      }
      if (!conn.hello) {
        if (frame.type !== "req" || frame.method !== "connect") return ws.close(1008, "first request must be connect");
        return this.handleConnect(conn, frame.id ?? "", frame.params ?? {});
      }
      if (frame.type === "req" && frame.id) this.handleRequest(conn, frame.id, frame.method ?? "", frame.params ?? {});
    });
  }

  private reply(conn: Conn, id: string, ok: boolean, body: unknown): void {
    conn.ws.send(JSON.stringify(ok ? { type: "res", id, ok, payload: body } : { type: "res", id, ok, error: body }));
  }

  private handleConnect(conn: Conn, id: string, p: Record<string, unknown>): void {
    const signatureValid = verifyDevice(p, conn.nonce);
    this.connects.push({ params: p, signatureValid });
    this.emit("connect", p);
    if (this.unavailableLeft > 0) {
      this.unavailableLeft -= 1;
      this.reply(conn, id, false, { code: "UNAVAILABLE", message: "gateway starting", retryable: true, retryAfterMs: 50 });
      return void conn.ws.close(1013, "starting");
    }
    const protocol = pickProtocol(this.version, Number(p.minProtocol), Number(p.maxProtocol));
    if (protocol === undefined) {
      this.reply(conn, id, false, { code: "INVALID_REQUEST", message: "protocol mismatch", details: { reason: "PROTOCOL_MISMATCH" } });
      return void conn.ws.close(1002, "protocol mismatch");
    }
    const auth = (p.auth ?? {}) as Record<string, unknown>;
    const a = this.opts.auth ?? { mode: "none" };
    const authOk = a.mode === "none" || (a.mode === "token" && auth.token === a.token) || (a.mode === "password" && auth.password === a.password);
    if (!authOk) {
      this.reply(conn, id, false, { code: "INVALID_REQUEST", message: `unauthorized: gateway ${a.mode} mismatch`, details: { code: "AUTH_FAILED" } });
      return void conn.ws.close(1008, "unauthorized");
    }
    const device = (p.device ?? {}) as Record<string, unknown>;
    if (typeof device.id !== "string" || !signatureValid) {
      this.reply(conn, id, false, { code: "NOT_PAIRED", message: "device identity required", details: { reason: "DEVICE_IDENTITY_REQUIRED" } });
      return void conn.ws.close(1008, "device identity required");
    }
    if (this.opts.pairing === "required" && !this.approved.has(device.id)) {
      this.reply(conn, id, false, { code: "NOT_PAIRED", message: "pairing required", details: { requestId: `req-${device.id.slice(0, 8)}` } });
      return void conn.ws.close(1008, "pairing required");
    }
    conn.hello = true;
    setImmediate(() => this.emit("hello"));
    this.reply(conn, id, true, {
      type: "hello-ok",
      protocol,
      server: { version: this.version, connId: randomUUID(), bootId: this.bootId },
      features: { methods: ["sessions.list", "sessions.subscribe", "sessions.unsubscribe"], events: ["agent", "chat", "tick", "sessions.changed", "shutdown"] },
      snapshot: { uptimeMs: 1000 },
      auth: { scopes: p.scopes, deviceToken: `dt-${device.id.slice(0, 12)}` },
      policy: { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: this.tickIntervalMs },
    });
  }

  private handleRequest(conn: Conn, id: string, method: string, params: Record<string, unknown>): void {
    this.methods.push(method);
    this.emit("request", method, params);
    if (method === "sessions.list") return this.reply(conn, id, true, { ts: Date.now(), count: this.sessions.length, sessions: this.sessions });
    if (method === "sessions.subscribe") {
      // 9.6 answers a subscribe carrying list params with the list too
      const withList = this.version === "2026.9.6" && Object.keys(params).length > 0;
      return this.reply(conn, id, true, withList ? { subscribed: true, list: { sessions: this.sessions } } : { subscribed: true });
    }
    this.reply(conn, id, false, { code: "INVALID_REQUEST", message: `unknown method: ${method} (missing scope: operator.admin)` });
  }
}

const CLOCK_FIELDS = new Set(["ts", "startedAt", "endedAt", "updatedAt", "timestamp", "lastActivityAt", "createdAt"]);

/** A recorded value with every gateway clock field moved by `shift` ms. */
function shiftClock(v: unknown, shift: number): Record<string, unknown> {
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (typeof x !== "object" || x === null) return x;
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(x)) out[k] = CLOCK_FIELDS.has(k) && typeof val === "number" ? val + shift : walk(val);
    return out;
  };
  return walk(v) as Record<string, unknown>;
}

/** The v3 device signature check a real gateway makes (v2, the first nine fields, is accepted too). */
export function verifyDevice(p: Record<string, unknown>, nonce: string): boolean {
  try {
    const device = p.device as { id: string; publicKey: string; signature: string; signedAt: number; nonce: string };
    const client = p.client as { id: string; mode: string; platform?: string; deviceFamily?: string };
    const auth = (p.auth ?? {}) as { token?: string; deviceToken?: string };
    const raw = Buffer.from(device.publicKey, "base64url");
    if (createHash("sha256").update(raw).digest("hex") !== device.id || device.nonce !== nonce) return false;
    if (Math.abs(Date.now() - device.signedAt) > 120_000) return false;
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: device.publicKey }, format: "jwk" });
    const fields = [
      device.id,
      client.id,
      client.mode,
      String(p.role),
      (p.scopes as string[]).join(","),
      String(device.signedAt),
      auth.token ?? auth.deviceToken ?? "",
      nonce,
    ];
    const v3 = ["v3", ...fields, (client.platform ?? "").toLowerCase(), (client.deviceFamily ?? "").toLowerCase()].join("|");
    const v2 = ["v2", ...fields].join("|");
    const sig = Buffer.from(device.signature, "base64url");
    return verify(null, Buffer.from(v3), key, sig) || verify(null, Buffer.from(v2), key, sig);
  } catch {
    return false;
  }
}

/**
 * The simulator's steps as a gateway reports them: a run the gateway owns starts (lifecycle
 * start), streams its reply (assistant), runs tools (item start/end) and ends (lifecycle
 * end/error), and sessions.list shows it in the run registry. Runs of an embedded owner
 * (`openclaw agent --local`) stay invisible, as on a real gateway.
 */
export class SimAgentFeed {
  private runs = new Map<string, { runId: string; visible: boolean; tool?: string }>();
  private counter = 0;

  constructor(private readonly gateway: FakeGateway) {}

  step(action: SimAction, session: { sessionKey: string; sessionId: string }): void {
    const key = session.sessionKey;
    if (action.do === "begin-run") {
      const run = { runId: `sim-run-${++this.counter}`, visible: action.owner === "gateway" };
      this.runs.set(key, run);
      this.row(session, run.visible);
      if (run.visible) this.gateway.agent(key, run.runId, "lifecycle", { phase: "start" });
      return;
    }
    const run = this.runs.get(key);
    if (!run?.visible) return;
    switch (action.do) {
      case "assistant":
        if (action.text) this.gateway.agent(key, run.runId, "assistant", { text: action.text, delta: action.text });
        if (action.tool) {
          run.tool = `call-${this.counter}-${action.tool.name}`;
          this.gateway.agent(key, run.runId, "item", { kind: "tool", phase: "start", name: action.tool.name, toolCallId: run.tool });
        }
        return;
      case "tool-result":
        this.gateway.agent(key, run.runId, "item", { kind: "tool", phase: "end", toolCallId: run.tool });
        run.tool = undefined;
        return;
      case "end-run":
        this.gateway.agent(key, run.runId, "lifecycle", { phase: action.status === "success" ? "end" : "error" });
        this.runs.delete(key);
        this.row(session, false);
        return;
      case "kill-owner":
      case "abort-owner":
        // the run dies without a terminal event; the registry forgets it
        this.runs.delete(key);
        this.row(session, false);
        return;
      default:
        return;
    }
  }

  /** The model begins streaming the reply the next `assistant` step will write. */
  streamStart(session: { sessionKey: string }): void {
    const run = this.runs.get(session.sessionKey);
    if (run?.visible) this.gateway.agent(session.sessionKey, run.runId, "assistant", { text: "…", delta: "…" });
  }

  private row(session: { sessionKey: string; sessionId: string }, active: boolean): void {
    const others = this.gateway.sessions.filter((r) => r.key !== session.sessionKey);
    this.gateway.sessions = [...others, { key: session.sessionKey, sessionId: session.sessionId, status: active ? "running" : "done", hasActiveRun: active, activeRunIds: active ? [this.runs.get(session.sessionKey)!.runId] : [] }];
  }
}
