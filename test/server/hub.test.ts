// The hub and a stream client over a fake socket: which events a change makes, with which seq,
// and what a client gets on connect, on resume and when it stops reading.
import { describe, expect, it } from "vitest";
import type { Heartbeat } from "../../src/core/types.js";
import type { Departed, DrainReason } from "../../src/server/departures.js";
import type { Frame } from "../../src/server/event-log.js";
import { Hub, SERVE_SCHEMA_VERSION, isTransition, type SessionFilter } from "../../src/server/hub.js";
import { sseBytes } from "../../src/server/sse.js";
import { heartbeatJson } from "../../src/ui/snapshot.js";
import { StreamClient, type Sink } from "../../src/server/stream-client.js";

const NOW = Date.parse("2026-07-01T12:00:00Z");

function hb(key: string, over: Partial<Heartbeat> = {}): Heartbeat {
  return { sessionKey: key, agentId: "main", sessionId: `id-${key}`, state: "idle", health: "idle", reasons: [], updatedAt: NOW - 60_000, ...over };
}

function makeHub(history = 100, judge: (d: readonly Departed[]) => DrainReason[] = (d) => d.map(() => "deleted")) {
  return new Hub({ history, firstSeq: 1000, now: () => NOW, judge: async (d) => judge(d) });
}

class FakeSink implements Sink {
  frames: any[] = [];
  /** the socket takes this many more frames before it says it is full */
  room = Infinity;
  private drained?: () => void;
  closed?: { code: number; reason: string };
  write(frame: Frame): boolean {
    this.frames.push(JSON.parse(frame.json));
    this.room--;
    return this.room > 0;
  }
  onDrained(cb: () => void): void {
    this.drained = cb;
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  /** the client read everything: room again */
  drain(room = Infinity): void {
    this.room = room;
    const cb = this.drained;
    this.drained = undefined;
    cb?.();
  }
}

/** A client on a fake socket, started (with `since`, resumed). */
function connect(hub: Hub, filter: SessionFilter = {}, since?: number): FakeSink {
  const sink = new FakeSink();
  new StreamClient(hub, filter, sink, { bound: 100 }).start(since);
  return sink;
}

const summary = (f: any) => (f.type === "heartbeat" ? `hb ${f.heartbeat.sessionKey} ${f.heartbeat.health} @${f.seq}` : f.type === "socket.drain" ? `drain ${f.sessionKey} ${f.reason} @${f.seq}` : `${f.type} @${f.seq}`);

describe("Hub events", () => {
  it("the baseline makes no event; a transition and a new session each take the next seq", async () => {
    const hub = makeHub();
    hub.baseline([hb("a"), hb("b")]);
    const sink = connect(hub);
    await hub.update([hb("a", { state: "awaiting_model", health: "waiting", startedAt: NOW - 1000 }), hb("b"), hb("c")]);
    expect(sink.frames.map(summary)).toEqual(["snapshot @1000", "hb a waiting @1001", "hb c idle @1002"]);
    expect(sink.frames[0].sessions.map((s: any) => s.sessionKey).sort()).toEqual(["a", "b"]);
  });

  it("reasons whose ages moved are no event, but a snapshot shows them", async () => {
    const hub = makeHub();
    hub.baseline([hb("a", { reasons: ["ended 1m ago"] })]);
    await hub.update([hb("a", { reasons: ["ended 2m ago"] })]);
    expect(hub.seq).toBe(1000);
    expect(JSON.parse(hub.snapshot({}).json).sessions[0].reasons).toEqual(["ended 2m ago"]);
  });

  it("the batch answer and a snapshot are byte for byte JSON.stringify of the same object, multi-byte labels included", async () => {
    const hub = makeHub();
    const list = [hb("a", { label: "Zürich ☕ 日本" }), hb("b", { state: "awaiting_model", health: "waiting", startedAt: NOW - 1000 }), hb("c")];
    hub.baseline(list);
    const sessions = hub.heartbeats().map((h) => heartbeatJson(h, NOW));
    expect(hub.batchBytes({}).toString("utf8")).toBe(`${JSON.stringify({ schemaVersion: SERVE_SCHEMA_VERSION, generatedAt: NOW, seq: 1000, sessions })}\n`);
    const snap = hub.snapshot({});
    expect(snap.json).toBe(JSON.stringify({ type: "snapshot", seq: 1000, schemaVersion: SERVE_SCHEMA_VERSION, generatedAt: NOW, sessions }));
    expect(sseBytes(snap).toString("utf8")).toBe(`id: 1000\nevent: snapshot\ndata: ${snap.json}\n\n`);
    const empty = makeHub();
    empty.baseline([]);
    expect(JSON.parse(empty.batchBytes({}).toString("utf8")).sessions).toEqual([]);
  });

  it("a new sessionId under the same key is a reset drain naming both ids, then the new one's heartbeat", async () => {
    const hub = makeHub();
    hub.baseline([hb("a")]);
    const sink = connect(hub);
    await hub.update([hb("a", { sessionId: "new-id" })]);
    expect(sink.frames.slice(1)).toMatchObject([
      { type: "socket.drain", seq: 1001, sessionKey: "a", sessionId: "id-a", newSessionId: "new-id", reason: "reset", at: NOW },
      { type: "heartbeat", seq: 1002, heartbeat: { sessionKey: "a", sessionId: "new-id" } },
    ]);
  });

  it("a session that left is drained with the judge's reason", async () => {
    const hub = makeHub(100, (d) => d.map((x) => (x.sessionKey === "p" ? "pruned" : "deleted")));
    hub.baseline([hb("p"), hb("d"), hb("k")]);
    const sink = connect(hub);
    await hub.update([hb("k")]);
    expect(sink.frames.slice(1).map(summary)).toEqual(["drain p pruned @1001", "drain d deleted @1002"]);
  });

  it("timer heartbeats go out for turns in progress only, at the current seq, and are not kept for resuming", async () => {
    const hub = makeHub();
    hub.baseline([hb("run", { state: "tool_exec", health: "active", toolName: "exec", startedAt: NOW - 5000 }), hb("rest")]);
    const sink = connect(hub);
    hub.tick();
    expect(sink.frames.slice(1)).toMatchObject([{ type: "heartbeat", seq: 1000, periodic: true, heartbeat: { sessionKey: "run", turnElapsedMs: 5000 } }]);
    expect(hub.log.after(999)).toBeUndefined();
    expect(hub.log.after(1000)).toEqual([]);
  });
});

describe("StreamClient", () => {
  it("a client connecting right after another shares its snapshot, then gets the events since its seq", async () => {
    const hub = makeHub();
    hub.baseline([hb("a"), hb("b")]);
    const first = connect(hub);
    await hub.update([hb("a", { updatedAt: NOW + 1 }), hb("b")]);
    await hub.update([hb("a", { updatedAt: NOW + 1 })]);
    const second = connect(hub);
    expect(second.frames.map(summary)).toEqual(["snapshot @1000", "hb a idle @1001", "drain b deleted @1002"]);
    expect(second.frames[0]).toEqual(first.frames[0]);
    // the batch answer is shared the same way, consistent at its own seq
    const batch = JSON.parse(hub.batchBytes({}).toString());
    expect(batch.seq).toBe(1002);
    expect(batch.sessions.map((s: any) => s.sessionKey)).toEqual(["a"]);
  });

  it("resumes with exactly the events after since, no snapshot", async () => {
    const hub = makeHub();
    hub.baseline([hb("a")]);
    for (let i = 1; i <= 4; i++) await hub.update([hb("a", { updatedAt: NOW + i })]);
    const sink = connect(hub, {}, 1002);
    expect(sink.frames.map(summary)).toEqual(["hb a idle @1003", "hb a idle @1004"]);
    await hub.update([hb("a", { updatedAt: NOW + 9 })]);
    expect(sink.frames.at(-1).seq).toBe(1005);
  });

  it("gets a resync (history) when since is gone from the ring or from another run", async () => {
    const hub = makeHub(2);
    hub.baseline([hb("a")]);
    for (let i = 1; i <= 4; i++) await hub.update([hb("a", { updatedAt: NOW + i })]);
    for (const since of [1001, 999_999]) {
      const sink = connect(hub, {}, since);
      expect(sink.frames).toMatchObject([{ type: "resync", reason: "history", seq: 1004 }]);
    }
  });

  it("filters by agent and problems; a problems stream also hears a session leave the problems", async () => {
    const hub = makeHub();
    hub.baseline([hb("a"), hb("b", { agentId: "ops" })]);
    const ops = connect(hub, { agent: "ops" });
    const problems = connect(hub, { problems: true });
    await hub.update([hb("a", { state: "awaiting_model", health: "stalled" }), hb("b", { agentId: "ops" })]);
    await hub.update([hb("a", { state: "awaiting_model", health: "stalled" }), hb("b", { agentId: "ops", state: "tool_exec", health: "active" })]);
    await hub.update([hb("a", { state: "complete" }), hb("b", { agentId: "ops", state: "tool_exec", health: "active" })]);
    expect(ops.frames.map(summary)).toEqual(["snapshot @1000", "hb b active @1002"]);
    expect(problems.frames.map(summary)).toEqual(["snapshot @1000", "hb a stalled @1001", "hb a idle @1003"]);
  });

  it("a client that stops reading: coalesced heartbeats, then its drains and a resync; the others get everything", async () => {
    const hub = makeHub();
    const keys = ["a", "b", "c", "d", "e"];
    hub.baseline(keys.map((k) => hb(k)));
    const slow = new FakeSink();
    const fast = new FakeSink();
    slow.room = 1; // takes the snapshot, then is full
    new StreamClient(hub, {}, slow, { bound: 3, slowAfterMs: 0 }).start();
    new StreamClient(hub, {}, fast, { bound: 3, slowAfterMs: 0 }).start();
    for (let i = 1; i <= 3; i++) await hub.update(keys.map((k) => hb(k, { updatedAt: NOW + i })));
    await hub.update(keys.filter((k) => k !== "e").map((k) => hb(k, { updatedAt: NOW + 3 })));
    expect(fast.frames).toHaveLength(1 + 15 + 1);
    expect(fast.frames.slice(1).map((f) => f.seq)).toEqual(Array.from({ length: 16 }, (_, i) => 1001 + i));
    expect(slow.frames.map(summary)).toEqual(["snapshot @1000"]);
    slow.drain();
    expect(slow.frames.slice(1).map(summary)).toEqual(["drain e deleted @1016", "resync @1016"]);
    expect(slow.frames.at(-1).sessions.map((s: any) => s.sessionKey).sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("a burst does not make a client slow: it overflows only once its socket refused data for slowAfterMs", async () => {
    let clock = 0;
    const hub = makeHub();
    const keys = ["a", "b", "c", "d", "e"];
    hub.baseline(keys.map((k) => hb(k)));
    const sink = new FakeSink();
    sink.room = 1;
    new StreamClient(hub, {}, sink, { bound: 2, slowAfterMs: 1000, now: () => clock }).start();
    await hub.update(keys.map((k) => hb(k, { updatedAt: NOW + 1 })));
    clock = 999;
    await hub.update(keys.map((k) => hb(k, { updatedAt: NOW + 2 })));
    sink.drain();
    expect(sink.frames.slice(1).map(summary)).toEqual(keys.map((k, i) => `hb ${k} idle @${1006 + i}`));
    sink.room = 1;
    await hub.update(keys.map((k) => hb(k, { updatedAt: NOW + 3 })));
    clock = 2000;
    await hub.update(keys.map((k) => hb(k, { updatedAt: NOW + 4 })));
    sink.drain();
    expect(sink.frames.slice(7).map(summary)).toEqual(["resync @1020"]);
  });

  it("closes a slow client whose pending drains alone pass four times its bound", async () => {
    const hub = makeHub();
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    hub.baseline(keys.map((k) => hb(k)));
    const slow = new FakeSink();
    slow.room = 1;
    const client = new StreamClient(hub, {}, slow, { bound: 2, slowAfterMs: 0 });
    client.start();
    await hub.update([]);
    expect(slow.closed).toEqual({ code: 1008, reason: "too far behind: reconnect with since=1000" });
    expect(hub.clients()).toBe(0);
  });
});

describe("Hub: evictions the gateway reports (serve --gateway)", () => {
  it("a reset is drained at once; the files still listing the old id, then the new one, make no second drain", async () => {
    const hub = makeHub();
    hub.baseline([hb("a"), hb("b")]);
    const sink = connect(hub);
    await hub.evict({ sessionKey: "a", agentId: "main", sessionId: "id-a", reason: "reset" });
    await hub.update([hb("a"), hb("b")]);
    expect(hub.find("a")).toBeUndefined();
    await hub.update([hb("a", { sessionId: "new-id" }), hb("b")]);
    expect(sink.frames.slice(1).map(summary)).toEqual(["drain a reset @1001", "hb a idle @1002"]);
    expect(sink.frames[1]).toMatchObject({ sessionId: "id-a", reason: "reset" });
    expect(sink.frames[1].newSessionId).toBeUndefined();
    expect(sink.frames[2].heartbeat.sessionId).toBe("new-id");
  });

  it("a delete is drained as given; the files dropping the session later make no second drain", async () => {
    const hub = makeHub();
    hub.baseline([hb("a"), hb("b")]);
    const sink = connect(hub);
    await hub.evict({ sessionKey: "a", reason: "deleted" });
    await hub.update([hb("b")]);
    expect(sink.frames.slice(1).map(summary)).toEqual(["drain a deleted @1001"]);
  });

  it("an eviction of an id the files already replaced, or of an unknown key, is no event", async () => {
    const hub = makeHub();
    hub.baseline([hb("a")]);
    const sink = connect(hub);
    await hub.update([hb("a", { sessionId: "new-id" })]);
    await hub.evict({ sessionKey: "a", agentId: "main", sessionId: "id-a", reason: "reset" });
    await hub.evict({ sessionKey: "nobody", reason: "deleted" });
    expect(sink.frames.slice(1).map(summary)).toEqual(["drain a reset @1001", "hb a idle @1002"]);
    expect(hub.find("a")?.sessionId).toBe("new-id");
  });

  it("the same sessionId coming back after the files dropped it is a new session again", async () => {
    const hub = makeHub();
    hub.baseline([hb("a")]);
    const sink = connect(hub);
    await hub.evict({ sessionKey: "a", sessionId: "id-a", reason: "deleted" });
    await hub.update([]);
    await hub.update([hb("a")]);
    expect(sink.frames.slice(1).map(summary)).toEqual(["drain a deleted @1001", "hb a idle @1002"]);
  });
});

describe("isTransition", () => {
  const streaming = hb("a", { state: "streaming", health: "active", source: "gateway", startedAt: NOW - 5000, lastTokenAt: NOW - 100, lastActivityAt: NOW - 100 });
  it.each<[string, Partial<Heartbeat>, boolean]>([
    ["another delta from the gateway (token and activity times only)", { lastTokenAt: NOW, lastActivityAt: NOW }, false],
    ["the gateway's next phase", { state: "tool_exec", toolName: "exec", lastActivityAt: NOW }, true],
    ["the same times from the files (source changed)", { source: "files" }, true],
    ["the model named", { model: "fake-2", lastTokenAt: NOW }, true],
  ])("%s: %s", (_what, change, expected) => {
    expect(isTransition(streaming, { ...streaming, ...change })).toBe(expected);
  });

  it("an outcome reason whose only change is its age is no transition; another owner in it is", () => {
    const dead = hb("a", { health: "unresponsive", state: "awaiting_model", outcome: "failed", outcomeReason: "lock owner pid 9 is dead (lock taken 11m38s ago)" });
    expect(isTransition(dead, { ...dead, outcomeReason: "lock owner pid 9 is dead (lock taken 11m43s ago)" })).toBe(false);
    expect(isTransition(dead, { ...dead, outcomeReason: "lock owner pid 10 is dead (lock taken 11m43s ago)" })).toBe(true);
    expect(isTransition({ ...dead, outcome: undefined, outcomeReason: undefined }, dead)).toBe(true);
  });

  it("activity the files show is a transition", () => {
    const files = hb("a", { state: "tool_exec", health: "active", source: "files", lastActivityAt: NOW - 100 });
    expect(isTransition(files, { ...files, lastActivityAt: NOW })).toBe(true);
  });
});
