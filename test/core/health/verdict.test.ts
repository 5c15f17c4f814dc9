// The verdict every command reads: outcome (and why), the whole-run timeout, `lost`, and the
// era C owner rules, on constructed Evidence.
import { describe, expect, it } from "vitest";
import { judgeSession } from "../../../src/core/health/deriveHeartbeat.js";
import type { Evidence, TaskRunInfo, Thresholds } from "../../../src/core/types.js";
import { NOW, TH, ago, entry, evidence, gateway, lock, run, trajectory, transcript } from "./evidence.js";

const judge = (ev: Evidence, th: Thresholds = TH) => judgeSession(ev, NOW, th);
const HOUR_S = 3600;

describe("outcome: how the last run ended, in the status OpenClaw writes for it", () => {
  const ended = (status: string, extra: Record<string, unknown> = {}) =>
    trajectory(run({ firstEventAt: ago(2 * HOUR_S), lastEventAt: ago(HOUR_S), ended: { status, at: ago(HOUR_S), ...extra } }));
  it.each([
    ["the index's terminal status", evidence({ entry: entry({ status: "timeout", endedAt: ago(HOUR_S) }) }), "timeout", /index says timeout/],
    ["an embedded run (no status) that ended success", evidence({ entry: entry(), trajectory: ended("success") }), "done", /session.ended\(success\)/],
    ["2026.7.1 abort: error + externalAbort", evidence({ entry: entry(), trajectory: ended("error", { externalAbort: true, aborted: true }) }), "killed", /externalAbort/],
    ["2026.7.1 timeout: error + timedOut", evidence({ entry: entry(), trajectory: ended("error", { timedOut: true }) }), "timeout", /timedOut/],
    ["2026.7.1 http500: error, fallback failure reason timeout", evidence({ entry: entry(), trajectory: ended("error", { failoverReason: "timeout" }) }), "timeout", /failure reason timeout/],
    ["2026.7.1 malformed stream: plain error", evidence({ entry: entry(), trajectory: ended("error") }), "failed", /session.ended\(error\)/],
    ["2026.4.26 / 2026.9 abort: interrupted", evidence({ entry: entry(), trajectory: ended("interrupted") }), "killed", /interrupted/],
    ["a running row whose run ended: what cleanup writes", evidence({ entry: entry({ status: "running", startedAt: ago(2 * HOUR_S) }), trajectory: ended("error", { timedOut: true }) }), "timeout", /cleanup --finalize-stale writes timeout/],
    ["a dead owner, silent past staleAfter: OpenClaw's recovery outcome", evidence({ entry: entry({ status: "running", startedAt: ago(HOUR_S) }), lock: lock("dead", ago(HOUR_S)) }), "failed", /cleanup --finalize-stale writes failed/],
  ] as const)("%s -> %s", (_name, ev, outcome, why) => {
    const { hb } = judge(ev);
    expect(hb.outcome).toBe(outcome);
    expect(hb.outcomeReason).toMatch(why);
  });

  it.each([
    ["a live run", evidence({ entry: entry({ status: "running", startedAt: ago(60) }), lock: lock("alive", ago(60)), transcript: transcript({ lastRole: "user", lastMessageAt: ago(60) }) })],
    ["a dead owner not yet silent for staleAfter", evidence({ entry: entry({ status: "running", startedAt: ago(120) }), lock: lock("dead", ago(120)) })],
    ["nothing known", evidence({ entry: entry() })],
  ])("none while %s", (_name, ev) => {
    expect(judge(ev).hb.outcome).toBeUndefined();
  });
});

describe("lost: a dead run nothing can repair is shown, not critical", () => {
  const embedded = (lockAgo: number) =>
    evidence({ entry: entry(), lock: lock("dead", ago(lockAgo)), transcript: transcript({ lastRole: "user", lastMessageAt: ago(lockAgo), lastEntryAt: ago(lockAgo) }) });
  it("an embedded run dead for under staleAfter is unresponsive (a live problem)", () => {
    const { hb } = judge(embedded(120));
    expect(hb.health).toBe("unresponsive");
    expect(hb.outcome).toBeUndefined();
  });
  it("silent past staleAfter: idle, outcome lost, with why", () => {
    const { hb, facts } = judge(embedded(HOUR_S));
    expect(hb.health).toBe("idle");
    expect(hb.outcome).toBe("lost");
    expect(hb.outcomeReason).toMatch(/lock owner pid 4242 is dead; nothing can write its status/);
    expect(facts.repair).toBeUndefined();
  });
  it("follows --stale-after", () => {
    expect(judge(embedded(HOUR_S), { ...TH, staleAfterMs: 2 * HOUR_S * 1000 }).hb.health).toBe("unresponsive");
  });
  it("a running row with a dead owner is never lost: cleanup can repair it", () => {
    const { hb } = judge(evidence({ entry: entry({ status: "running", startedAt: ago(HOUR_S) }), lock: lock("dead", ago(HOUR_S)) }));
    expect(hb.health).toBe("unresponsive");
    expect(hb.outcome).toBe("failed");
  });
});

describe("the whole-run timeout: OpenClaw would have ended the run", () => {
  const longRun = (startedAgo: number) =>
    evidence({
      entry: entry({ status: "running", startedAt: ago(startedAgo) }),
      lock: lock("alive", ago(startedAgo)),
      transcript: transcript({ lastRole: "user", lastMessageAt: ago(30), lastEntryAt: ago(30) }),
    });
  it("a live owner running for 12 days is unresponsive, not stalled, with the reason", () => {
    const { hb, facts } = judge(longRun(12 * 24 * HOUR_S));
    expect(hb.health).toBe("unresponsive");
    expect(facts.pastRunTimeout).toBe(true);
    expect(hb.reasons.join(" ")).toMatch(/past the whole-run timeout of 2d0h .*OpenClaw would have ended it/);
  });
  it("under the timeout the same run is live (waiting on the model)", () => {
    expect(judge(longRun(HOUR_S)).hb.health).toBe("waiting");
  });
  it("uses the configured timeout (agents.defaults.timeoutSeconds)", () => {
    expect(judge(longRun(HOUR_S), { ...TH, runTimeoutMs: 1800_000 }).hb.health).toBe("unresponsive");
    expect(judge(longRun(12 * 24 * HOUR_S), { ...TH, runTimeoutMs: Number.POSITIVE_INFINITY }).hb.health).toBe("waiting");
  });
});

describe("era C: OpenClaw's recovery is the repair, and nothing is ever written", () => {
  const task = (fields: Partial<TaskRunInfo> = {}): TaskRunInfo => ({ runId: "run-cccc-0001", status: "running", owner: "alive", ownerPid: 777, ...fields });
  const row = (gw: ReturnType<typeof gateway> | undefined, t?: TaskRunInfo) =>
    evidence({
      era: "C",
      tasksKnown: true,
      entry: entry({ status: "running", startedAt: ago(HOUR_S) }),
      transcript: transcript({ lastRole: "user", lastMessageAt: ago(HOUR_S), lastEntryAt: ago(HOUR_S) }),
      ...(gw ? { gateway: gw } : {}),
      ...(t ? { task: t } : {}),
    });
  it.each([
    ["owner alive, its running task names the run", row(gateway(true, ago(2 * HOUR_S)), task()), "stalled", "keep", "live"],
    ["owner started 30 s ago, no running task: restart recovery pending", row(gateway(true, ago(30))), "waiting", "keep", "recovery"],
    ["owner up 30 min, a run from before it with no task: its recovery is over, critical until the next gateway start", row(gateway(true, ago(1800))), "unresponsive", "report", "openclaw-recovery"],
    ["owner up 2 h, a run of its own no task tracks (webchat): the live gateway's, stalled after an hour's silence", row(gateway(true, ago(2 * HOUR_S))), "stalled", "keep", "live"],
    ["owner dead: critical until a gateway starts", row(gateway(false, ago(2 * HOUR_S)), task({ owner: "dead" })), "unresponsive", "report", "openclaw-recovery"],
    ["the embedded owner of the state dir is dead: a gateway row stays critical", row(gateway(false, ago(2 * HOUR_S), { role: "agent-embedded" })), "unresponsive", "report", "openclaw-recovery"],
  ] as const)("%s -> %s", (_name, ev, health, repairKind, rule) => {
    const { hb, facts } = judge(ev);
    expect(hb.health).toBe(health);
    expect(facts.repair?.kind).toBe(repairKind);
    if (rule) expect(facts.repair?.rule).toBe(rule);
    expect(facts.repair?.kind).not.toBe("finalize");
  });
  it("a dead gateway run says what will end it, and has no outcome yet", () => {
    const { hb } = judge(row(gateway(false, ago(2 * HOUR_S)), task({ owner: "dead" })));
    expect(hb.reasons.join(" ")).toMatch(/OpenClaw's restart recovery resumes it on the next gateway start/);
    expect(hb.outcome).toBeUndefined();
  });
  it("a gateway row is never lost: the next gateway start resumes it", () => {
    const { hb } = judge(row(gateway(false, ago(30 * 24 * HOUR_S)), task({ owner: "dead" })));
    expect(hb.health).toBe("unresponsive");
    expect(hb.outcome).toBeUndefined();
  });
});

describe("the commands agree on the cases that once split them (issue 11)", () => {
  it("a running row whose unreadable lock is 15 min old: unresponsive in status, finalized by cleanup", () => {
    const ev = evidence({
      entry: entry({ status: "running", startedAt: ago(900) }),
      lock: lock("unknown", undefined, { pid: undefined, mtimeMs: ago(900) }),
      transcript: transcript({ lastRole: "user", lastMessageAt: ago(900), lastEntryAt: ago(900) }),
    });
    const { hb, facts } = judge(ev);
    expect(hb.health).toBe("unresponsive");
    expect(facts.repair).toMatchObject({ kind: "finalize", rule: "dead-owner", status: "failed" });
    expect(hb.outcome).toBe("failed");
  });

  it("a live owner stalled for 12 days: unresponsive (past the timeout), and cleanup's timeout is the outcome shown", () => {
    const ev = evidence({
      entry: entry({ status: "running", startedAt: ago(12 * 24 * HOUR_S) }),
      lock: lock("alive", ago(12 * 24 * HOUR_S)),
      transcript: transcript({ lastRole: "user", lastMessageAt: ago(12 * 24 * HOUR_S), lastEntryAt: ago(12 * 24 * HOUR_S) }),
    });
    const { hb, facts } = judge(ev);
    expect(hb.health).toBe("unresponsive");
    expect(facts.repair).toMatchObject({ kind: "finalize", rule: "run-timeout", status: "timeout" });
    expect(hb.outcome).toBe("timeout");
  });
});

describe("era C embedded runs (status NULL, no task_runs row): claimed through their singleton lock", () => {
  const emb = (alive: boolean, lastAgo: number) =>
    evidence({
      era: "C",
      tasksKnown: true,
      entry: entry({ updatedAt: ago(600), startedAt: ago(600), lifecycleRunId: "run-emb-1" }),
      transcript: transcript({ lastRole: "user", lastMessageAt: ago(lastAgo), lastEntryAt: ago(lastAgo) }),
      gateway: gateway(alive, ago(610), { role: "agent-embedded", lockPath: "/state/gateway.lock" }),
    });
  it("a live embedded process waiting on the model reads waiting, not idle", () => {
    const { hb, facts } = judge(emb(true, 30));
    expect(facts.claim?.by).toBe("embedded");
    expect(hb.health).toBe("waiting");
  });
  it("its process dead, silent under staleAfter: unresponsive (nothing resumes an embedded run)", () => {
    const { hb } = judge(emb(false, 30));
    expect(hb.health).toBe("unresponsive");
    expect(hb.reasons.join(" ")).toMatch(/nothing resumes an embedded run/);
  });
  it("its process dead, silent past staleAfter: lost", () => {
    const { hb, facts } = judge(emb(false, 3600));
    expect(facts.lost).toBe(true);
    expect(hb.reasons.join(" ")).toMatch(/lost: nothing can repair it/);
  });
});
