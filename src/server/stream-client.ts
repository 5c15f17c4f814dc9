// One connected WebSocket or SSE client: its snapshot or replay on connect, then every event of
// the hub that passes its filter, through its own bounded queue (client-queue.ts). The socket is
// only written while it takes data; a client that stops reading fills its queue, never the
// others' and never the process's memory.
import { ClientQueue, RESYNC } from "./client-queue.js";
import type { Frame } from "./event-log.js";
import { passes, type Hub, type SessionFilter, type Subscriber } from "./hub.js";

/** How a transport writes frames (sse.ts, ws.ts). */
export interface Sink {
  /** hands the frame to the socket; false when it should be given nothing more until `drained` */
  write(frame: Frame): boolean;
  /** calls back once (the next time) the socket has room again */
  onDrained(cb: () => void): void;
  /** ends the stream with a reason the client can read */
  close(code: number, reason: string): void;
}

export interface StreamClientOptions {
  /** pending frames of a client that is not reading before coalesced heartbeats give way to a resync */
  bound: number;
  /**
   * How long the socket must have refused data before the client counts as slow (default 1 s):
   * a burst (every session changing at once) fills a healthy client's queue for a moment too.
   */
  slowAfterMs?: number;
  now?: () => number;
  /** called with each frame written (metrics: push latency, resyncs) */
  onSent?: (frame: Frame) => void;
}

export const SLOW_AFTER_MS = 1_000;

/** Close code (WebSocket 1008, policy) for a slow client whose pending drains alone pass 4x its bound. */
export const TOO_SLOW = { code: 1008, reason: "too far behind" } as const;

export class StreamClient implements Subscriber {
  private readonly queue: ClientQueue;
  private waiting = false;
  /** when the socket last refused data (while `waiting`) */
  private waitingSince = 0;
  private closed = false;
  private unsubscribe?: () => void;
  /** the seq of the last frame written: where this client would resume */
  lastSeq: number | undefined;
  sent = 0;

  constructor(
    private readonly hub: Hub,
    readonly filter: SessionFilter,
    private readonly sink: Sink,
    private readonly opts: StreamClientOptions,
  ) {
    if (!Number.isSafeInteger(opts.bound) || opts.bound < 1) throw new RangeError(`client queue bound must be a whole number >= 1 (got ${opts.bound})`);
    this.queue = new ClientQueue();
  }

  /**
   * Starts the stream: a snapshot, or with `since` exactly the events after it (none filtered
   * out are skipped, gaps in seq are the filtered ones), or a resync when they are gone.
   * Subscribing and the first frames happen in one turn: nothing is published in between.
   */
  start(since?: number): void {
    if (since === undefined) {
      // a snapshot made for another client a moment ago, and what happened since; or a new one
      const shared = this.hub.connectSnapshot(this.filter);
      const after = this.hub.log.after(shared.seq);
      if (after === undefined) this.send(this.hub.snapshot(this.filter));
      else {
        this.send(shared);
        for (const f of after) if (passes(this.filter, f)) this.deliver(f);
      }
    } else {
      const missed = this.hub.log.after(since);
      if (missed === undefined) this.send(this.hub.snapshot(this.filter, "history"));
      else for (const f of missed) if (passes(this.filter, f)) this.deliver(f);
    }
    this.unsubscribe = this.hub.subscribe(this);
  }

  deliver(frame: Frame): void {
    if (this.closed) return;
    this.queue.push(frame);
    if (this.queue.size > this.opts.bound && this.slow()) {
      this.queue.overflow();
      if (this.queue.size > 4 * this.opts.bound) {
        // only drains are left, and more than the client can be sent: let it come back with since
        this.stop();
        this.sink.close(TOO_SLOW.code, `${TOO_SLOW.reason}: reconnect with since=${this.lastSeq ?? ""}`.trim());
        return;
      }
    }
    this.pump();
  }

  private slow(): boolean {
    return this.waiting && (this.opts.now ?? Date.now)() - this.waitingSince >= (this.opts.slowAfterMs ?? SLOW_AFTER_MS);
  }

  /** Unsubscribes; the transport has closed (or is closing) the socket. */
  stop(): void {
    this.closed = true;
    this.unsubscribe?.();
  }

  get overflows(): number {
    return this.queue.overflows;
  }

  private pump(): void {
    while (!this.waiting && !this.closed) {
      const next = this.queue.shift();
      if (next === undefined) return;
      this.send(next === RESYNC ? this.hub.snapshot(this.filter, "overflow") : next);
    }
  }

  private send(frame: Frame): void {
    const more = this.sink.write(frame);
    this.sent++;
    this.lastSeq = frame.seq;
    this.opts.onSent?.(frame);
    if (!more && !this.waiting) {
      this.waiting = true;
      this.waitingSince = (this.opts.now ?? Date.now)();
      this.sink.onDrained(() => {
        this.waiting = false;
        this.pump();
      });
    }
  }
}
