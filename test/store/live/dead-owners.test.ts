import { describe, expect, it } from "vitest";
import type { GatewayInfo } from "../../../src/core/types.js";
import { queueDeadOwners } from "../../../src/store/live/dead-owners.js";
import { emptyPending } from "../../../src/store/live/pending.js";
import type { Cached } from "../../../src/store/live/session-cache.js";
import type { ProcOwner } from "../../../src/store/proc.js";

const store = { ref: { agentId: "main", storePath: "/s/sessions.json" } };
const locked = (key: string, pid: number, starttime?: number) => ({ store, key, ev: { lock: { pid, starttime } } }) as unknown as Cached;

function probe(states: Record<number, ProcOwner>) {
  const asked: number[] = [];
  return { asked, probe: (pid: number) => (asked.push(pid), states[pid] ?? "dead") };
}

describe("queueDeadOwners: the tick's check of lock owners no file event reports", () => {
  it("queues the sessions whose owner died or whose pid was reused, and asks once per distinct owner", () => {
    const p = emptyPending();
    const q = probe({ 10: "alive", 20: "dead", 30: "reused" });
    queueDeadOwners([locked("a", 10, 1), locked("b", 10, 1), locked("c", 20), locked("d", 30, 5)], undefined, p, q.probe);
    expect([...p.sessions.values()].map((s) => s.key)).toEqual(["c", "d"]);
    expect(q.asked).toEqual([10, 20, 30]);
    expect(p.gateway).toBe(false);
  });

  it("queues a gateway re-read when the gateway believed alive is gone, not when it was already dead", () => {
    const alive = { pid: 99, alive: true } as GatewayInfo;
    const p = emptyPending();
    queueDeadOwners([], alive, p, probe({}).probe);
    expect(p.gateway).toBe(true);
    const q = emptyPending();
    const asked = probe({});
    queueDeadOwners([], { pid: 99, alive: false } as GatewayInfo, q, asked.probe);
    expect(q.gateway).toBe(false);
    expect(asked.asked).toEqual([]);
  });
});
