import { describe, expect, it } from "vitest";
import type { PlanItem } from "../../../src/core/plan/actions.js";
import { planFinalize } from "../../../src/core/plan/finalize.js";
import { openclawPrunePlan, planPrune, type PruneContext } from "../../../src/core/plan/prune.js";
import type { IndexEntry } from "../../../src/core/types.js";
import { AGENTS_ROOT, DAY, HOUR, item, MIN, NOW, SEC } from "./fixtures.js";

const policy = { mode: "enforce" as const, pruneAfterMs: 30 * DAY, maxEntries: 500 };
const ctx = (over: Partial<PruneContext> = {}): PruneContext => ({ now: NOW, policy, agentsRoot: AGENTS_ROOT, ...over });
const OLD = NOW - 40 * DAY;
const STAMP = "2026-11-22T12-00-00.000Z";

const removedKeys = (items: PlanItem[], c = ctx()) =>
  planPrune(items, c)
    .patches.filter((p) => p.remove)
    .map((p) => p.sessionKey);

describe("planPrune: eviction by age", () => {
  it.each([
    ["done, old, quiet", { entry: { status: "done", updatedAt: OLD } }, true],
    ["failed, old, quiet", { entry: { status: "failed", updatedAt: OLD } }, true],
    ["timeout, old, unresponsive health", { entry: { status: "timeout", updatedAt: OLD }, hb: { health: "unresponsive" as const } }, true],
    ["done, recent", { entry: { status: "done", updatedAt: NOW - 29 * DAY } }, false],
    ["running, old", { entry: { status: "running", updatedAt: OLD }, hb: { health: "unresponsive" as const } }, false],
    ["done, old, but lock held", { entry: { status: "done", updatedAt: OLD }, lock: { owner: "alive" as const } }, false],
    ["done, old, but health active", { entry: { status: "done", updatedAt: OLD }, hb: { health: "active" as const } }, false],
    ["done, old, but health stalled", { entry: { status: "done", updatedAt: OLD }, hb: { health: "stalled" as const } }, false],
    ["done, old, but transcript written 2 days ago", { entry: { status: "done", updatedAt: OLD }, transcript: { lastEntryAt: NOW - 2 * DAY } }, false],
    ["no status, old, idle, no lock", { entry: { updatedAt: OLD } }, true],
    ["no status, old, dead lock (crashed embedded run)", { entry: { updatedAt: OLD }, lock: { owner: "dead" as const }, hb: { health: "unresponsive" as const } }, true],
    ["no status, old, health waiting", { entry: { updatedAt: OLD }, hb: { health: "waiting" as const } }, false],
    ["no status, old, lock held", { entry: { updatedAt: OLD }, lock: { owner: "alive" as const } }, false],
    ["no status, old, unreadable fresh lock", { entry: { updatedAt: OLD }, lock: { owner: "unknown" as const, mtimeMs: NOW - 10 * SEC } }, false],
    ["no status, old, trajectory event within pruneAfter", { entry: { updatedAt: OLD }, trajectory: { lastEventAt: NOW - 10 * DAY } }, false],
  ])("%s -> evicted: %s", (_name, spec, evicted) => {
    const it1 = item(spec);
    const plan = planPrune([it1], ctx());
    expect(plan.patches.some((p) => p.remove && p.sessionKey === it1.ev.sessionKey)).toBe(evicted);
    if (!evicted && spec.entry.updatedAt === OLD) {
      const keep = plan.actions.find((a) => a.sessionKey === it1.ev.sessionKey);
      expect(keep).toMatchObject({ action: "keep", rule: "age" });
      expect(keep!.reasons[0]).toMatch(/older than pruneAfter \(30d0h\), but /);
    }
  });

  it("the patch expects the on-disk sessionId and updatedAt and says why", () => {
    const it1 = item({ entry: { status: "done", updatedAt: OLD } });
    const [patch] = planPrune([it1], ctx()).patches;
    expect(patch).toMatchObject({ sessionKey: it1.ev.sessionKey, remove: true, action: "prune", expect: { sessionId: it1.ev.entry.sessionId, updatedAt: OLD } });
    expect(patch.reasons.join(" ")).toMatch(/^done; updatedAt 2026-10-13T12:00:00.000Z is older than pruneAfter/);
  });

  it("a running row finalized in this run ages from its real end", () => {
    const deadOld = item({ entry: { status: "running", startedAt: OLD - HOUR, updatedAt: OLD - HOUR }, transcript: { lastEntryAt: OLD }, lock: { owner: "dead" }, hb: { health: "unresponsive" } });
    const deadRecent = item({ entry: { status: "running", startedAt: NOW - 2 * DAY }, transcript: { lastEntryAt: NOW - 2 * DAY }, lock: { owner: "dead" }, hb: { health: "unresponsive" } });
    const fin = planFinalize([deadOld, deadRecent]);
    expect(fin.patches).toHaveLength(2);
    const plan = planPrune([deadOld, deadRecent], ctx({ finalized: fin.patches }));
    expect(plan.patches.map((p) => p.sessionKey)).toEqual([deadOld.ev.sessionKey]);
    expect(plan.patches[0].expect.updatedAt).toBe(OLD - HOUR);
    expect(plan.actions.find((a) => a.action === "prune")).toMatchObject({ fromStatus: "running", toStatus: "failed", updatedAt: OLD });
    // without the finalize results the same row is running and stays
    expect(removedKeys([deadOld, deadRecent])).toEqual([]);
  });

  it("a running row finalized in this run but bumped since its end (updatedAt within pruneAfter) is not pruned: the finalize never moves updatedAt back", () => {
    const bumped = item({ entry: { status: "running", startedAt: OLD - HOUR, updatedAt: NOW - DAY }, transcript: { lastEntryAt: OLD }, lock: { owner: "dead" }, hb: { health: "unresponsive" } });
    const fin = planFinalize([bumped]);
    expect(fin.patches[0].set).toMatchObject({ endedAt: OLD, updatedAt: NOW - DAY });
    expect(planPrune([bumped], ctx({ finalized: fin.patches })).patches).toEqual([]);
  });

  it("a finalize patch for another session with the same key (other agent) is not applied", () => {
    const row = item({ key: "cron:nightly", entry: { status: "running", updatedAt: OLD } });
    const foreign = { sessionKey: "cron:nightly", expect: { sessionId: "someone-else", updatedAt: OLD }, set: { status: "done", updatedAt: OLD }, action: "finalize" as const, reasons: [] };
    expect(removedKeys([row], ctx({ finalized: [foreign] }))).toEqual([]);
  });
});

describe("planPrune: protected keys", () => {
  it.each([
    ["agent:main:discord:group:123", {}],
    ["agent:main:slack:channel:C42", {}],
    ["agent:main:main:thread:1700000000.1", {}],
    ["agent:main:telegram:group:-100:topic:7", {}],
    ["agent:main:whatsapp:dm:+1555", { chatType: "group" }],
    ["agent:main:x", { chatType: "Thread" }],
  ])("%s %j is kept however old", (key, extra) => {
    const it1 = item({ key, entry: { status: "done", updatedAt: OLD, ...extra } });
    const plan = planPrune([it1], ctx());
    expect(plan.patches).toEqual([]);
    expect(plan.actions[0]).toMatchObject({ action: "keep", sessionKey: key });
    expect(plan.actions[0].reasons[0]).toMatch(/protected/);
  });

  it("--active-key values are kept", () => {
    const it1 = item({ key: "agent:main:telegram:dm:123", entry: { status: "done", updatedAt: OLD } });
    expect(removedKeys([it1], ctx({ activeKeys: ["agent:main:telegram:dm:123"] }))).toEqual([]);
    expect(removedKeys([it1])).toEqual(["agent:main:telegram:dm:123"]);
  });

  it.each(["agent:main:discord:group:123:subagent:abc", "agent:main:cron:nightly:run:u1", "agent:main:hook:u2", "agent:main:discord:group:1:heartbeat", "agent:main:main"])(
    "%s is not protected (synthetic or direct)",
    (key) => {
      expect(removedKeys([item({ key, entry: { status: "done", updatedAt: OLD } })])).toEqual([key]);
    },
  );
});

describe("planPrune: maxEntries cap", () => {
  const capped = (items: PlanItem[], maxEntries: number) => {
    const plan = planPrune(items, ctx({ policy: { ...policy, maxEntries } }));
    return { plan, keys: plan.patches.filter((p) => p.action === "cap").map((p) => p.sessionKey) };
  };

  it("removes the oldest terminal entries first, never a running or live one", () => {
    const runningOld = item({ entry: { status: "running", updatedAt: NOW - 20 * DAY }, lock: { owner: "alive" }, hb: { health: "active" } });
    const doneA = item({ entry: { status: "done", updatedAt: NOW - 10 * DAY } });
    const doneB = item({ entry: { status: "failed", updatedAt: NOW - 5 * DAY } });
    const doneC = item({ entry: { status: "done", updatedAt: NOW - DAY } });
    const liveDone = item({ entry: { status: "done", updatedAt: NOW - 15 * DAY }, lock: { owner: "alive" } });
    const { plan, keys } = capped([runningOld, doneA, doneB, doneC, liveDone], 3);
    expect(keys).toEqual([doneA.ev.sessionKey, doneB.ev.sessionKey]);
    expect(plan.stores).toEqual([{ agentId: "main", before: 5, pruned: 0, capped: 2, after: 3, overCap: 0 }]);
    expect(plan.warnings).toEqual([]);
  });

  it("takes idle status-less entries only after every terminal one", () => {
    const noStatusOld = item({ entry: { updatedAt: NOW - 20 * DAY } });
    const noStatusWaiting = item({ entry: { updatedAt: NOW - 25 * DAY }, hb: { health: "waiting" } });
    const doneNew = item({ entry: { status: "done", updatedAt: NOW - HOUR } });
    const { keys } = capped([noStatusOld, noStatusWaiting, doneNew], 1);
    expect(keys).toEqual([doneNew.ev.sessionKey, noStatusOld.ev.sessionKey]);
  });

  it("counts pruned entries out before capping", () => {
    const rows = [item({ entry: { status: "done", updatedAt: OLD } }), item({ entry: { status: "done", updatedAt: NOW - DAY } })];
    const { plan, keys } = capped(rows, 1);
    expect(keys).toEqual([]);
    expect(plan.patches.map((p) => p.action)).toEqual(["prune"]);
  });

  it("reports when live, running and protected entries alone exceed the cap", () => {
    const rows = [
      item({ entry: { status: "running", updatedAt: NOW - DAY } }),
      item({ entry: { status: "running", updatedAt: NOW - 2 * DAY } }),
      item({ key: "agent:main:discord:group:9", entry: { status: "done", updatedAt: NOW - 3 * DAY } }),
      item({ entry: { status: "done", updatedAt: NOW - 4 * DAY } }),
    ];
    const { plan, keys } = capped(rows, 2);
    expect(keys).toEqual([rows[3].ev.sessionKey]);
    expect(plan.stores[0]).toMatchObject({ after: 3, overCap: 1 });
    expect(plan.warnings[0]).toMatch(/agent main: 3 entries remain, 1 over maxEntries 2/);
  });

  it("caps each agent's store separately", () => {
    const rows = [
      item({ agentId: "main", entry: { status: "done", updatedAt: NOW - 3 * DAY } }),
      item({ agentId: "main", entry: { status: "done", updatedAt: NOW - 2 * DAY } }),
      item({ agentId: "work", entry: { status: "done", updatedAt: NOW - 9 * DAY } }),
    ];
    const { plan, keys } = capped(rows, 1);
    expect(keys).toEqual([rows[0].ev.sessionKey]);
    expect(plan.stores.map((s) => [s.agentId, s.after])).toEqual([["main", 1], ["work", 1]]);
  });
});

describe("planPrune: warn mode", () => {
  const rows = () => [
    item({ entry: { status: "done", updatedAt: OLD }, transcript: { lastEntryAt: OLD } }),
    item({ entry: { status: "done", updatedAt: NOW - DAY } }),
  ];
  it("reports only: no patches, no archives, the same actions", () => {
    const warn = planPrune(rows(), ctx({ policy: { ...policy, mode: "warn" } }));
    expect(warn.reportOnly).toBe(true);
    expect(warn.patches).toEqual([]);
    expect(warn.archives).toEqual([]);
    expect(warn.actions.map((a) => a.action)).toEqual(["prune"]);
    expect(warn.actions[0].archives).toHaveLength(1);
  });

  it("a resolved policy's apply flag decides", () => {
    expect(planPrune(rows(), ctx({ policy: { ...policy, mode: "warn", apply: false } as PruneContext["policy"] })).reportOnly).toBe(true);
    expect(planPrune(rows(), ctx({ policy: { ...policy, mode: "warn", apply: true } as PruneContext["policy"] })).patches).toHaveLength(1);
  });

  it("--enforce applies in warn mode", () => {
    const plan = planPrune(rows(), ctx({ policy: { ...policy, mode: "warn" }, enforce: true }));
    expect(plan.reportOnly).toBe(false);
    expect(plan.patches).toHaveLength(1);
    expect(plan.archives).toHaveLength(1);
  });
});

describe("planPrune: archives", () => {
  it("names transcript and trajectory archives exactly as OpenClaw does", () => {
    const it1 = item({ entry: { sessionId: "abc", status: "done", updatedAt: OLD }, transcript: { lastEntryAt: OLD }, trajectory: { lastEventAt: OLD } });
    const plan = planPrune([it1], ctx());
    const dir = `${AGENTS_ROOT}/main/sessions`;
    expect(plan.archives).toEqual([
      { action: "archive", agentId: "main", sessionKey: it1.ev.sessionKey, from: `${dir}/abc.jsonl`, to: `${dir}/abc.jsonl.deleted.${STAMP}` },
      { action: "archive", agentId: "main", sessionKey: it1.ev.sessionKey, from: `${dir}/abc.trajectory.jsonl`, to: `${dir}/abc.trajectory.jsonl.deleted.${STAMP}` },
    ]);
    expect(plan.refused).toEqual([]);
  });

  it("only archives files the evidence says exist", () => {
    const it1 = item({ entry: { status: "done", updatedAt: OLD } });
    expect(planPrune([it1], ctx()).archives).toEqual([]);
  });

  it.each([
    ["/etc/passwd", /outside the agents tree/],
    [`${AGENTS_ROOT}/../secrets.jsonl`, /outside the agents tree/],
    ["relative/x.jsonl", /not an absolute path/],
  ])("refuses %s", (p, why) => {
    const it1 = item({ entry: { status: "done", updatedAt: OLD }, transcript: { lastEntryAt: OLD } });
    it1.ev.transcript!.path = p;
    const plan = planPrune([it1], ctx());
    expect(plan.patches).toHaveLength(1);
    expect(plan.archives).toEqual([]);
    expect(plan.refused).toHaveLength(1);
    expect(plan.refused[0].why).toMatch(why);
  });

  it("never archives a file a kept entry still uses", () => {
    const gone = item({ entry: { sessionId: "shared", status: "done", updatedAt: OLD }, transcript: { lastEntryAt: OLD } });
    const stays = item({ entry: { sessionId: "shared", status: "done", updatedAt: NOW - DAY }, transcript: { lastEntryAt: NOW - DAY } });
    const plan = planPrune([gone, stays], ctx());
    expect(plan.patches.map((p) => p.sessionKey)).toEqual([gone.ev.sessionKey]);
    expect(plan.archives).toEqual([]);
    expect(plan.refused[0].why).toMatch(new RegExp(`still used by ${stays.ev.sessionKey}`));
  });

  it("never archives a file another index names (the store layer says why); the entry still goes", () => {
    const dir = `${AGENTS_ROOT}/main/sessions`;
    const named = item({ entry: { sessionId: "abc", status: "done", updatedAt: OLD }, transcript: { lastEntryAt: OLD } });
    const whys = new Map([[`${dir}/abc.jsonl`, `still named by agent:main:abc in ${dir}/sessions.json`]]);
    const plan = planPrune([named], ctx({ namedElsewhere: { whoNames: (f) => whys.get(f) } }));
    expect(plan.patches.map((p) => p.sessionKey)).toEqual([named.ev.sessionKey]);
    expect(plan.archives).toEqual([]);
    expect(plan.refused.map((r) => r.why)).toEqual([`still named by agent:main:abc in ${dir}/sessions.json`]);
  });

  it("a file the prune may not archive anyway (outside the agents tree) is refused for that, without asking the other indexes", () => {
    const outside = item({ entry: { sessionId: "out", status: "done", updatedAt: OLD }, transcript: { lastEntryAt: OLD, path: "/elsewhere/out.jsonl" } });
    const asked: string[] = [];
    const plan = planPrune([outside], ctx({ namedElsewhere: { whoNames: (f) => (asked.push(f), "still named by another index") } }));
    expect(plan.refused.map((r) => r.why)).toEqual([expect.stringMatching(/outside the agents tree/)]);
    expect(asked).toEqual([]);
  });
});

describe("openclawPrunePlan (OpenClaw's own cleanup) vs planPrune", () => {
  const asIndex = (items: PlanItem[]): Record<string, IndexEntry> => Object.fromEntries(items.map((i) => [i.ev.sessionKey, i.ev.entry]));

  it("differ on a running-but-old entry: OpenClaw prunes it by updatedAt, we keep it", () => {
    const running = item({ entry: { status: "running", updatedAt: OLD }, lock: { owner: "alive" }, hb: { health: "active" } });
    expect(openclawPrunePlan(asIndex([running]), policy, NOW).pruned).toEqual([running.ev.sessionKey]);
    expect(removedKeys([running])).toEqual([]);
  });

  it("differ on a done-but-recent entry under the cap: OpenClaw drops the oldest (live) row, we drop the finished one", () => {
    const liveOlder = item({ entry: { status: "running", updatedAt: NOW - 3 * DAY }, lock: { owner: "alive" }, hb: { health: "active" } });
    const doneRecent = item({ entry: { status: "done", updatedAt: NOW - HOUR } });
    const theirs = openclawPrunePlan(asIndex([liveOlder, doneRecent]), { ...policy, maxEntries: 1 }, NOW);
    expect(theirs.capped).toEqual([liveOlder.ev.sessionKey]);
    const ours = planPrune([liveOlder, doneRecent], ctx({ policy: { ...policy, maxEntries: 1 } }));
    expect(ours.patches.map((p) => p.sessionKey)).toEqual([doneRecent.ev.sessionKey]);
  });

  it("agree on an old finished entry and on protected keys", () => {
    const doneOld = item({ entry: { status: "done", updatedAt: OLD } });
    const group = item({ key: "agent:main:discord:group:5", entry: { status: "done", updatedAt: OLD } });
    const theirs = openclawPrunePlan(asIndex([doneOld, group]), policy, NOW);
    expect(theirs).toEqual({ pruned: [doneOld.ev.sessionKey], capped: [], kept: [group.ev.sessionKey] });
    expect(removedKeys([doneOld, group])).toEqual([doneOld.ev.sessionKey]);
  });
});
