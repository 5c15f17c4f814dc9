// A read-only operator client of OpenClaw's gateway WebSocket (docs/gateway-overlay.md):
// challenge -> connect (protocol 3..4, role operator, scope operator.read, client cli, our own
// device) -> hello-ok -> sessions.subscribe + sessions.list. It re-lists after every reconnect,
// on a seq gap and periodically (7.1's targeted frames carry no seq), closes a socket that stays
// silent past 2x the tick interval, and reconnects with capped backoff. A refusal it cannot fix
// by retrying (our auth, a protocol mismatch) stops it with one line; NOT_PAIRED names the
// approval command and is retried only rarely. At most one attempt is alive at a time: it owns
// its socket, timers and pending requests, and its end (idempotent) stops them all before the one
// retry is scheduled.
import type { GatewayTarget } from "../store/gateway-target.js";
import type WebSocket from "ws";
import { backoffDelayMs, type BackoffPolicy } from "../core/backoff.js";
import { connectAuth, type GatewayAuth } from "./auth.js";
import { parseFrame, type EventFrame, type HelloOk, type ResFrame } from "./frames.js";
import { AttemptError, connectParams, helloOf } from "./handshake.js";
import type { DeviceIdentity } from "./identity.js";

const DEFAULT_TICK_MS = 30_000;
/**
 * The tick a silence is measured against, whatever policy.tickIntervalMs says. Under 1 s no
 * gateway keeps its promise (a busy event loop is later than that), so every healthy socket would
 * be dropped at once; over 5 min a peer gone without a FIN (a suspended host, a lost NAT entry)
 * would go unnoticed for longer than anyone watches a live view, and 2x a value past 2^31 ms
 * overflows Node's timers, which then fire after 1 ms.
 */
const TICK_BOUNDS_MS = { min: 1_000, max: 5 * 60_000 } as const;
/** As long as the longest default backoff delay: a gateway that drops us sooner is dialed at most every ~5 s. */
const DEFAULT_HEALTHY_AFTER_MS = 5_000;

/** How long a connected socket may stay silent: 2x the gateway's tick, within TICK_BOUNDS_MS. */
export function watchdogMs(tickIntervalMs: number | undefined): number {
  return 2 * Math.min(Math.max(tickIntervalMs ?? DEFAULT_TICK_MS, TICK_BOUNDS_MS.min), TICK_BOUNDS_MS.max);
}

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
  /** a connection up this long was healthy: its loss starts the backoff over (default 5 s) */
  healthyAfterMs?: number;
  /** re-list this often while connected (default 45 s) */
  relistMs?: number;
  /** challenge + connect must finish within this (default 10 s) */
  handshakeTimeoutMs?: number;
  /** NOT_PAIRED: try again after this long; 0 = stop (default 60 s) */
  notPairedRetryMs?: number;
}

/** `ws` loads at the first dial, not with every command that could dial (~90 ms CPU of a `status`). */
let wsClass: typeof WebSocket | undefined;

interface Pending {
  resolve(f: ResFrame): void;
  reject(e: Error): void;
}

/**
 * One dial and, past hello-ok, the connection it became. Everything it starts (socket, timers,
 * requests) hangs off it, so ending it stops all of it, and nothing it left behind can act for
 * the attempt after it.
 */
interface Attempt {
  label: string;
  ws?: WebSocket;
  /** connect goes out once: a second challenge must not make a second hello (and relist interval) */
  answered: boolean;
  /** when hello-ok came (this.now()); undefined before */
  connectedAt?: number;
  /** this connection's silence limit, from its own hello-ok: a previous gateway's tick never applies */
  silenceMs?: number;
  lastSeq?: number;
  shutdownNote?: string;
  pending: Map<string, Pending>;
  handshake?: NodeJS.Timeout;
  watchdog?: NodeJS.Timeout;
  relist?: NodeJS.Timeout;
}

export class GatewayClient {
  private stopped = false;
  /** drops in a row with no healthy connection between them: the backoff's exponent */
  private failures = 0;
  private nextId = 1;
  /** the one attempt alive (dialing, handshaking or connected): only its end schedules a retry */
  private live: Attempt | undefined;
  /** the one wait for the next attempt, only ever set while no attempt is live */
  private retryTimer: NodeJS.Timeout | undefined;
  private current: ClientStatus = { phase: "connecting", connected: false, malformed: 0 };
  private readonly now: () => number;

  constructor(private readonly opts: GatewayClientOptions) {
    this.now = opts.now ?? Date.now;
  }

  status(): ClientStatus {
    return { ...this.current };
  }

  start(): void {
    this.begin();
  }

  /** Stops the retry wait and the live attempt with all its timers: nothing of ours keeps the process alive. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const a = this.live;
    this.live = undefined;
    if (a) dispose(a, "client closing");
    this.setStatus({ phase: "closed", connected: false, reason: "closed" });
  }

  private setStatus(s: Partial<ClientStatus>): void {
    this.current = { ...this.current, ...s, malformed: this.current.malformed };
    if (!this.current.connected) delete this.current.protocol;
    this.opts.onStatus?.(this.status());
  }

  private begin(): void {
    if (this.stopped || this.live || this.retryTimer) return;
    const target = this.opts.target();
    if ("unavailable" in target) {
      this.retryLater(new AttemptError(target.unavailable, "backoff"));
      this.setStatus({ phase: "disconnected", connected: false, reason: target.unavailable, blocked: undefined, noTarget: true });
      return;
    }
    const a: Attempt = { label: target.label, answered: false, pending: new Map() };
    this.live = a;
    this.setStatus({ phase: "connecting", connected: false, blocked: undefined, noTarget: false });
    void this.dial(a, target.url);
  }

  private async dial(a: Attempt, url: string): Promise<void> {
    const timeoutMs = this.opts.handshakeTimeoutMs ?? 10_000;
    try {
      wsClass ??= (await import("ws")).default;
      // closed (or ended) while `ws` loaded
      if (this.live !== a) return;
      a.ws = new wsClass(url, { handshakeTimeout: timeoutMs, maxPayload: 64 * 1024 * 1024 });
    } catch (err) {
      return this.end(a, new AttemptError(`${a.label}: ${(err as Error).message}`, "backoff"));
    }
    a.handshake = setTimeout(() => this.end(a, new AttemptError(`${a.label}: no hello from the gateway within ${timeoutMs} ms`, "backoff")), timeoutMs);
    a.ws.on("error", (err) => this.end(a, new AttemptError(`${a.label}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, "backoff")));
    a.ws.on("close", (code, reason) => this.end(a, closeError(a, code, reason.toString())));
    a.ws.on("message", (data) => this.receive(a, data.toString()));
  }

  /**
   * The live attempt is over (failed, refused, dropped, gone silent): everything it started stops,
   * then at most one retry is scheduled. Any later news of an attempt that is no longer the live
   * one (its handshake deadline, a rejected request, a second close) changes nothing.
   */
  private end(a: Attempt, e: AttemptError): void {
    if (this.live !== a) return;
    this.live = undefined;
    dispose(a);
    if (this.wasHealthy(a)) this.failures = 0;
    // before the status: a listener that closes us must find the retry to cancel
    this.retryLater(e);
    this.setStatus({ phase: e.retry === "never" ? "failed" : "disconnected", connected: false, reason: e.message, blocked: e.blocked ?? (e.retry === "never" ? "refused" : undefined) });
  }

  /** Only a connection that stayed up a while resets the backoff: one dropped right after hello-ok must not make us dial in a loop. */
  private wasHealthy(a: Attempt): boolean {
    return a.connectedAt !== undefined && this.now() - a.connectedAt >= (this.opts.healthyAfterMs ?? DEFAULT_HEALTHY_AFTER_MS);
  }

  private retryLater(e: AttemptError): void {
    if (this.stopped || e.retry === "never" || this.live || this.retryTimer) return;
    this.failures += 1;
    const delay = e.retry === "after" ? (e.afterMs ?? 0) : backoffDelayMs(this.failures, this.opts.backoff ?? { baseMs: 250, maxMs: 5_000 }, (this.opts.random ?? Math.random)());
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.begin();
    }, delay);
  }

  private receive(a: Attempt, text: string): void {
    if (this.live !== a) return;
    const receivedAt = this.now();
    // before hello-ok the handshake deadline bounds the wait; after it, any frame proves the socket alive
    if (a.connectedAt !== undefined) this.armWatchdog(a);
    const parsed = parseFrame(text);
    if (!parsed.ok) {
      this.current.malformed += 1;
      return;
    }
    const frame = parsed.frame;
    if (frame.type === "res") return settle(a, frame);
    if (frame.event === "connect.challenge") return this.answer(a, frame.payload);
    if (a.connectedAt === undefined) return;
    if (frame.event === "shutdown") a.shutdownNote = "gateway shutting down";
    this.checkSeq(a, frame.seq);
    this.opts.onEvent?.(frame, receivedAt);
  }

  private answer(a: Attempt, challenge: unknown): void {
    if (a.answered) return;
    a.answered = true;
    this.sendConnect(a, challenge).then(
      (hello) => this.connected(a, hello),
      (e: unknown) => this.end(a, e instanceof AttemptError ? e : new AttemptError(`${a.label}: ${(e as Error).message}`, "backoff")),
    );
  }

  private request(a: Attempt, method: string, params: unknown): Promise<ResFrame> {
    const ws = a.ws;
    if (this.live !== a || !ws || ws.readyState !== ws.OPEN) return Promise.reject(new Error("socket not open"));
    const id = `ocs-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      a.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  private async sendConnect(a: Attempt, challenge: unknown): Promise<HelloOk> {
    const params = connectParams({
      challenge,
      identity: this.opts.identity,
      auth: connectAuth(this.opts.auth, this.opts.deviceToken?.()),
      signedAt: this.now(),
      platform: this.opts.platform ?? process.platform,
      clientVersion: this.opts.clientVersion,
    });
    return helloOf(await this.request(a, "connect", params), a.label, this.opts.auth, this.opts.notPairedRetryMs ?? 60_000);
  }

  private connected(a: Attempt, hello: HelloOk): void {
    if (this.live !== a) return;
    clearTimeout(a.handshake);
    a.connectedAt = this.now();
    a.silenceMs = watchdogMs(hello.tickIntervalMs);
    this.armWatchdog(a);
    // started before any listener runs, so a close() from one of them finds it to stop
    a.relist = setInterval(() => this.relist(), this.opts.relistMs ?? 45_000);
    this.setStatus({ phase: "connected", connected: true, protocol: hello.protocol, connId: hello.connId, reason: undefined, blocked: undefined });
    try {
      this.opts.onHello?.(hello);
    } catch {
      /* a listener's failure must not take the connection down */
    }
    this.relist();
  }

  /** A fresh subscription and a full list: after a (re)connect, a seq gap, periodically, and on request. */
  relist(): void {
    const a = this.live;
    if (a?.connectedAt === undefined) return;
    void (async () => {
      try {
        // a refused subscribe still leaves the broadcast agent events and the list worth having
        await this.request(a, "sessions.subscribe", {});
        const list = await this.request(a, "sessions.list", {});
        if (list.ok) this.opts.onList?.(list.payload, this.now());
      } catch {
        /* the socket went away: the reconnect re-lists */
      }
    })();
  }

  private checkSeq(a: Attempt, seq: number | undefined): void {
    if (seq === undefined) return;
    const gap = a.lastSeq !== undefined && seq > a.lastSeq + 1;
    a.lastSeq = seq;
    if (gap) this.relist();
  }

  private armWatchdog(a: Attempt): void {
    clearTimeout(a.watchdog);
    const limit = a.silenceMs ?? watchdogMs(undefined);
    a.watchdog = setTimeout(() => this.end(a, new AttemptError(`${a.label}: silent for ${limit} ms (2x the tick interval): dropped`, "backoff")), limit);
  }
}

function settle(a: Attempt, frame: ResFrame): void {
  const p = a.pending.get(frame.id);
  if (!p) return;
  a.pending.delete(frame.id);
  p.resolve(frame);
}

/** 1008 (policy) or 1002 (protocol) before hello-ok is the gateway refusing us: retrying will not help. */
function closeError(a: Attempt, code: number, reason: string): AttemptError {
  const why = reason || a.shutdownNote;
  const refused = a.connectedAt === undefined && (code === 1008 || code === 1002);
  return new AttemptError(`${a.label}: the gateway closed the socket (${code}${why ? ` ${why}` : ""})`, refused ? "never" : "backoff");
}

/** Stops all an attempt started; its socket keeps no listener of ours. `closeReason`: say goodbye first. */
function dispose(a: Attempt, closeReason?: string): void {
  clearTimeout(a.handshake);
  clearTimeout(a.watchdog);
  clearInterval(a.relist);
  for (const p of a.pending.values()) p.reject(new Error("socket closed"));
  a.pending.clear();
  const ws = a.ws;
  if (!ws) return;
  ws.removeAllListeners();
  ws.on("error", () => {});
  if (closeReason && ws.readyState === ws.OPEN) ws.close(1000, closeReason);
  ws.terminate();
}
