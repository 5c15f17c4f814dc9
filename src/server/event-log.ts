// The one event sequence of a `serve` process, shared by every WebSocket and SSE client: every
// transition and every drain takes the next `seq`, and the newest ones are kept in a bounded ring
// so that a client that reconnects with `since` / `Last-Event-ID` gets exactly what it missed.

export type LoggedType = "heartbeat" | "socket.drain";

/** A frame as it goes out: the JSON text is made once and shared by every client it reaches. */
export interface Frame {
  type: LoggedType | "snapshot" | "resync";
  /** the event's seq; timer heartbeats carry the current one without taking it */
  seq: number;
  json: string;
  /** heartbeats and drains: whose session (for filters and per-client coalescing) */
  agentId?: string;
  sessionKey?: string;
  /** stalled or unresponsive now, or (a recovery, a drain) just before: what `problems` streams get */
  problem?: boolean;
  /** a timer heartbeat: no transition, not in the ring */
  periodic?: boolean;
  /** the bytes, made the first time a client needs them and written to every socket as they are */
  wire?: Buffer;
  /** the SSE form's bytes, likewise */
  sse?: Buffer;
  /** resync: why (history: `since` no longer kept; overflow: the client fell behind) */
  reason?: "history" | "overflow";
  /** performance.now() when the change that made it was learned: push latency is measured from here */
  madeAt?: number;
}

export class EventLog {
  private readonly ring: Frame[] = [];
  /** index in `ring` of the oldest kept frame once the ring is full */
  private start = 0;
  private current: number;

  /**
   * `first` is the seq a snapshot carries before any event. A server starts it at its start time
   * in ms, so a `since` remembered from before a restart is older than anything this run has and
   * gets a resync, instead of being taken for one of this run's events.
   */
  constructor(
    readonly capacity: number,
    first: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a whole number >= 1 (got ${capacity})`);
    this.current = first;
  }

  get seq(): number {
    return this.current;
  }

  /** Takes the next seq for `make`'s frame and keeps the frame for resuming clients. */
  append(make: (seq: number) => Frame): Frame {
    const frame = make(this.current + 1);
    if (frame.seq !== this.current + 1) throw new Error(`event seq ${frame.seq} is not the next one (${this.current + 1})`);
    this.current = frame.seq;
    if (this.ring.length < this.capacity) this.ring.push(frame);
    else {
      this.ring[this.start] = frame;
      this.start = (this.start + 1) % this.capacity;
    }
    return frame;
  }

  /** The oldest seq still kept (current + 1 when nothing is). */
  oldest(): number {
    return this.ring.length === 0 ? this.current + 1 : this.ring[this.start].seq;
  }

  /**
   * Every event after `since`, oldest first; undefined when some are no longer kept, or `since`
   * is not a seq this server has reached (from another run, or made up): the client must resync.
   */
  after(since: number): Frame[] | undefined {
    if (!Number.isSafeInteger(since) || since > this.current || since < this.oldest() - 1) return undefined;
    const skip = since - (this.oldest() - 1);
    const out: Frame[] = [];
    for (let i = skip; i < this.ring.length; i++) out.push(this.ring[(this.start + i) % this.ring.length]);
    return out;
  }
}

/** The frame's JSON as bytes, made once: a 7 MB snapshot sent to 100 clients is one buffer, not 100. */
export function wireBytes(frame: Frame): Buffer {
  frame.wire ??= Buffer.from(frame.json, "utf8");
  return frame.wire;
}
