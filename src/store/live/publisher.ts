// What a live source hands out: the current heartbeat list, and to each subscriber what changed
// since its previous call. serve's hub looks at the delta, not at 10,000 sessions.
import type { Heartbeat } from "../../core/types.js";
import type { SessionCache } from "./session-cache.js";

/** What changed since the previous notification: the heartbeats new or replaced, and those of sessions no longer listed. */
export interface HeartbeatDelta {
  changed: readonly Heartbeat[];
  removed: readonly Heartbeat[];
}

export class Publisher {
  private list: Heartbeat[] = [];
  private readonly subscribers = new Set<(delta?: HeartbeatDelta) => void>();
  /** an era C store changed: its heartbeats are not tracked one by one, so the whole list is news */
  private wholeList = false;

  constructor(
    private readonly cache: SessionCache,
    private readonly eraC: () => Heartbeat[],
  ) {}

  get(): Heartbeat[] {
    return this.list;
  }

  /** cb runs after each change; undefined: compare the whole list. Returns the unsubscribe function. */
  subscribe(cb: (delta?: HeartbeatDelta) => void): () => void {
    this.subscribers.add(cb);
    return () => {
      this.subscribers.delete(cb);
    };
  }

  /** The next notification carries no delta: subscribers compare the whole list. */
  wholeListChanged(): void {
    this.wholeList = true;
  }

  rebuild(): void {
    const out = this.cache.heartbeats();
    out.push(...this.eraC());
    this.list = out;
  }

  notify(): void {
    const changes = this.cache.takeDelta();
    const delta = this.wholeList ? undefined : changes;
    this.wholeList = false;
    for (const cb of [...this.subscribers]) cb(delta);
  }

  close(): void {
    this.subscribers.clear();
  }
}
