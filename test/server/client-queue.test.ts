import { describe, expect, it } from "vitest";
import { ClientQueue, RESYNC, type Pending } from "../../src/server/client-queue.js";
import type { Frame } from "../../src/server/event-log.js";

const hb = (seq: number, key: string, periodic = false): Frame => ({ type: "heartbeat", seq, json: "", agentId: "main", sessionKey: key, periodic });
const drain = (seq: number, key: string): Frame => ({ type: "socket.drain", seq, json: "", agentId: "main", sessionKey: key });

function drainAll(q: ClientQueue): Array<string> {
  const out: string[] = [];
  for (let p: Pending | undefined = q.shift(); p !== undefined; p = q.shift()) out.push(p === RESYNC ? "RESYNC" : `${p.type}:${p.sessionKey}:${p.seq}`);
  return out;
}

describe("ClientQueue", () => {
  it("keeps frames in seq order", () => {
    const q = new ClientQueue();
    q.push(hb(1, "a"));
    q.push(hb(2, "b"));
    q.push(drain(3, "c"));
    expect(drainAll(q)).toEqual(["heartbeat:a:1", "heartbeat:b:2", "socket.drain:c:3"]);
  });

  it("a session's newer heartbeat replaces its pending one, moving to the back (seq order kept)", () => {
    const q = new ClientQueue();
    q.push(hb(1, "a"));
    q.push(hb(2, "b"));
    q.push(hb(3, "a"));
    expect(q.size).toBe(2);
    expect(drainAll(q)).toEqual(["heartbeat:b:2", "heartbeat:a:3"]);
  });

  it("a timer heartbeat never replaces a pending transition; it replaces a pending timer heartbeat", () => {
    const q = new ClientQueue();
    q.push(hb(1, "a"));
    q.push(hb(1, "a", true));
    q.push(hb(1, "b", true));
    q.push(hb(1, "b", true));
    expect(drainAll(q)).toEqual(["heartbeat:a:1", "heartbeat:b:1"]);
  });

  it("drains are never coalesced or dropped", () => {
    const q = new ClientQueue();
    q.push(drain(1, "a"));
    q.push(drain(2, "a"));
    expect(drainAll(q)).toEqual(["socket.drain:a:1", "socket.drain:a:2"]);
  });

  it("on overflow: the pending drains, then one resync; later heartbeats fold into it, later drains still come before it", () => {
    const q = new ClientQueue();
    q.push(hb(1, "a"));
    q.push(drain(2, "x"));
    q.push(hb(3, "b"));
    q.push(hb(4, "c"));
    q.overflow();
    expect(q.overflows).toBe(1);
    q.push(hb(5, "d"));
    q.push(drain(6, "y"));
    expect(drainAll(q)).toEqual(["socket.drain:x:2", "socket.drain:y:6", "RESYNC"]);
    // and then it is an ordinary queue again
    q.push(hb(7, "a"));
    expect(drainAll(q)).toEqual(["heartbeat:a:7"]);
  });

  it("stays correct across compaction of a long-consumed front", () => {
    const q = new ClientQueue();
    for (let i = 1; i <= 3000; i++) q.push(hb(i, `k${i}`));
    for (let i = 0; i < 2500; i++) q.shift();
    q.push(hb(3001, "k2999"));
    const rest = drainAll(q);
    expect(rest[0]).toBe("heartbeat:k2501:2501");
    expect(rest).not.toContain("heartbeat:k2999:2999");
    expect(rest.at(-1)).toBe("heartbeat:k2999:3001");
    expect(rest).toHaveLength(500);
  });
});
