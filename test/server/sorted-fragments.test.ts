// The hub's incremental pieces against their whole-list equivalents: the sorted list moved one
// heartbeat at a time equals sorting it all, and spliced JSON equals JSON.stringify.
import { describe, expect, it } from "vitest";
import { sortHeartbeats } from "../../src/core/order.js";
import type { Heartbeat } from "../../src/core/types.js";
import { HeartbeatFragments } from "../../src/server/fragments.js";
import { SortedHeartbeats } from "../../src/server/sorted-heartbeats.js";
import { heartbeatJson } from "../../src/ui/snapshot.js";

const NOW = Date.parse("2026-07-01T12:00:00Z");
const HEALTH = ["idle", "waiting", "active", "stalled", "unresponsive"] as const;

function random(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function hb(i: number, r: () => number): Heartbeat {
  return {
    sessionKey: `agent:main:s${i}`,
    agentId: "main",
    sessionId: `id-${i}-${Math.floor(r() * 1e6)}`,
    state: "idle",
    health: HEALTH[Math.floor(r() * HEALTH.length)],
    reasons: [],
    updatedAt: NOW,
    // ties on purpose: the identity decides them
    lastActivityAt: r() < 0.1 ? undefined : NOW - Math.floor(r() * 20) * 1000,
  };
}

describe("SortedHeartbeats", () => {
  it.each([10, 600])("after %i random changes between reads it equals a full sort of the model", (changes) => {
    const r = random(changes);
    const model = new Map<number, Heartbeat>();
    for (let i = 0; i < 200; i++) model.set(i, hb(i, r));
    const sorted = new SortedHeartbeats(() => model.values());
    sorted.reset();
    for (let round = 0; round < 5; round++) {
      for (let n = 0; n < changes; n++) {
        const i = Math.floor(r() * 260);
        const old = model.get(i);
        const next = r() < 0.2 ? undefined : hb(i, r);
        if (next) model.set(i, next);
        else model.delete(i);
        sorted.move(old, next);
      }
      expect(sorted.all()).toEqual(sortHeartbeats([...model.values()]));
    }
  });

  it("changes that keep each session's place are replaced where they stand: 600 between reads need no full sort", () => {
    const r = random(7);
    const model = new Map<number, Heartbeat>();
    for (let i = 0; i < 200; i++) model.set(i, hb(i, r));
    let sorts = 0;
    const sorted = new SortedHeartbeats(() => {
      sorts++;
      return model.values();
    });
    sorted.reset();
    for (let n = 0; n < 600; n++) {
      const i = Math.floor(r() * 200);
      const old = model.get(i)!;
      // the reasons' ages re-worded: nothing the order reads
      const next = { ...old, reasons: [`ended ${n}s ago`] };
      model.set(i, next);
      sorted.move(old, next);
    }
    // one session moving to the top after all: still a move, and the list stays right
    const old = model.get(3)!;
    const next = { ...old, health: "unresponsive" as const, lastActivityAt: NOW };
    model.set(3, next);
    sorted.move(old, next);
    expect(sorted.all()).toEqual(sortHeartbeats([...model.values()]));
    expect(sorted.all().every((h) => model.get(Number(h.sessionKey.slice("agent:main:s".length))) === h)).toBe(true);
    expect(sorts).toBe(1);
  });
});

describe("HeartbeatFragments", () => {
  it("gives JSON.stringify(heartbeatJson(hb, now)), a turn in progress's elapsed time at each now", () => {
    const f = new HeartbeatFragments();
    const running: Heartbeat = {
      ...hb(1, random(1)),
      sessionKey: 'agent:main:a "quoted",\\"turnElapsedMs\\":0, key',
      state: "tool_exec",
      health: "active",
      toolName: "exec",
      startedAt: NOW - 5_000,
      reasons: ['a reason with ,"turnElapsedMs":0, inside'],
    };
    const resting = hb(2, random(2));
    for (const now of [NOW, NOW + 1234, NOW - 60_000]) {
      expect(f.json(running, now)).toBe(JSON.stringify(heartbeatJson(running, now)));
      expect(f.json(resting, now)).toBe(JSON.stringify(heartbeatJson(resting, now)));
    }
  });
});
