// The era C half of a live source: the set of OpenClaw 2026.8+ SQLite stores, read through
// sqlite/live.ts (PRAGMA data_version, no file watch), reopened when that set changes. A commit
// shows within a fraction of a second, so data_version is polled more often than the clock tick,
// but only while there is an era C store: none, no timer waking the process five times a second.
import type { LiveVerdict } from "../../core/live/judge-live.js";
import { sameHeartbeat, sameVerdict } from "../../core/heartbeat-equality.js";
import type { Evidence, Heartbeat, StoreRef } from "../../core/types.js";
import { openEraCLive, type EraCLive } from "../sqlite/live.js";

export interface EraCSideOptions {
  judge: (ev: Evidence) => LiveVerdict;
  now: () => number;
  /** how often data_version is polled between ticks (default 200 ms; well under 0.1 ms a poll) */
  pollMs?: number;
  /** a poll between ticks found a committed change: the heartbeats are new */
  onChange: () => void;
  /** a refresh failed (its warning holds until one succeeds) */
  onFailure: () => void;
}

export class EraCSide {
  private live: EraCLive | undefined;
  private key = "";
  private timer: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  private closed = false;

  constructor(private readonly o: EraCSideOptions) {}

  /** (Re)opens the stores when the set changed (a new agent, a migrated store); true when it did. */
  sync(refs: readonly StoreRef[]): boolean {
    const key = refs.map((r) => r.storePath).join("\u0000");
    if (key === this.key) return false;
    this.key = key;
    this.live?.close();
    this.live = refs.length > 0 ? openEraCLive([...refs], this.o.judge, this.o.now) : undefined;
    this.armPoll();
    return true;
  }

  /** Starts the between-ticks poll while there is a store, stops it while there is none. */
  armPoll(): void {
    if (this.closed) return;
    if (this.live && !this.timer) this.timer = setInterval(() => this.pollBetweenTicks(), this.o.pollMs ?? 200);
    else if (!this.live && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * The clock tick: re-reads a committed change (and on a slow tick re-checks owners), then
   * re-judges what time can have changed (ages only on a slow tick). True when a heartbeat changed.
   */
  tick(slow: boolean): boolean {
    if (!this.live) return false;
    return this.guard(() => this.live!.poll(slow) || this.live!.rederive(slow ? sameHeartbeat : sameVerdict, slow)) ?? false;
  }

  heartbeats(): Heartbeat[] {
    return this.live?.heartbeats() ?? [];
  }

  unread(): Array<StoreRef & { why: string }> {
    return this.live?.unread() ?? [];
  }

  warnings(): string[] {
    return [
      ...(this.failure ? [this.failure] : []),
      ...(this.live?.warnings() ?? []),
      ...this.unread().map((u) => `agent ${u.agentId}: ${u.why}`),
    ];
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.live?.close();
  }

  private pollBetweenTicks(): void {
    if (this.closed || !this.live) return;
    if (this.guard(() => this.live!.poll(false))) this.o.onChange();
  }

  /** Runs a refresh; a failure becomes a warning (the feed must never go down), cleared by the next success. */
  private guard(refresh: () => boolean): boolean | undefined {
    try {
      const changed = refresh();
      if (this.failure) {
        this.failure = undefined;
        this.o.onFailure();
      }
      return changed;
    } catch (err) {
      this.failure = `era C refresh failed: ${(err as Error).message}`;
      this.o.onFailure();
      return undefined;
    }
  }
}
