// Heartbeats and a controllable source for UI tests.
import type { Heartbeat } from "../../src/core/types.js";
import type { HeartbeatSource } from "../../src/ui/watch/source.js";

export const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

export function hb(over: Partial<Heartbeat> & Pick<Heartbeat, "sessionKey">): Heartbeat {
  return {
    agentId: "main",
    sessionId: `id-${over.sessionKey.replace(/[^a-z0-9]/gi, "")}`,
    state: "idle",
    health: "idle",
    reasons: [],
    updatedAt: NOW - 60_000,
    ...over,
  };
}

/** One session per health, with distinct keys, models and activity times. */
export function oneOfEach(now = NOW): Heartbeat[] {
  return [
    hb({ sessionKey: "agent:main:a-active", health: "active", state: "tool_exec", toolName: "exec", model: "claude-sonnet-4-5", startedAt: now - 65_000, lastActivityAt: now - 2_000 }),
    hb({ sessionKey: "agent:main:b-waiting", health: "waiting", state: "awaiting_model", model: "gpt-5", startedAt: now - 12_000, lastActivityAt: now - 12_000 }),
    hb({ sessionKey: "agent:main:c-stalled", health: "stalled", state: "tool_exec", toolName: "browser", startedAt: now - 600_000, lastActivityAt: now - 590_000, reasons: ["tool browser open for 9m50s, over the 2m threshold"] }),
    hb({ sessionKey: "agent:main:d-unresponsive", health: "unresponsive", state: "awaiting_model", storeStatus: "running", startedAt: now - 3_600_000, lastActivityAt: now - 3_500_000, drift: "running in index, lock owner pid 4242 is dead", reasons: ["lock owner pid 4242 is dead", "no gateway running"] }),
    hb({ sessionKey: "agent:main:e-idle", health: "idle", state: "complete", storeStatus: "done", lastActivityAt: now - 7_200_000, outcome: "done", outcomeReason: "index says done" }),
  ];
}

export class FakeSource implements HeartbeatSource {
  private listeners = new Set<() => void>();
  updatedAt: number;
  /** what warnings() answers; change it with setWarnings */
  private current: string[] = [];
  constructor(
    public list: Heartbeat[],
    updatedAt = NOW,
  ) {
    this.updatedAt = updatedAt;
  }
  get(): Heartbeat[] {
    return this.list;
  }
  subscribe(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  lastUpdateAt(): number {
    return this.updatedAt;
  }
  warnings(): string[] {
    return this.current;
  }
  /** `notify`: as after a refresh; without it, only the view's own re-reads see the change */
  setWarnings(warnings: string[], notify = true): void {
    this.current = warnings;
    if (notify) for (const cb of this.listeners) cb();
  }
  push(list: Heartbeat[], at = this.updatedAt): void {
    this.list = list;
    this.updatedAt = at;
    for (const cb of this.listeners) cb();
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll until the probe passes; fails with the last frame so a broken test says what it saw. The
 * timeout only bounds how long a broken test hangs: a loaded 2-core machine can take seconds to
 * render a frame, so it is generous (a passing test never waits for it).
 */
export async function waitFor(probe: () => boolean, describe: () => string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out; last frame:\n${describe()}`);
    await sleep(10);
  }
}
