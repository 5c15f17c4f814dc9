// The server's one model of every session, fed by the live source: each change of the heartbeat
// list becomes events (a transition heartbeat, a drain), each taking the next seq, kept in the
// ring and handed to every subscribed client. Snapshots and answers are made from it, never by
// re-reading the store, and each is serialized once for every client that wants the same one.
import { performance } from "node:perf_hooks";
import { sameVerdict } from "../core/heartbeat-equality.js";
import { filterHeartbeats, isProblem } from "../core/order.js";
import type { Heartbeat } from "../core/types.js";
import { isTurnInProgress } from "../ui/format.js";
import { SNAPSHOT_SCHEMA_VERSION } from "../ui/snapshot.js";
import type { Departed, DrainReason } from "./departures.js";
import { EventLog, type Frame } from "./event-log.js";
import { HeartbeatFragments } from "./fragments.js";
import { SortedHeartbeats } from "./sorted-heartbeats.js";

export const SERVE_SCHEMA_VERSION = SNAPSHOT_SCHEMA_VERSION;

/** What a stream or an answer is limited to. */
export interface SessionFilter {
  agent?: string;
  problems?: boolean;
  /** batch answers only: a run in progress or activity within this many ms */
  activeWithinMs?: number;
}

/** A session the gateway evicted (src/gateway/open-overlay.ts onEviction), as a drain. */
export interface GatewayEvictionInput {
  sessionKey: string;
  agentId?: string;
  /** the sessionId leaving; undefined: whichever the key holds now */
  sessionId?: string;
  reason: DrainReason;
}

export interface Subscriber {
  readonly filter: SessionFilter;
  deliver(frame: Frame): void;
}

/**
 * What changed since the list handed in before (src/store/live-source.ts reports it): the hub
 * then looks at these sessions only, not at the whole list.
 */
export interface HeartbeatDelta {
  /** new or replaced heartbeats (in the list now) */
  changed: readonly Heartbeat[];
  /** heartbeats of sessions no longer listed */
  removed: readonly Heartbeat[];
}

export interface HubOptions {
  history: number;
  firstSeq: number;
  now: () => number;
  /** pruned or deleted, for sessions that left the store */
  judge: (departed: readonly Departed[]) => Promise<DrainReason[]>;
  /** every frame made (events and timer heartbeats): metrics count them */
  onFrame?: (frame: Frame) => void;
  /** an update that failed (the next one starts from the model as it was) */
  onError?: (err: Error) => void;
  /**
   * Whether a session's run can still move, i.e. gets a timer heartbeat (default: any turn in
   * progress). serve passes the health model's answer: a run nothing alive can move gets none.
   */
  moving?: (hb: Heartbeat) => boolean;
}

/** A frame of a stream's session event passes the stream's filter. */
export function passes(filter: SessionFilter, frame: Frame): boolean {
  if (frame.type === "snapshot" || frame.type === "resync") return true;
  if (filter.agent !== undefined && frame.agentId !== filter.agent) return false;
  if (filter.problems && !frame.problem) return false;
  return true;
}

const identity = (hb: { agentId: string; sessionKey: string }): string => `${hb.agentId}\u0000${hb.sessionKey}`;

/** A change a client is told about: not just the ages in its texts (reasons, drift, outcome reason) moving with the clock. */
export function isTransition(a: Heartbeat, b: Heartbeat): boolean {
  if (sameVerdict(a, b)) return false;
  // the gateway moves lastTokenAt with every streamed delta (dozens a second): that alone is no
  // transition; the batch answer and the timer heartbeats carry the fresh times
  return !(a.source === "gateway" && sameVerdict(a, { ...b, lastTokenAt: a.lastTokenAt, lastActivityAt: a.lastActivityAt }));
}

/**
 * How long a cached snapshot or answer may be served while nothing changed: its turnElapsedMs are
 * this stale at most (generatedAt says when they were measured). Clients connecting within it
 * share one snapshot: 100 clients reconnecting over a few seconds hold one 7 MB buffer, not 100.
 */
const CACHE_MS = 5_000;

/**
 * How long (real time) a batch answer or a connect snapshot is shared even while events flow. Each
 * is consistent at its own seq: a batch reader streams on with since=seq, and a stream client is
 * sent the events after it right behind it. Under a steady flow of changes, 100 clients
 * connecting, or a dashboard polling, then cost one 7 MB serialization a second, not one each.
 */
const SHARED_MS = 1_000;
const CACHE_ENTRIES = 64;

export class Hub {
  readonly log: EventLog;
  private readonly model = new Map<string, Heartbeat>();
  private readonly order = new SortedHeartbeats(() => this.model.values());
  private version = 0;
  private readonly subscribers = new Set<Subscriber>();
  private readonly cache = new Map<string, { version: number; at: number; value: unknown }>();
  private chain: Promise<void> = Promise.resolve();
  private baselined = false;
  private readonly recent = new Map<string, { at: number; value: unknown }>();
  /**
   * sessions drained on the gateway's word while the files still list them, by identity: their
   * sessionId is kept out of the model (no second drain, no heartbeat) until the files drop it
   */
  private readonly evicted = new Map<string, string>();
  private readonly fragments = new HeartbeatFragments();

  constructor(private readonly opts: HubOptions) {
    this.log = new EventLog(opts.history, opts.firstSeq);
  }

  get ready(): boolean {
    return this.baselined;
  }

  get seq(): number {
    return this.log.seq;
  }

  get size(): number {
    return this.model.size;
  }

  clients(): number {
    return this.subscribers.size;
  }

  /** The first full read: what a snapshot shows, no events. */
  baseline(list: readonly Heartbeat[]): void {
    this.model.clear();
    for (const hb of list) this.model.set(identity(hb), hb);
    this.order.reset();
    this.changed();
    this.baselined = true;
  }

  /** A new list from the source; changes become events in the order the lists came. */
  update(list: readonly Heartbeat[], delta?: HeartbeatDelta): Promise<void> {
    const madeAt = performance.now();
    this.chain = this.chain.then(() => (delta ? this.applyDelta(delta, madeAt) : this.apply(list, madeAt))).catch((err: Error) => this.opts.onError?.(err));
    return this.chain;
  }

  /** Resolves once every update handed in so far is applied. */
  settled(): Promise<void> {
    return this.chain;
  }

  /**
   * The gateway evicted a session (a reset, a /new, a delete) before the files show it: its drain
   * now. Whichever source sees a sessionId leave first drains it; the other then finds it gone.
   */
  evict(e: GatewayEvictionInput): Promise<void> {
    const madeAt = performance.now();
    this.chain = this.chain.then(() => this.applyEviction(e, madeAt)).catch((err: Error) => this.opts.onError?.(err));
    return this.chain;
  }

  private applyEviction(e: GatewayEvictionInput, madeAt: number): void {
    // the key names its agent (agent:<id>:...); a key of another shape is looked up alone
    const old = (e.agentId !== undefined ? this.model.get(identity({ agentId: e.agentId, sessionKey: e.sessionKey })) : undefined) ?? this.find(e.sessionKey);
    // the files already show another sessionId under the key: that one left, and was drained then
    if (!old || (e.sessionId !== undefined && old.sessionId !== e.sessionId)) return;
    const id = identity(old);
    this.put(id, undefined);
    this.evicted.set(id, old.sessionId);
    this.drain(old, e.reason, this.opts.now(), madeAt);
  }

  /** The whole list: every session is compared with the model. */
  private async apply(list: readonly Heartbeat[], madeAt: number): Promise<void> {
    const next = new Map<string, Heartbeat>();
    const stillListed = new Set<string>();
    for (const hb of list) {
      const id = identity(hb);
      if (this.evicted.get(id) === hb.sessionId) {
        stillListed.add(id);
        continue;
      }
      next.set(id, hb);
    }
    for (const id of this.evicted.keys()) if (!stillListed.has(id)) this.evicted.delete(id);
    const departed: Heartbeat[] = [];
    for (const [id, old] of this.model) if (!next.has(id)) departed.push(old);
    await this.commit(departed, next, madeAt);
  }

  /** Only what the source says changed: the same events as `apply` on the whole list. */
  private async applyDelta(delta: HeartbeatDelta, madeAt: number): Promise<void> {
    const next = new Map<string, Heartbeat>();
    for (const hb of delta.changed) {
      const id = identity(hb);
      const evicted = this.evicted.get(id);
      if (evicted === hb.sessionId) continue; // drained on the gateway's word, still listed
      if (evicted !== undefined) this.evicted.delete(id); // the key holds another session now
      next.set(id, hb);
    }
    const departed: Heartbeat[] = [];
    for (const hb of delta.removed) {
      const id = identity(hb);
      this.evicted.delete(id);
      // a key removed and listed again in the same change is a replacement (a reset), not a departure
      if (next.has(id)) continue;
      const old = this.model.get(id);
      if (old) departed.push(old);
    }
    await this.commit(departed, next, madeAt);
  }

  private async commit(departed: readonly Heartbeat[], next: ReadonlyMap<string, Heartbeat>, madeAt: number): Promise<void> {
    // asking the audit log may wait for a write of ours to finish: decided before anything is
    // applied, so the model and the events below change together, in one go
    const reasons = await this.opts.judge(departed.map(({ agentId, sessionKey, sessionId }) => ({ agentId, sessionKey, sessionId })));
    const at = this.opts.now();
    // the model is changed right before each event is published: a snapshot made while it is
    // delivered (a client's resync) shows exactly the events up to its seq
    departed.forEach((old, i) => {
      this.put(identity(old), undefined);
      this.drain(old, reasons[i], at, madeAt);
    });
    for (const [id, hb] of next) {
      const old = this.model.get(id);
      if (old === hb) continue;
      this.put(id, hb);
      if (old && old.sessionId !== hb.sessionId) this.drain(old, "reset", at, madeAt, hb.sessionId);
      else if (old && !isTransition(old, hb)) {
        this.changed(); // only the reasons' ages moved: no event
        continue;
      }
      this.transition(hb, old, at, madeAt);
    }
  }

  /** Sets (or with undefined removes) one session, in the model and in the sorted list. */
  private put(id: string, hb: Heartbeat | undefined): void {
    const old = this.model.get(id);
    if (hb === undefined) this.model.delete(id);
    else this.model.set(id, hb);
    this.order.move(old, hb);
  }

  private changed(): void {
    this.version++;
    this.cache.clear();
  }

  private drain(old: Heartbeat, reason: DrainReason, at: number, madeAt: number, newSessionId?: string): void {
    const frame = this.log.append((seq) => ({
      type: "socket.drain",
      seq,
      agentId: old.agentId,
      sessionKey: old.sessionKey,
      problem: isProblem(old),
      json: JSON.stringify({
        type: "socket.drain",
        seq,
        sessionKey: old.sessionKey,
        agentId: old.agentId,
        sessionId: old.sessionId,
        ...(newSessionId !== undefined ? { newSessionId } : {}),
        reason,
        at,
      }),
      madeAt,
    }));
    this.publish(frame);
  }

  private transition(hb: Heartbeat, old: Heartbeat | undefined, at: number, madeAt: number): void {
    const frame = this.log.append((seq) => ({
      type: "heartbeat",
      seq,
      agentId: hb.agentId,
      sessionKey: hb.sessionKey,
      // a session leaving the problems is news to a problems stream too
      problem: isProblem(hb) || (old !== undefined && isProblem(old)),
      json: this.heartbeatEvent(seq, at, false, hb),
      madeAt,
    }));
    this.publish(frame);
  }

  /**
   * Timer heartbeats: one per session whose run can still move, at the current seq, not kept. A
   * run nothing alive can move gets none (its transitions, e.g. into unresponsive, still come).
   */
  tick(): void {
    if (!this.baselined) return;
    const at = this.opts.now();
    const madeAt = performance.now();
    const seq = this.log.seq;
    const moving = this.opts.moving ?? ((hb: Heartbeat) => isTurnInProgress(hb.state));
    for (const hb of this.model.values()) {
      if (!isTurnInProgress(hb.state) || !moving(hb)) continue;
      const frame: Frame = { type: "heartbeat", seq, agentId: hb.agentId, sessionKey: hb.sessionKey, problem: isProblem(hb), periodic: true, json: this.heartbeatEvent(seq, at, true, hb), madeAt };
      this.publish(frame);
    }
  }

  private publish(frame: Frame): void {
    if (!frame.periodic) this.changed();
    this.opts.onFrame?.(frame);
    for (const s of this.subscribers) if (passes(s.filter, frame)) s.deliver(frame);
  }

  /** Adds a client; everything published from now on reaches it (call in the same turn as its snapshot). */
  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => {
      this.subscribers.delete(s);
    };
  }

  // ------------------------------------------------------------------ reads

  /** Every session, in `status`'s default order (problems first, newest activity first). */
  heartbeats(): Heartbeat[] {
    return this.order.all();
  }

  select(filter: SessionFilter, now: number): Heartbeat[] {
    const all = this.heartbeats();
    if (filter.agent === undefined && !filter.problems && filter.activeWithinMs === undefined) return all;
    const list = filter.agent === undefined ? all : all.filter((hb) => hb.agentId === filter.agent);
    return filterHeartbeats(list, { now, problemsOnly: Boolean(filter.problems), activeWithinMs: filter.activeWithinMs });
  }

  /** The session with this key (and agent, when two stores share a key). */
  find(sessionKey: string, agent?: string): Heartbeat | undefined {
    return this.findAll(sessionKey, agent)[0];
  }

  /** Every session under this key (one per agent holding it: a copied agent dir shares its keys). */
  findAll(sessionKey: string, agent?: string): Heartbeat[] {
    if (agent !== undefined) {
      const hb = this.model.get(identity({ agentId: agent, sessionKey }));
      return hb ? [hb] : [];
    }
    const out: Heartbeat[] = [];
    for (const hb of this.heartbeats()) if (hb.sessionKey === sessionKey) out.push(hb);
    return out;
  }

  /** `GET /api/sessions/heartbeat`: the JSON bytes, shared while nothing changed (for up to a second). */
  batchBytes(filter: SessionFilter): Buffer {
    return this.shared(`batch|${filterKey(filter)}`, (now) =>
      this.sessionsBytes(`{"schemaVersion":${SERVE_SCHEMA_VERSION},"generatedAt":${now},"seq":${this.log.seq},"sessions":`, this.select(filter, now), now, "}\n"),
    );
  }

  /** A snapshot (on connect) or resync (history gone, or the client fell behind) frame, made once for every client with this filter. */
  snapshot(filter: SessionFilter, resync?: "history" | "overflow"): Frame {
    return this.cached(`${resync ?? "snapshot"}|${filterKey(filter)}`, (now) => {
      const seq = this.log.seq;
      const type = resync ? "resync" : "snapshot";
      // the same text as JSON.stringify({type, seq, schemaVersion, generatedAt, reason?, sessions})
      const head = `{"type":"${type}","seq":${seq},"schemaVersion":${SERVE_SCHEMA_VERSION},"generatedAt":${now}${resync ? `,"reason":"${resync}"` : ""},"sessions":`;
      const wire = this.sessionsBytes(head, this.select({ agent: filter.agent, problems: filter.problems }, now), now, "}");
      // only the bytes are kept (every transport writes them); the text is made if something asks
      return {
        type,
        seq,
        wire,
        get json() {
          return wire.toString("utf8");
        },
        reason: resync,
        madeAt: performance.now(),
      } satisfies Frame;
    });
  }

  /** The same text as JSON.stringify({type: "heartbeat", seq, at, periodic, heartbeat: heartbeatJson(hb, at)}). */
  private heartbeatEvent(seq: number, at: number, periodic: boolean, hb: Heartbeat): string {
    return `{"type":"heartbeat","seq":${seq},"at":${at},"periodic":${periodic},"heartbeat":${this.fragments.json(hb, at)}}`;
  }

  /**
   * `head`, a JSON array of heartbeats, `tail`, as UTF-8 bytes, written straight from each one's
   * JSON kept while its object lives (fragments.ts): 10,000 sessions are 7 MB, and joining them
   * into one string first cost two more 7 MB strings per answer, garbage the moment it was sent.
   */
  private sessionsBytes(head: string, list: readonly Heartbeat[], now: number, tail: string): Buffer {
    const parts: string[] = new Array(list.length);
    let bytes = Buffer.byteLength(head) + 2 + Math.max(0, list.length - 1) + Buffer.byteLength(tail);
    for (let i = 0; i < list.length; i++) {
      parts[i] = this.fragments.json(list[i], now);
      bytes += Buffer.byteLength(parts[i]);
    }
    const buf = Buffer.allocUnsafe(bytes);
    let at = buf.write(head, 0);
    buf[at++] = 0x5b; // [
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) buf[at++] = 0x2c; // ,
      at += buf.write(parts[i], at);
    }
    buf[at++] = 0x5d; // ]
    at += buf.write(tail, at);
    if (at !== bytes) throw new Error(`sessions JSON: wrote ${at} of ${bytes} bytes`);
    return buf;
  }

  /** The snapshot a connecting client starts from: possibly a second old, then the events after its seq. */
  connectSnapshot(filter: SessionFilter): Frame {
    return this.shared(`snapshot|${filterKey(filter)}`, () => this.snapshot(filter));
  }

  private shared<T>(key: string, make: (now: number) => T): T {
    const t = performance.now();
    const hit = this.recent.get(key);
    if (hit && t - hit.at < SHARED_MS) return hit.value as T;
    const value = this.cached(key, make);
    if (this.recent.size >= CACHE_ENTRIES) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, { at: t, value });
    return value;
  }

  private cached<T>(key: string, make: (now: number) => T): T {
    const now = this.opts.now();
    const hit = this.cache.get(key);
    // a snapshot's seq must be the current one: any event changes the version too
    if (hit && hit.version === this.version && now - hit.at < CACHE_MS && now >= hit.at) return hit.value as T;
    const value = make(now);
    if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { version: this.version, at: now, value });
    return value;
  }
}

function filterKey(f: SessionFilter): string {
  return `${f.agent ?? ""}\u0000${f.problems ? 1 : 0}\u0000${f.activeWithinMs ?? ""}`;
}


