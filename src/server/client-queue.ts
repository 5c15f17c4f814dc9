// What one client has pending, i.e. events its socket could not take yet. A slow client never
// delays the others and never grows memory without bound:
// - a session's newer heartbeat replaces its pending one (the client only needs the latest);
// - drains are never dropped;
// - past its bound (stream-client.ts decides when) the client is too far behind to catch up event
//   by event: its pending drains stay, the rest is dropped, and a `resync` (a fresh snapshot,
//   made when it is sent) follows them.
// Frames are shared by every client: what a queue holds is references, not copies.
import type { Frame } from "./event-log.js";

export const RESYNC = Symbol("resync");
export type Pending = Frame | typeof RESYNC;

export class ClientQueue {
  private items: Array<Frame | undefined> = [];
  private head = 0;
  private live = 0;
  /** where each session's pending heartbeat sits in `items` */
  private readonly heartbeatAt = new Map<string, number>();
  private resync = false;
  /** times this client fell past the bound */
  overflows = 0;

  get size(): number {
    return this.live + (this.resync ? 1 : 0);
  }

  push(frame: Frame): void {
    if (frame.type === "snapshot" || frame.type === "resync") throw new Error("snapshots are made when sent, never queued");
    if (this.resync) {
      // the resync's snapshot is made when it goes out and covers every heartbeat until then
      if (frame.type === "socket.drain") this.append(frame);
      return;
    }
    if (frame.type === "heartbeat" && frame.sessionKey !== undefined) {
      const key = `${frame.agentId}\u0000${frame.sessionKey}`;
      const at = this.heartbeatAt.get(key);
      if (at !== undefined) {
        const old = this.items[at]!;
        // a timer heartbeat adds nothing to a pending transition but the clock: keep the transition
        if (frame.periodic && !old.periodic) return;
        this.items[at] = undefined;
        this.live--;
      }
      this.heartbeatAt.set(key, this.items.length);
    }
    this.append(frame);
  }

  /** The next frame to send, or RESYNC (make a fresh snapshot now), or undefined when empty. */
  shift(): Pending | undefined {
    while (this.head < this.items.length) {
      const frame = this.items[this.head];
      this.items[this.head++] = undefined;
      if (!frame) continue;
      this.live--;
      if (frame.type === "heartbeat" && frame.sessionKey !== undefined) {
        const key = `${frame.agentId}\u0000${frame.sessionKey}`;
        if (this.heartbeatAt.get(key) === this.head - 1) this.heartbeatAt.delete(key);
      }
      this.compact();
      return frame;
    }
    this.compact();
    if (this.resync) {
      this.resync = false;
      return RESYNC;
    }
    return undefined;
  }

  private append(frame: Frame): void {
    this.items.push(frame);
    this.live++;
  }

  /** Keeps the pending drains, drops the rest, and puts a resync after them. */
  overflow(): void {
    this.overflows++;
    const drains = this.items.slice(this.head).filter((f): f is Frame => f !== undefined && f.type === "socket.drain");
    this.items = drains;
    this.head = 0;
    this.live = drains.length;
    this.heartbeatAt.clear();
    this.resync = true;
  }

  /** Drops the consumed front once it is most of the array (indexes in heartbeatAt shift with it). */
  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
      return;
    }
    if (this.head < 1024 || this.head * 2 < this.items.length) return;
    const cut = this.head;
    this.items = this.items.slice(cut);
    this.head = 0;
    for (const [k, at] of this.heartbeatAt) this.heartbeatAt.set(k, at - cut);
  }
}
