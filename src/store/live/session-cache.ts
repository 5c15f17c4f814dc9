// The live source's cache of JSON-era sessions: each session's evidence as last read and its
// heartbeat as last judged (src/core decides; this only remembers), which files each one reads,
// what changed since the last notification, and when each must be judged again by time alone.
import type { LiveVerdict } from "../../core/live/judge-live.js";
import { nextRejudgeAt } from "../../core/live/rejudge-after.js";
import { sameHeartbeat, sameVerdict } from "../../core/heartbeat-equality.js";
import type { Evidence, Heartbeat, StoreRef } from "../../core/types.js";
import { SessionFiles } from "./session-files.js";
import path from "node:path";

export interface Cached {
  store: CachedStore;
  key: string;
  ev: Evidence;
  hb: Heartbeat;
  /** judged again on the first tick from this moment on: time can change its verdict then */
  verdictAt: number;
  /** and on the first slow tick from this one: its reasons' ages can read differently then */
  rejudgeAt: number;
  /** files whose change means this session must be re-read */
  paths: string[];
  warnings: string[];
}

export interface CachedStore {
  ref: StoreRef;
  dir: string;
  sessions: Map<string, Cached>;
  /** JSON text of each entry as last read: an index rewrite re-reads only the entries that differ */
  entryText: Map<string, string>;
  indexWarnings: string[];
  /** set while the index does not parse (the warning, and why): the last good read stays on screen */
  corrupt?: { warning: string; why: string };
}

/** What changed since the previous notification: the heartbeats new or replaced, and those that left. */
export interface CacheDelta {
  changed: Heartbeat[];
  removed: Heartbeat[];
}

export class SessionCache {
  readonly stores = new Map<string, CachedStore>();
  readonly files: SessionFiles<Cached>;
  /** sessions whose lock owner was alive when read: the only ones the tick's owner check looks at */
  readonly liveLocks = new Set<Cached>();
  /** heartbeats whose run can still move (judge-live.ts), by object: the list hands out the same ones */
  private readonly movingRuns = new WeakSet<Heartbeat>();
  private dirty = new Set<Cached>();
  private removed: Heartbeat[] = [];
  /** the earliest verdictAt and rejudgeAt of any cached session (or earlier): a tick before both walks nothing */
  private verdictDue = Infinity;
  private agesDue = Infinity;
  /** cached heartbeats differ from the last heartbeats() in their reasons' ages only */
  agesOnly = false;

  constructor(
    private readonly judgeLive: (ev: Evidence, at: number) => LiveVerdict,
    trajectoryDir: string | undefined,
  ) {
    this.files = new SessionFiles<Cached>(trajectoryDir);
  }

  /** The health model's verdict, remembering whether its run can still move. */
  judge(ev: Evidence, at: number): LiveVerdict {
    const v = this.judgeLive(ev, at);
    if (v.moving) this.movingRuns.add(v.hb);
    return v;
  }

  moving(hb: Heartbeat): boolean {
    return this.movingRuns.has(hb);
  }

  addStore(ref: StoreRef): CachedStore {
    const store: CachedStore = { ref, dir: path.dirname(path.resolve(ref.storePath)), sessions: new Map(), entryText: new Map(), indexWarnings: [] };
    this.stores.set(ref.storePath, store);
    return store;
  }

  /** Caches a session as just read, judged at `at`. */
  put(store: CachedStore, key: string, ev: Evidence, warnings: string[], at: number): void {
    const old = store.sessions.get(key);
    if (old) {
      this.files.remove(old);
      this.liveLocks.delete(old);
    }
    const v = this.judge(ev, at);
    const c: Cached = { store, key, ev, hb: v.hb, verdictAt: at, rejudgeAt: at, paths: [], warnings };
    this.schedule(c, v, at);
    this.files.add(c);
    if (ev.lock?.owner === "alive" && ev.lock.pid !== undefined) this.liveLocks.add(c);
    store.sessions.set(key, c);
    this.dirty.add(c);
  }

  drop(store: CachedStore, key: string): void {
    const c = store.sessions.get(key);
    if (!c) return;
    this.files.remove(c);
    this.liveLocks.delete(c);
    store.sessions.delete(key);
    store.entryText.delete(key);
    this.removed.push(c.hb);
  }

  dropStore(storePath: string): void {
    const store = this.stores.get(storePath);
    if (!store) return;
    for (const key of [...store.sessions.keys()]) this.drop(store, key);
    this.stores.delete(storePath);
  }

  *sessions(): IterableIterator<Cached> {
    for (const store of this.stores.values()) yield* store.sessions.values();
  }

  /** The cached sessions reading a file in `dir`. */
  sessionsIn(dir: string): Cached[] {
    const out: Cached[] = [];
    for (const c of this.sessions()) if (c.paths.some((p) => path.dirname(p) === dir)) out.push(c);
    return out;
  }

  /** Judges every cached session again (the gateway changed). */
  rejudgeAll(at: number): void {
    for (const c of this.sessions()) this.rejudge(c, at);
  }

  /**
   * Judges again the sessions time can have changed: those a threshold of the health model can have
   * moved, and on a slow tick those whose reasons' ages can read differently. True when a verdict
   * changed; ages alone only set `agesOnly`. Most ticks nothing is due and nothing is walked.
   */
  rejudgeDue(at: number, slow: boolean): boolean {
    if (at < this.verdictDue && !(slow && at >= this.agesDue)) return false;
    this.verdictDue = Infinity;
    this.agesDue = Infinity;
    let shown = false;
    for (const c of this.sessions()) {
      if (at >= c.verdictAt || (slow && at >= c.rejudgeAt)) {
        const kind = this.rejudge(c, at);
        if (kind === "ages") this.agesOnly = true;
        else if (kind === "verdict") shown = true;
      } else {
        this.verdictDue = Math.min(this.verdictDue, c.verdictAt);
        this.agesDue = Math.min(this.agesDue, c.rejudgeAt);
      }
    }
    return shown;
  }

  /** Every cached heartbeat, in store order; the published list holds these objects. */
  heartbeats(): Heartbeat[] {
    this.agesOnly = false;
    const out: Heartbeat[] = [];
    for (const c of this.sessions()) out.push(c.hb);
    return out;
  }

  /** What changed since the last call: put or re-judged sessions still cached, and those dropped. */
  takeDelta(): CacheDelta {
    const listed = (c: Cached): boolean => this.stores.get(c.store.ref.storePath) === c.store && c.store.sessions.get(c.key) === c;
    const delta = { changed: [...this.dirty].filter(listed).map((c) => c.hb), removed: this.removed };
    this.dirty = new Set();
    this.removed = [];
    return delta;
  }

  /**
   * When the tick next re-judges a session: on the first tick once a threshold can have changed its
   * verdict, else on the first slow tick once its reasons' ages can read differently (spread out).
   */
  private schedule(c: Cached, v: LiveVerdict, at: number): void {
    c.verdictAt = v.verdictDueAt;
    c.rejudgeAt = nextRejudgeAt(v.rejudgeAfterMs, at);
    this.verdictDue = Math.min(this.verdictDue, c.verdictAt);
    this.agesDue = Math.min(this.agesDue, c.rejudgeAt);
  }

  /** Judges a cached session again; an unchanged heartbeat keeps its object. */
  private rejudge(c: Cached, at: number): "same" | "ages" | "verdict" {
    const v = this.judge(c.ev, at);
    this.schedule(c, v, at);
    if (sameHeartbeat(v.hb, c.hb)) {
      if (v.moving) this.movingRuns.add(c.hb);
      else this.movingRuns.delete(c.hb);
      return "same";
    }
    const kind = sameVerdict(v.hb, c.hb) ? "ages" : "verdict";
    c.hb = v.hb;
    this.dirty.add(c);
    return kind;
  }
}
