// A read-only operator client of OpenClaw's gateway WebSocket (docs/gateway-overlay.md):
// challenge -> connect (protocol 3..4, role operator, scope operator.read, client cli, our own
// device) -> hello-ok -> sessions.subscribe + sessions.list. It re-lists after every reconnect,
// on a seq gap and periodically (7.1's targeted frames carry no seq), closes a socket that stays
// silent past 2x the tick interval, and reconnects with capped backoff. A refusal it cannot fix
// by retrying (our auth, a protocol mismatch) stops it with one line; NOT_PAIRED names the
// approval command and is retried only rarely.
import type { GatewayTarget } from "../store/gateway-target.js";
import type WebSocket from "ws";
import { backoffDelayMs, type BackoffPolicy } from "../core/backoff.js";
import { connectAuth, type GatewayAuth } from "./auth.js";
import { parseFrame, type EventFrame, type HelloOk, type ResFrame } from "./frames.js";
import { AttemptError, connectParams, helloOf } from "./handshake.js";
import type { DeviceIdentity } from "./identity.js";

const DEFAULT_TICK_MS = 30_000;

export type ClientPhase = "connecting" | "connected" | "disconnected" | "failed" | "closed";

export interface ClientStatus {
  phase: ClientPhase;
  connected: boolean;
  protocol?: number;
  /** why not connected (or the last reason it dropped), one line */
  reason?: string;
  connId?: string;
  /** the gateway will not have us until the operator acts: a refusal (auth, protocol) or a pairing to approve */
  blocked?: "refused" | "not_paired";
  /** no gateway to dial (no live singleton lock, no port) at the last attempt */
  noTarget?: boolean;
  /** frames skipped as malformed on this client's life */
  malformed: number;
}

export type Target = GatewayTarget;

export interface GatewayClientOptions {
  /** asked before every attempt: the gateway of this state dir's singleton lock, or why none */
  target(): Target;
  auth: GatewayAuth;
  identity: DeviceIdentity;
  /** the deviceToken an earlier hello-ok gave us (sent only when token auth has no shared token) */
  deviceToken?(): string | undefined;
  clientVersion: string;
  platform?: string;
  onStatus?(status: ClientStatus): void;
  onEvent?(frame: EventFrame, receivedAt: number): void;
  /** a sessions.list (or 9.6 subscribe) result */
  onList?(result: unknown, receivedAt: number): void;
  onHello?(hello: HelloOk): void;
  now?: () => number;
  random?: () => number;
  /** reconnect delays (default 250 ms doubling to 5 s) */
  backoff?: BackoffPolicy;
  /** re-list this often while connected (default 45 s) */
  relistMs?: number;
  /** challenge + connect must finish within this (default 10 s) */
  handshakeTimeoutMs?: number;
  /** NOT_PAIRED: try again after this long; 0 = stop (default 60 s) */
  notPairedRetryMs?: number;
}

/** `ws` loads at the first dial, not with every command that could dial (~90 ms CPU of a `status`). */
let wsClass: typeof WebSocket | undefined;

export class GatewayClient {
  private ws: WebSocket | undefined;
  private stopped = false;
  private failures = 0;
  private nextId = 1;
  private pending = new Map<string, { resolve(f: ResFrame): void; reject(e: Error): void }>();
  private lastSeq: number | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private relistTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private tickMs = DEFAULT_TICK_MS;
  private current: ClientStatus = { phase: "connecting", connected: false, malformed: 0 };
  private readonly now: () => number;

  constructor(private readonly opts: GatewayClientOptions) {
    this.now = opts.now ?? Date.now;
  }

  status(): ClientStatus {
    return { ...this.current };
  }

  start(): void {
    void this.attempt();
  }

  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    clearTimeout(this.retryTimer);
    this.ws?.close(1000, "client closing");
    this.ws?.terminate();
    this.setStatus({ phase: "closed", connected: false, reason: "closed" });
  }

  private setStatus(s: Partial<ClientStatus>): void {
    this.current = { ...this.current, ...s, malformed: this.current.malformed };
    if (!this.current.connected) delete this.current.protocol;
    this.opts.onStatus?.(this.status());
  }

  private clearTimers(): void {
    clearTimeout(this.watchdog);
    clearInterval(this.relistTimer);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const target = this.opts.target();
    if ("unavailable" in target) {
      this.setStatus({ phase: "disconnected", connected: false, reason: target.unavailable, blocked: undefined, noTarget: true });
      return this.retryLater(new AttemptError(target.unavailable, "backoff"));
    }
    this.setStatus({ phase: "connecting", connected: false, blocked: undefined, noTarget: false });
    try {
      wsClass ??= (await import("ws")).default;
      if (this.stopped) return;
      await this.connect(target.url, target.label);
    } catch (err) {
      const e = err instanceof AttemptError ? err : new AttemptError(`${target.label}: ${(err as Error).message}`, "backoff");
      this.dropSocket();
      if (this.stopped) return;
      this.setStatus({ phase: e.retry === "never" ? "failed" : "disconnected", connected: false, reason: e.message, blocked: e.blocked ?? (e.retry === "never" ? "refused" : undefined) });
      this.retryLater(e);
    }
  }

  private retryLater(e: AttemptError): void {
    if (this.stopped || e.retry === "never") return;
    this.failures += 1;
    const delay = e.retry === "after" ? (e.afterMs ?? 0) : backoffDelayMs(this.failures, this.opts.backoff ?? { baseMs: 250, maxMs: 5_000 }, (this.opts.random ?? Math.random)());
    this.retryTimer = setTimeout(() => void this.attempt(), delay);
  }

  private dropSocket(): void {
    this.clearTimers();
    const ws = this.ws;
    this.ws = undefined;
    for (const p of this.pending.values()) p.reject(new Error("socket closed"));
    this.pending.clear();
    if (ws) {
      ws.removeAllListeners();
      ws.on("error", () => {});
      ws.terminate();
    }
  }

  /** Resolves once hello-ok is in and the first list is asked for; rejects with an AttemptError. */
  private connect(url: string, label: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new wsClass!(url, { handshakeTimeout: this.opts.handshakeTimeoutMs ?? 10_000, maxPayload: 64 * 1024 * 1024 });
      this.ws = ws;
      this.lastSeq = undefined;
      let hello = false;
      let shutdownNote: string | undefined;
      const handshake = setTimeout(() => fail(new AttemptError(`${label}: no hello from the gateway within ${this.opts.handshakeTimeoutMs ?? 10_000} ms`, "backoff")), this.opts.handshakeTimeoutMs ?? 10_000);
      const fail = (e: AttemptError): void => {
        clearTimeout(handshake);
        if (!hello) reject(e);
        else this.lost(e);
      };
      ws.on("error", (err) => fail(new AttemptError(`${label}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, "backoff")));
      ws.on("close", (code, reasonBuf) => {
        const why = reasonBuf.toString() || shutdownNote;
        const text = `${label}: the gateway closed the socket (${code}${why ? ` ${why}` : ""})`;
        // 1008 policy / 1002 protocol before hello: the gateway refused us, retrying will not help
        const refused = !hello && (code === 1008 || code === 1002);
        fail(new AttemptError(text, refused ? "never" : "backoff"));
      });
      ws.on("message", (data) => {
        const receivedAt = this.now();
        this.armWatchdog(label);
        const parsed = parseFrame(data.toString());
        if (!parsed.ok) {
          this.current.malformed += 1;
          return;
        }
        const frame = parsed.frame;
        if (frame.type === "res") {
          const p = this.pending.get(frame.id);
          if (p) {
            this.pending.delete(frame.id);
            p.resolve(frame);
          }
          return;
        }
        if (frame.event === "connect.challenge") {
          if (hello) return;
          this.sendConnect(frame.payload, label).then(
            (h) => {
              hello = true;
              clearTimeout(handshake);
              this.connected(h, label);
              resolve();
            },
            (e: unknown) => fail(e instanceof AttemptError ? e : new AttemptError(`${label}: ${(e as Error).message}`, "backoff")),
          );
          return;
        }
        if (!hello) return;
        if (frame.event === "shutdown") shutdownNote = "gateway shutting down";
        this.checkSeq(frame.seq);
        this.opts.onEvent?.(frame, receivedAt);
      });
    });
  }

  private request(method: string, params: unknown): Promise<ResFrame> {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return Promise.reject(new Error("socket not open"));
    const id = `ocs-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  private async sendConnect(challenge: unknown, label: string): Promise<HelloOk> {
    const params = connectParams({
      challenge,
      identity: this.opts.identity,
      auth: connectAuth(this.opts.auth, this.opts.deviceToken?.()),
      signedAt: this.now(),
      platform: this.opts.platform ?? process.platform,
      clientVersion: this.opts.clientVersion,
    });
    return helloOf(await this.request("connect", params), label, this.opts.auth, this.opts.notPairedRetryMs ?? 60_000);
  }

  private connected(hello: HelloOk, label: string): void {
    this.failures = 0;
    this.tickMs = hello.tickIntervalMs ?? DEFAULT_TICK_MS;
    this.armWatchdog(label);
    this.setStatus({ phase: "connected", connected: true, protocol: hello.protocol, connId: hello.connId, reason: undefined, blocked: undefined });
    try {
      this.opts.onHello?.(hello);
    } catch {
      /* a listener's failure must not take the connection down */
    }
    this.relist();
    const every = this.opts.relistMs ?? 45_000;
    this.relistTimer = setInterval(() => this.relist(), every);
  }

  /** A fresh subscription and a full list: after a (re)connect, a seq gap, periodically, and on request. */
  relist(): void {
    void (async () => {
      try {
        // a refused subscribe still leaves the broadcast agent events and the list worth having
        await this.request("sessions.subscribe", {});
        const list = await this.request("sessions.list", {});
        if (list.ok) this.opts.onList?.(list.payload, this.now());
      } catch {
        /* the socket went away: the reconnect re-lists */
      }
    })();
  }

  private checkSeq(seq: number | undefined): void {
    if (seq === undefined) return;
    const gap = this.lastSeq !== undefined && seq > this.lastSeq + 1;
    this.lastSeq = seq;
    if (gap) this.relist();
  }

  private armWatchdog(label: string): void {
    clearTimeout(this.watchdog);
    const limit = 2 * this.tickMs;
    this.watchdog = setTimeout(() => this.lost(new AttemptError(`${label}: silent for ${limit} ms (2x the tick interval): dropped`, "backoff")), limit);
  }

  /** A connected socket is gone: report it at once (the overlay falls back to files), then reconnect. */
  private lost(e: AttemptError): void {
    if (this.stopped || !this.ws) return;
    this.dropSocket();
    this.setStatus({ phase: "disconnected", connected: false, reason: e.message });
    this.failures = 0;
    this.retryLater(e);
  }
}
