// The hub fed what changed (the live source's delta) makes exactly the events and answers it
// makes when fed the whole list; timer heartbeats go only to runs that can still move.
import { describe, expect, it } from "vitest";
import type { Heartbeat } from "../../src/core/types.js";
import type { Frame } from "../../src/server/event-log.js";
import { Hub, type HeartbeatDelta } from "../../src/server/hub.js";

const NOW = Date.parse("2026-07-01T12:00:00Z");

function hb(key: string, over: Partial<Heartbeat> = {}): Heartbeat {
  return { sessionKey: key, agentId: "main", sessionId: `id-${key}`, state: "idle", health: "idle", reasons: [], updatedAt: NOW - 60_000, lastActivityAt: NOW - 1000, ...over };
}

function makeHub(moving?: (hb: Heartbeat) => boolean): { hub: Hub; frames: string[] } {
  const frames: string[] = [];
  const hub = new Hub({ history: 100, firstSeq: 1000, now: () => NOW, judge: async (d) => d.map(() => "deleted"), moving });
  hub.subscribe({ filter: {}, deliver: (f: Frame) => frames.push(f.json) });
  return { hub, frames };
}

describe("Hub fed deltas", () => {
  it("makes the same events, in the same order, and the same batch answer as the whole list", async () => {
    const full = makeHub();
    const delta = makeHub();
    let list = [hb("a"), hb("b"), hb("c")];
    full.hub.baseline(list);
    delta.hub.baseline(list);
    const steps: Array<(l: Heartbeat[]) => Heartbeat[]> = [
      (l) => l.map((x) => (x.sessionKey === "a" ? hb("a", { state: "awaiting_model", health: "waiting", startedAt: NOW - 500 }) : x)),
      (l) => [...l.filter((x) => x.sessionKey !== "b"), hb("d", { lastActivityAt: NOW })],
      (l) => l.map((x) => (x.sessionKey === "c" ? hb("c", { sessionId: "new-c" }) : x)),
      (l) => l.map((x) => (x.sessionKey === "a" ? { ...x, health: "stalled" as const } : x)),
      (l) => l.map((x) => (x.sessionKey === "d" ? { ...x, reasons: ["ended 2m ago"] } : x)),
    ];
    for (const step of steps) {
      const next = step(list);
      const before = new Set(list);
      const after = new Set(next);
      const d: HeartbeatDelta = { changed: next.filter((x) => !before.has(x)), removed: list.filter((x) => !after.has(x) && !next.some((y) => y.sessionKey === x.sessionKey)) };
      await full.hub.update(next);
      await delta.hub.update(next, d);
      list = next;
      expect(delta.hub.batchBytes({}).toString()).toBe(full.hub.batchBytes({}).toString());
    }
    expect(delta.frames).toEqual(full.frames);
    expect(full.frames.length).toBe(6); // a waiting, b drained, d new, c reset + new c, a stalled
  });

  it("a session the gateway drained stays out while the files still list it, also when fed deltas", async () => {
    const { hub, frames } = makeHub();
    hub.baseline([hb("a"), hb("b")]);
    await hub.evict({ sessionKey: "a", agentId: "main", reason: "reset" });
    await hub.update([], { changed: [hb("a", { reasons: ["x"] })], removed: [] });
    expect(hub.find("a")).toBeUndefined();
    await hub.update([], { changed: [hb("a", { sessionId: "new-a" })], removed: [] });
    expect(hub.find("a")?.sessionId).toBe("new-a");
    expect(frames.map((f) => JSON.parse(f).type)).toEqual(["socket.drain", "heartbeat"]);
  });
});

describe("Hub timer heartbeats", () => {
  it("go to each turn in progress that can still move, not to a run nothing alive can move", () => {
    const dead = hb("dead", { state: "tool_exec", health: "unresponsive", startedAt: NOW - 9000 });
    const live = hb("live", { state: "awaiting_model", health: "waiting", startedAt: NOW - 9000 });
    const { hub, frames } = makeHub((x) => x !== dead);
    hub.baseline([dead, live, hb("rest")]);
    hub.tick();
    expect(frames.map((f) => JSON.parse(f))).toEqual([
      { type: "heartbeat", seq: 1000, at: NOW, periodic: true, heartbeat: expect.objectContaining({ sessionKey: "live", turnElapsedMs: 9000 }) },
    ]);
  });
});
