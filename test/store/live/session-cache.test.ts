import { describe, expect, it } from "vitest";
import type { LiveVerdict } from "../../../src/core/live/judge-live.js";
import type { Evidence, Heartbeat } from "../../../src/core/types.js";
import { SessionCache } from "../../../src/store/live/session-cache.js";
import { evidence, NOW } from "../../core/live/fixtures.js";

const REF = { agentId: "main", storePath: "/state/agents/main/sessions/sessions.json", era: "B" as const };

/** A judge whose verdicts the test sets per session key: what the cache does with them is under test. */
function scriptedJudge() {
  const due = new Map<string, number>();
  const health = new Map<string, Heartbeat["health"]>();
  const judged: string[] = [];
  const judge = (ev: Evidence, at: number): LiveVerdict => {
    judged.push(ev.sessionKey);
    const hb = { sessionKey: ev.sessionKey, health: health.get(ev.sessionKey) ?? "idle", reasons: [`at ${at}`] } as unknown as Heartbeat;
    return { hb, moving: false, verdictDueAt: due.get(ev.sessionKey) ?? Infinity, rejudgeAfterMs: 3_600_000 };
  };
  return { judge, due, health, judged };
}

describe("SessionCache: the live source's sessions as last read and judged", () => {
  it("a tick before any session is due judges nothing; at a session's threshold only that one is judged", () => {
    const j = scriptedJudge();
    j.due.set("b", NOW + 30_000);
    const cache = new SessionCache(j.judge, undefined);
    const store = cache.addStore(REF);
    cache.put(store, "a", evidence({ sessionKey: "a" }), [], NOW);
    cache.put(store, "b", evidence({ sessionKey: "b" }), [], NOW);
    j.judged.length = 0;
    expect(cache.rejudgeDue(NOW + 29_999, false)).toBe(false);
    expect(j.judged).toEqual([]);
    j.health.set("b", "unresponsive");
    expect(cache.rejudgeDue(NOW + 30_000, false)).toBe(true);
    expect(j.judged).toEqual(["b"]);
    expect(cache.heartbeats().map((h) => h.health)).toEqual(["idle", "unresponsive"]);
  });

  it("the delta holds what was put or re-judged and is still cached, and what was dropped; then it is empty", () => {
    const j = scriptedJudge();
    const cache = new SessionCache(j.judge, undefined);
    const store = cache.addStore(REF);
    cache.put(store, "a", evidence({ sessionKey: "a" }), [], NOW);
    cache.put(store, "b", evidence({ sessionKey: "b" }), [], NOW);
    cache.drop(store, "b");
    const d = cache.takeDelta();
    expect(d.changed.map((h) => h.sessionKey)).toEqual(["a"]);
    expect(d.removed.map((h) => h.sessionKey)).toEqual(["b"]);
    expect(cache.takeDelta()).toEqual({ changed: [], removed: [] });
    cache.dropStore(REF.storePath);
    expect(cache.takeDelta().removed.map((h) => h.sessionKey)).toEqual(["a"]);
    expect(cache.heartbeats()).toEqual([]);
  });

  it("only sessions read with a live lock owner are watched for that owner's death", () => {
    const j = scriptedJudge();
    const cache = new SessionCache(j.judge, undefined);
    const store = cache.addStore(REF);
    cache.put(store, "held", evidence({ sessionKey: "held", lock: { path: "/t.lock", pid: 42, owner: "alive", mtimeMs: NOW } as Evidence["lock"] }), [], NOW);
    cache.put(store, "free", evidence({ sessionKey: "free" }), [], NOW);
    expect([...cache.liveLocks].map((c) => c.key)).toEqual(["held"]);
    cache.put(store, "held", evidence({ sessionKey: "held" }), [], NOW);
    expect(cache.liveLocks.size).toBe(0);
  });
});
