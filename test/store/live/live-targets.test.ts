import { describe, expect, it } from "vitest";
import type { Evidence, Heartbeat } from "../../../src/core/types.js";
import type { LiveVerdict } from "../../../src/core/live/judge-live.js";
import { LiveTargets, type Selection } from "../../../src/store/live/live-targets.js";
import { SessionCache } from "../../../src/store/live/session-cache.js";

const judge = (ev: Evidence): LiveVerdict => ({ hb: { sessionKey: ev.sessionKey } as Heartbeat, moving: false, verdictDueAt: Infinity, rejudgeAfterMs: Infinity });
const ref = (agentId: string) => ({ agentId, storePath: `/state/agents/${agentId}/sessions/sessions.json`, era: "B" as const });
const selection = (...agents: string[]): Selection => ({
  targets: agents.map((a) => ({ agentId: a, storePath: ref(a).storePath })) as Selection["targets"],
  stores: agents.map(ref),
  eraC: [],
  warnings: [],
});

describe("LiveTargets: the stores a live source follows", () => {
  it("a store newly selected is returned for a full read; one no longer selected leaves the cache", () => {
    let now = selection("main");
    const cache = new SessionCache(judge, undefined);
    const t = new LiveTargets(cache, () => now);
    expect(t.resolve(true).map((s) => s.ref.agentId)).toEqual(["main"]);
    now = selection("main", "ops");
    expect(t.resolve(false).map((s) => s.ref.agentId)).toEqual(["ops"]);
    now = selection("ops");
    expect(t.resolve(false)).toEqual([]);
    expect([...cache.stores.values()].map((s) => s.ref.agentId)).toEqual(["ops"]);
    expect(t.indexDirs()).toEqual(["/state/agents/ops/sessions"]);
  });

  it("a selection that fails keeps the stores on screen and says why; at start the error is the answer", () => {
    let fail = false;
    const cache = new SessionCache(judge, undefined);
    const t = new LiveTargets(cache, () => {
      if (fail) throw new Error("--store /x/sessions.json: not found");
      return selection("main");
    });
    t.resolve(true);
    fail = true;
    expect(t.resolve(false)).toEqual([]);
    expect(cache.stores.size).toBe(1);
    expect(t.warnings()).toEqual(["--store /x/sessions.json: not found"]);
    expect(() => new LiveTargets(new SessionCache(judge, undefined), () => { throw new Error("boom"); }).resolve(true)).toThrow("boom");
  });

  it("a failed refresh run is said until the stores are selected again", () => {
    const t = new LiveTargets(new SessionCache(judge, undefined), () => selection("main"));
    t.resolve(true);
    t.refreshFailed(new Error("EIO"));
    expect(t.warnings()).toEqual(["refresh failed: EIO"]);
    t.resolve(false);
    expect(t.warnings()).toEqual([]);
  });
});
