import { describe, expect, it } from "vitest";
import { liveness, recovering, RECOVERY_WINDOW_MS } from "../../../src/core/health/liveness.js";
import { ownerVerdict } from "../../../src/core/health/owner.js";
import { runInProgress } from "../../../src/core/health/runInProgress.js";
import type { Evidence, TaskRunInfo } from "../../../src/core/types.js";
import { NOW, TH, ago, entry, evidence, gateway, lock } from "./evidence.js";

const judge = (ev: Evidence, lastActivity: number | undefined) => {
  const owner = ownerVerdict(ev.lock, NOW);
  const claim = runInProgress(ev.entry, owner, NOW) ?? { by: "index" as const, reason: "test" };
  return liveness(ev, owner, claim, lastActivity, NOW, TH);
};
const running = entry({ status: "running", startedAt: ago(600) });
const marked = (s: number) => entry({ status: "running", startedAt: ago(600), abortedLastRun: true, updatedAt: ago(s) });

describe("liveness", () => {
  it.each([
    ["a live lock owner", evidence({ entry: running, lock: lock("alive", ago(600)) }), ago(600), "owner", undefined],
    ["a dead lock owner", evidence({ entry: running, lock: lock("dead", ago(600)), gateway: gateway(true, ago(9000)) }), ago(600), "none", "lock owner pid 4242 is dead"],
    ["no lock, no gateway", evidence({ entry: running }), ago(600), "none", "no lock and no live gateway"],
    ["no lock, gateway dead", evidence({ entry: running, gateway: gateway(false, ago(9000)) }), ago(600), "none", "no lock and no live gateway"],
    ["no lock, gateway restarted after the last activity", evidence({ entry: running, gateway: gateway(true, ago(60)) }), ago(300), "none", "no lock, and the gateway restarted since"],
    ["no lock, gateway up since before the last activity", evidence({ entry: running, gateway: gateway(true, ago(9000)) }), ago(300), "gateway", undefined],
    ["no lock, gateway start unknown", evidence({ entry: running, gateway: { alive: true, probe: "ok" } }), ago(300), "gateway", undefined],
    ["no lock, live gateway, silent for staleAfter: a run holds its lock throughout", evidence({ entry: running, gateway: gateway(true, ago(9000)) }), ago(600), "none", "no lock held by any run"],
    ["recovery under way", evidence({ entry: marked(3), gateway: gateway(true, ago(8)) }), ago(300), "recovering", undefined],
    ["recovery under way beats a dead lock", evidence({ entry: marked(3), lock: lock("dead", ago(600)), gateway: gateway(true, ago(8)) }), ago(300), "recovering", undefined],
    ["recovery that stalled", evidence({ entry: marked(300), gateway: gateway(true, ago(305)) }), ago(600), "none", "gateway recovery did not finish"],
  ] as const)("%s -> %s", (_name, ev, lastActivity, kind, lost) => {
    const live = judge(ev, lastActivity);
    expect(live.kind).toBe(kind);
    expect(live.lost).toBe(lost);
    expect(live.reason.length).toBeGreaterThan(0);
  });
});

describe("recovering", () => {
  it.each([
    ["marked after the live gateway started", evidence({ entry: marked(2), gateway: gateway(true, ago(7)) }), true],
    ["window passed", evidence({ entry: marked(RECOVERY_WINDOW_MS / 1000 + 1), gateway: gateway(true, ago(500)) }), false],
  ] as const)("%s", (_name, ev, within) => {
    expect(recovering(ev, NOW)?.within).toBe(within);
  });

  it.each([
    ["abortedLastRun not set", evidence({ entry: entry({ status: "running", updatedAt: ago(2) }), gateway: gateway(true, ago(7)) })],
    ["marked before this gateway started (an older gateway's mark)", evidence({ entry: marked(20), gateway: gateway(true, ago(7)) })],
    ["no live gateway", evidence({ entry: marked(2), gateway: gateway(false, ago(7)) })],
    ["not running (chat.abort leaves killed + abortedLastRun)", evidence({ entry: entry({ status: "killed", abortedLastRun: true, updatedAt: ago(2) }), gateway: gateway(true, ago(7)) })],
  ] as const)("not when %s", (_name, ev) => {
    expect(recovering(ev, NOW)).toBeUndefined();
  });
});

describe("liveness: who can end a dead run (repairBy)", () => {
  it.each([
    ["a running row (eras A/B): cleanup writes what OpenClaw's recovery would", evidence({ entry: running, lock: lock("dead", ago(600)) }), "cleanup"],
    ["an embedded run (no status, dead lock): nothing has a status to write", evidence({ entry: entry({ startedAt: undefined }), lock: lock("dead", ago(600)) }), "nothing"],
    ["a later dead lock after a terminal status: nothing", evidence({ entry: entry({ status: "done", endedAt: ago(3000) }), lock: lock("dead", ago(600)) }), "nothing"],
  ] as const)("%s", (_name, ev, repairBy) => {
    const live = judge(ev, ago(600));
    expect(live.kind).toBe("none");
    expect(live.repairBy).toBe(repairBy);
  });
});

describe("liveness: era C (no transcript lock; singleton-lock owner + task_runs, ownerEraC)", () => {
  const task = (fields: Partial<TaskRunInfo>): TaskRunInfo => ({ runId: "run-cccc-0001", status: "running", owner: "alive", ownerPid: 777, ...fields });
  const eraC = (fields: Partial<Evidence>) => evidence({ era: "C", entry: running, tasksKnown: true, ...fields });
  it.each([
    ["gateway alive, its running task names the run", eraC({ gateway: gateway(true, ago(900)), task: task({}) }), "owner", undefined, /task run-cccc is running, owned by live pid 777/],
    ["gateway started 30 s ago, no task: OpenClaw's restart recovery pending", eraC({ gateway: gateway(true, ago(30)) }), "recovering", undefined, /restart recovery is pending/],
    ["gateway started 30 s ago, task succeeded: recovery pending", eraC({ gateway: gateway(true, ago(30)), task: task({ status: "succeeded" }) }), "recovering", undefined, /succeeded/],
    ["gateway started 30 s ago, the running task's owner is dead", eraC({ gateway: gateway(true, ago(30)), task: task({ owner: "dead", ownerPid: 555 }) }), "recovering", undefined, /owner pid 555 is dead/],
    ["gateway up 5 min, a run from before it, no task: its recovery is over, the next gateway start resumes it", eraC({ gateway: gateway(true, ago(300)) }), "none", "openclaw", /did not take this run up: nothing moves it until the next gateway start/],
    ["gateway up 15 min, this run's task succeeded, row still running: the next gateway start resumes it", eraC({ entry: entry({ status: "running", startedAt: ago(600), lifecycleRunId: "run-cccc-0001" }), gateway: gateway(true, ago(900)), task: task({ status: "succeeded" }) }), "none", "openclaw", /succeeded, and its restart recovery/],
    ["gateway up 15 min, a run it started that no task tracks: the lock decides", eraC({ gateway: gateway(true, ago(900)) }), "gateway", undefined, /no task tracks this run/],
    ["gateway alive, task registry unreadable (a copied store): the lock decides", eraC({ gateway: gateway(true, ago(900)), tasksKnown: false }), "gateway", undefined, /task registry is not readable/],
    ["gateway dead: OpenClaw resumes it on the next gateway start", eraC({ gateway: gateway(false, ago(900), { lockPath: "/tmp/openclaw-0/gateway.x.lock" }), task: task({ owner: "dead" }) }), "none", "openclaw", /restart recovery resumes it on the next gateway start/],
    ["no singleton lock at all: a gateway start is still the repair", eraC({}), "none", "openclaw", /next gateway start/],
    ["an embedded process owns the state dir, but the row is a gateway run", eraC({ gateway: gateway(true, ago(900), { role: "agent-embedded" }) }), "none", "openclaw", /no gateway is running it/],
    ["an embedded row (no status), its owner dead: nothing resumes it", eraC({ entry: entry({ startedAt: ago(600) }), gateway: gateway(false, ago(900), { role: "agent-embedded" }) }), "none", "nothing", /nothing resumes an embedded run/],
  ] as const)("%s -> %s", (_name, ev, kind, repairBy, why) => {
    const live = judge(ev, ago(600));
    expect(live.kind).toBe(kind);
    expect(live.repairBy).toBe(repairBy);
    expect(live.reason).toMatch(why);
  });
});
