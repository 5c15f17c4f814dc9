import { describe, expect, it } from "vitest";
import { ownerVerdict } from "../../../src/core/health/owner.js";
import { runInProgress } from "../../../src/core/health/runInProgress.js";
import type { GatewayInfo, IndexEntry, LockInfo } from "../../../src/core/types.js";
import { NOW, ago, entry, gateway, lock } from "./evidence.js";

const claim = (e: IndexEntry, l?: LockInfo) => runInProgress(e, ownerVerdict(l, NOW), NOW);

describe("runInProgress", () => {
  it.each([
    ["running in the index, no lock", entry({ status: "running", startedAt: ago(9) }), undefined, "index", ago(9)],
    ["running in the index, lock too: the index's start anchors", entry({ status: "running", startedAt: ago(9) }), lock("alive", ago(8)), "index", ago(9)],
    ["no status, live lock (embedded run)", entry(), lock("alive", ago(4)), "lock", ago(4)],
    ["no status, dead lock (killed embedded run)", entry(), lock("dead", ago(40)), "lock", ago(40)],
    ["done, lock taken after the recorded end", entry({ status: "done", endedAt: ago(60) }), lock("alive", ago(4)), "lock", ago(4)],
  ] as const)("%s -> claimed by %s", (_name, e, l, by, anchor) => {
    expect(claim(e, l)).toMatchObject({ by, anchor });
  });

  it.each([
    ["done, no lock", entry({ status: "done", endedAt: ago(60) }), undefined],
    ["no status, no lock", entry(), undefined],
    ["done, lock taken before the recorded end", entry({ status: "done", startedAt: ago(10), endedAt: ago(1) }), lock("alive", ago(10))],
    ["failed, dead lock left before the end", entry({ status: "failed", endedAt: ago(5) }), lock("dead", ago(50))],
  ] as const)("%s -> no claim", (_name, e, l) => {
    expect(claim(e, l)).toBeUndefined();
  });

  it("keeps the index's startedAt apart for transcript matching (only running rows have one)", () => {
    expect(claim(entry({ status: "running", startedAt: ago(3) }))?.indexStartedAt).toBe(ago(3));
    expect(claim(entry(), lock("alive", ago(3)))?.indexStartedAt).toBeUndefined();
  });

  it("says what claims the run", () => {
    expect(claim(entry({ status: "running", startedAt: ago(3) }))?.reason).toBe("index says running, run started 3s ago");
    expect(claim(entry({ status: "running" }))?.reason).toBe("index says running (no startedAt)");
    expect(claim(entry(), lock("alive", ago(3)))?.reason).toBe("no status in index (embedded run); a transcript lock was taken 3s ago");
  });
});

describe("runInProgress, era C embedded runs (no status, no task_runs row, no transcript lock)", () => {
  const embedded = (alive: boolean, fields: Partial<GatewayInfo> = {}) => gateway(alive, ago(300), { role: "agent-embedded", lockPath: "/state/gateway.lock", ...fields });
  const touched = entry({ updatedAt: ago(290) });
  const withRun = entry({ updatedAt: ago(290), startedAt: ago(290), lifecycleRunId: "run-emb-1" });
  const eraC = (e: IndexEntry, gw?: GatewayInfo) => runInProgress(e, ownerVerdict(undefined, NOW), NOW, { gateway: gw });

  it.each([
    ["live embedded owner, row touched since it started", touched, embedded(true), ago(300), /embedded run pid 777 \(started 5m00s ago\) holds the singleton lock/],
    ["live embedded owner, lifecycleRunId and startedAt", withRun, embedded(true), ago(290), /run run-emb-1 started/],
    ["dead embedded owner left its lock, lifecycleRunId set", withRun, embedded(false), ago(290), /left its singleton lock behind/],
  ] as const)("%s -> claimed", (_name, e, gw, anchor, why) => {
    const c = eraC(e, gw);
    expect(c).toMatchObject({ by: "embedded", anchor });
    expect(c?.reason).toMatch(why);
  });

  it.each([
    ["live embedded owner, row last touched before it started (an earlier session)", entry({ updatedAt: ago(400) }), embedded(true)],
    ["dead embedded owner, no lifecycleRunId", touched, embedded(false)],
    ["dead embedded owner whose lock is gone (clean exit)", withRun, embedded(false, { lockPath: undefined })],
    ["a gateway owns the state dir", withRun, gateway(true, ago(300))],
    ["no owner at all", withRun, undefined],
    ["a row with a status", entry({ status: "done", updatedAt: ago(290) }), embedded(true)],
  ] as const)("%s -> no claim", (_name, e, gw) => {
    expect(eraC(e, gw)).toBeUndefined();
  });
});
