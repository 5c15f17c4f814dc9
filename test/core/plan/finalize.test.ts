import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { planItem, type PlanItem } from "../../../src/core/plan/actions.js";
import { planFinalize } from "../../../src/core/plan/finalize.js";
import type { Evidence, Heartbeat } from "../../../src/core/types.js";
import { outcomeRow, repairFields } from "../../../src/core/health/outcome.js";
import { readTrajectoryTailSync } from "../../../src/store/trajectory.js";
import { DAY, HOUR, item, MIN, NOW, SEC, TH } from "./fixtures.js";
import { REAL_OPENCLAW } from "../../fixtures/real-openclaw.js";

interface Ctx {
  now: number;
  staleAfterMs?: number;
  runTimeoutMs?: number;
}
const ctx: Ctx = { now: NOW };

/** Judged again at c.now with c's --stale-after and timeout: the verdict the plan reads. */
function rejudge(it: PlanItem, c: Ctx): PlanItem {
  return planItem(it.ev, c.now, { ...TH, staleAfterMs: c.staleAfterMs, runTimeoutMs: c.runTimeoutMs });
}

function only(it: PlanItem, c: Ctx = ctx) {
  const plan = planFinalize([rejudge(it, c)]);
  expect(plan.actions).toHaveLength(1);
  return { plan, action: plan.actions[0], patch: plan.patches[0] };
}

describe("planFinalize: run ended in the trajectory", () => {
  const startedAt = NOW - 2 * HOUR;
  const endedAt = NOW - 2 * HOUR + 30 * SEC;
  it.each([
    ["success", "done", "completed", false],
    ["error", "failed", "failed", false],
    ["interrupted", "killed", "aborted", true],
    ["cleanup", "failed", "failed", false],
  ] as const)("session.ended(%s) -> %s (%s)", (endStatus, status, lifecycle, aborted) => {
    const { action, patch } = only(
      item({
        entry: { status: "running", startedAt, updatedAt: startedAt + 10 },
        transcript: { lastEntryAt: endedAt - SEC },
        trajectory: { lastEventAt: endedAt, run: { runId: "r1", lastEventAt: endedAt, ended: { status: endStatus, at: endedAt } } },
        // the gateway that ran it is still up (past the grace it has persisted an error itself)
        gateway: { alive: true, startedAt: startedAt - HOUR },
      }),
    );
    expect(action).toMatchObject({ action: "finalize", toStatus: status, lifecycle, endedAt, rule: "run-ended", fromStatus: "running" });
    expect(patch.set).toEqual({ status, endedAt, runtimeMs: 30 * SEC, updatedAt: endedAt, abortedLastRun: aborted });
    expect(patch.expect).toEqual({ sessionId: action.sessionId, updatedAt: startedAt + 10 });
    expect(patch.action).toBe("finalize");
    expect(patch.reasons.join(" ")).toMatch(new RegExp(`session\\.ended\\(${endStatus}\\)`));
  });

  it("an ended run OLDER than the row's startedAt does not finalize it (2026.7.1 writes a run's trajectory at its end)", () => {
    const oldEnd = NOW - 3 * HOUR;
    const live = item({
      entry: { status: "running", startedAt: NOW - 2 * MIN },
      transcript: { lastEntryAt: NOW - 2 * MIN, lastRole: "user" },
      trajectory: { lastEventAt: oldEnd, run: { ended: { status: "success", at: oldEnd } } },
      lock: { owner: "alive", createdAt: NOW - 2 * MIN },
      hb: { health: "waiting", state: "awaiting_model" },
    });
    expect(only(live).action).toMatchObject({ action: "keep", rule: "live" });

    const dead = item({
      entry: { status: "running", startedAt: NOW - 2 * HOUR },
      transcript: { lastEntryAt: NOW - 2 * HOUR + 5 * SEC },
      trajectory: { lastEventAt: oldEnd, run: { ended: { status: "success", at: oldEnd } } },
      lock: { owner: "dead" },
      hb: { health: "unresponsive" },
    });
    const { action } = only(dead);
    expect(action).toMatchObject({ action: "finalize", toStatus: "failed", rule: "dead-owner", endedAt: NOW - 2 * HOUR + 5 * SEC });
    // the row's updatedAt (NOW - HOUR, the fixture's) is later than the last activity: kept
    expect(only(dead).patch.set).toEqual({ status: "failed", endedAt: NOW - 2 * HOUR + 5 * SEC, updatedAt: NOW - HOUR, abortedLastRun: true });
  });

  it("an end followed by a newer prompt is a retry in progress, not an end", () => {
    const end = NOW - 30 * MIN;
    const { action } = only(
      item({
        entry: { status: "running", startedAt: NOW - 40 * MIN },
        trajectory: { lastEventAt: end + 5 * SEC, run: { ended: { status: "error", at: end }, promptSubmittedAt: end + 5 * SEC } },
        lock: { owner: "alive" },
      }),
    );
    expect(action.rule).not.toBe("run-ended");
    expect(action.action).toBe("keep");
  });

  it("without startedAt, transcript lines written after the end mean a later run", () => {
    const end = NOW - 3 * HOUR;
    const later = item({
      entry: { status: "running" },
      transcript: { lastEntryAt: end + 10 * MIN },
      trajectory: { lastEventAt: end, run: { ended: { status: "success", at: end } } },
      lock: { owner: "dead" },
    });
    expect(only(later).action).toMatchObject({ toStatus: "failed", rule: "dead-owner", endedAt: end + 10 * MIN });
    const same = item({
      entry: { status: "running" },
      transcript: { lastEntryAt: end - SEC },
      trajectory: { lastEventAt: end, run: { ended: { status: "success", at: end } } },
    });
    const { action, patch } = only(same);
    expect(action).toMatchObject({ toStatus: "done", rule: "run-ended" });
    expect(patch.set).not.toHaveProperty("runtimeMs");
  });

  it("a live gateway that may still persist the end is given staleAfter (it saves errors after a 15 s grace)", () => {
    const end = NOW - 20 * SEC;
    const spec = {
      entry: { status: "running", startedAt: NOW - MIN },
      trajectory: { lastEventAt: end, run: { ended: { status: "error", at: end } } },
    } as const;
    expect(only(item({ ...spec, gateway: { alive: true, startedAt: NOW - HOUR } })).action).toMatchObject({ action: "keep", rule: "error-grace" });
    // a gateway restarted since: it never saw the error, its restart recovery fails the row as a dead run
    const restarted = only(item({ ...spec, gateway: { alive: true, startedAt: NOW - 10 * SEC } }));
    expect(restarted.action).toMatchObject({ action: "finalize", rule: "run-ended", toStatus: "failed", endedAt: end });
    expect(restarted.patch.set).toMatchObject({ abortedLastRun: true });
    expect(restarted.action.reasons.join(" ")).toMatch(/started after the run ended: nothing persists the error/);
    // no gateway at all: nobody else will write the end
    expect(only(item(spec)).action).toMatchObject({ action: "finalize", toStatus: "failed", endedAt: end });
  });
});

describe("planFinalize: error-grace (OpenClaw persists errors itself after 15 s)", () => {
  const startedAt = NOW - 2 * MIN;
  const spec = (endAgo: number, status = "error", gateway: Record<string, unknown> | null = { alive: true, startedAt: NOW - HOUR }) =>
    item({
      entry: { status: "running", startedAt },
      transcript: { lastEntryAt: NOW - endAgo - SEC },
      trajectory: { lastEventAt: NOW - endAgo, run: { ended: { status, at: NOW - endAgo } } },
      ...(gateway ? { gateway } : {}),
      hb: { health: "idle" },
    });
  const short = { now: NOW, staleAfterMs: 5 * SEC };

  it.each([
    ["1 s", SEC],
    ["20 s", 20 * SEC],
    ["29 s", 29 * SEC],
  ])("an error %s ago with a live gateway is kept, even with a short --stale-after", (_label, ago) => {
    const { plan, action } = only(spec(ago), short);
    expect(plan.patches).toEqual([]);
    expect(action).toMatchObject({ action: "keep", rule: "error-grace" });
    expect(action.reasons.join(" ")).toMatch(/15 s grace/);
  });

  it("the same gateway's /healthz alone (lock owner unknown) counts as up", () => {
    expect(only(spec(10 * SEC, "error", { alive: false, probe: "ok" }), short).action).toMatchObject({ rule: "error-grace" });
  });

  it.each([
    ["after the grace", spec(31 * SEC), "failed"],
    ["without a gateway", spec(10 * SEC, "error", null), "failed"],
    ["with a dead gateway", spec(10 * SEC, "error", { alive: false, probe: "failed" }), "failed"],
    ["for a success (persisted at once)", spec(10 * SEC, "success"), "done"],
  ])("finalized %s", (_label, it, status) => {
    expect(only(it, short).action).toMatchObject({ action: "finalize", rule: "run-ended", toStatus: status });
  });

  // 2026.7.1 persists an error only after its 15 s grace: a gateway that died (or restarted)
  // inside it leaves the row running, and its restart recovery writes failed + abortedLastRun
  it.each([
    ["the same gateway alive past the grace: the error table's row", spec(31 * SEC), { status: "failed", abortedLastRun: false, runtimeMs: 2 * MIN - 31 * SEC }],
    ["no gateway: what restart recovery writes", spec(10 * SEC, "error", null), { status: "failed", abortedLastRun: true }],
    ["a dead gateway: what restart recovery writes", spec(10 * SEC, "error", { alive: false, probe: "failed" }), { status: "failed", abortedLastRun: true }],
    ["a gateway restarted since the end: what restart recovery writes", spec(40 * SEC, "error", { alive: true, startedAt: NOW - 20 * SEC }), { status: "failed", abortedLastRun: true }],
  ])("an error, %s", (_label, it, fields) => {
    const { patch } = only(it, short);
    expect(patch.set).toEqual({ ...fields, endedAt: patch.set?.endedAt, updatedAt: patch.set?.updatedAt });
  });
});

describe("planFinalize: never a live owner with recent activity", () => {
  it.each([
    ["transcript lock held", { lock: { owner: "alive" as const } }],
    ["no lock, live gateway older than the run", { gateway: { alive: true, startedAt: NOW - 6 * DAY } }],
    ["an unreadable lock written 10 s ago (its body is still being written)", { lock: { owner: "unknown" as const, pid: undefined, mtimeMs: NOW - 10 * SEC } }],
  ])("%s, 5 days old, active 1 min ago -> kept", (_name, extra) => {
    const { plan, action } = only(
      item({
        entry: { status: "running", startedAt: NOW - 5 * DAY, updatedAt: NOW - 5 * DAY },
        transcript: { lastEntryAt: NOW - MIN },
        ...extra,
      }),
    );
    expect(plan.patches).toEqual([]);
    expect(action).toMatchObject({ action: "keep", rule: "live" });
  });
});

describe("planFinalize: no live owner", () => {
  const startedAt = NOW - 3 * HOUR;
  const lastLine = NOW - 2 * HOUR;
  const base = {
    entry: { status: "running", startedAt, updatedAt: startedAt + 20 },
    transcript: { lastEntryAt: lastLine },
    trajectory: { lastEventAt: NOW - 5 * HOUR },
  };
  it.each([
    ["lock pid dead", { lock: { owner: "dead" as const } }, /pid 4242 is dead/],
    ["lock pid reused", { lock: { owner: "reused" as const } }, /another process/],
    ["unreadable lock, old", { lock: { owner: "unknown" as const, pid: undefined, mtimeMs: NOW - 2 * HOUR } }, /unreadable/],
    ["no lock, no gateway", {}, /no live gateway/],
    ["no lock, gateway dead", { gateway: { alive: false, probe: "failed" as const } }, /no live gateway/],
    ["no lock, run predates the gateway", { gateway: { alive: true, startedAt: NOW - HOUR } }, /before gateway pid/],
    ["no lock, live gateway up since before the run, silent: a run holds its lock throughout", { gateway: { alive: true, startedAt: NOW - DAY } }, /holds its transcript lock throughout/],
  ])("%s, silent -> what OpenClaw's restart recovery writes (failed + abortedLastRun, no runtimeMs) at the last activity", (_name, extra, why) => {
    const { action, patch } = only(item({ ...base, ...extra }));
    expect(action).toMatchObject({ action: "finalize", toStatus: "failed", lifecycle: "failed", rule: "dead-owner", endedAt: lastLine });
    expect(patch.set).toEqual({ status: "failed", endedAt: lastLine, updatedAt: lastLine, abortedLastRun: true });
    expect(action.reasons.join(" | ")).toMatch(/differs from OpenClaw: OpenClaw's recovery stamps endedAt/);
    expect(action.reasons.join(" | ")).toMatch(why);
  });

  it("never moves updatedAt backwards: a row bumped after the last activity keeps its later updatedAt, endedAt stays the last activity", () => {
    const { patch } = only(item({ ...base, entry: { ...base.entry, updatedAt: NOW - 20 * MIN }, lock: { owner: "dead" } }));
    expect(patch.set).toEqual({ status: "failed", endedAt: lastLine, updatedAt: NOW - 20 * MIN, abortedLastRun: true });
    expect(patch.expect.updatedAt).toBe(NOW - 20 * MIN);
  });

  it("a dead owner with activity inside staleAfter is given time", () => {
    const { action } = only(item({ ...base, transcript: { lastEntryAt: NOW - 4 * MIN }, lock: { owner: "dead" } }));
    expect(action).toMatchObject({ action: "keep", rule: "recent" });
  });

  it("honours --stale-after", () => {
    const spec = { ...base, transcript: { lastEntryAt: NOW - 20 * MIN }, lock: { owner: "dead" as const } };
    expect(only(item(spec)).action.action).toBe("finalize");
    expect(only(item(spec), { now: NOW, staleAfterMs: 30 * MIN }).action.action).toBe("keep");
  });

  it("an unreadable lock counts as held while its body may still be written (30 s)", () => {
    const { action } = only(item({ ...base, lock: { owner: "unknown", pid: undefined, mtimeMs: NOW - 10 * SEC } }));
    expect(action).toMatchObject({ action: "keep", rule: "owned" });
  });

  it("no start time and no activity at all: ends at the last index write", () => {
    const { action } = only(item({ entry: { status: "running", updatedAt: NOW - DAY }, lock: { owner: "dead" } }));
    expect(action).toMatchObject({ toStatus: "failed", endedAt: NOW - DAY });
  });
});

describe("planFinalize: whole-run timeout", () => {
  const startedAt = NOW - 3 * DAY;
  it("a live owner silent past the 48 h timeout -> timeout at the deadline", () => {
    const { action, patch } = only(
      item({ entry: { status: "running", startedAt }, transcript: { lastEntryAt: startedAt + HOUR }, lock: { owner: "alive" } }),
    );
    expect(action).toMatchObject({ action: "finalize", toStatus: "timeout", lifecycle: "timed_out", rule: "run-timeout" });
    expect(patch.set).toMatchObject({ status: "timeout", endedAt: startedAt + 2 * DAY, runtimeMs: 2 * DAY, abortedLastRun: false });
  });

  it("a live owner silent but under the timeout is kept (a long tool or model wait)", () => {
    const { action } = only(
      item({ entry: { status: "running", startedAt: NOW - 5 * HOUR }, transcript: { lastEntryAt: NOW - 4 * HOUR }, lock: { owner: "alive" } }),
    );
    expect(action).toMatchObject({ action: "keep", rule: "owned" });
  });

  it("a dead owner still active after the deadline -> timeout; dead before it -> failed (recovery's outcome)", () => {
    const after = only(item({ entry: { status: "running", startedAt }, transcript: { lastEntryAt: startedAt + 2 * DAY + HOUR }, lock: { owner: "dead" } }));
    expect(after.action).toMatchObject({ toStatus: "timeout", endedAt: startedAt + 2 * DAY + HOUR });
    const before = only(item({ entry: { status: "running", startedAt }, transcript: { lastEntryAt: startedAt + HOUR }, lock: { owner: "dead" } }));
    expect(before.action).toMatchObject({ toStatus: "failed", endedAt: startedAt + HOUR });
  });

  it("uses the configured timeout", () => {
    const spec = { entry: { status: "running", startedAt: NOW - 5 * HOUR }, transcript: { lastEntryAt: NOW - 4 * HOUR }, lock: { owner: "alive" as const } };
    expect(only(item(spec), { now: NOW, runTimeoutMs: 2 * HOUR }).action).toMatchObject({ toStatus: "timeout", endedAt: NOW - 3 * HOUR });
  });
});

describe("planFinalize: transcript missing", () => {
  const startedAt = NOW - HOUR;
  it.each([
    ["no transcript", null],
    ["a transcript", { lastEntryAt: startedAt }],
  ])("%s, no lock, a live gateway older than the run, silent -> failed + abortedLastRun (no run holds its lock)", (_name, transcript) => {
    const { action, patch } = only(item({ entry: { status: "running", startedAt }, transcript, gateway: { alive: true, startedAt: NOW - DAY } }));
    expect(action).toMatchObject({ action: "finalize", toStatus: "failed", rule: "dead-owner", endedAt: startedAt });
    expect(patch.set).toEqual({ status: "failed", endedAt: startedAt, updatedAt: startedAt, abortedLastRun: true });
  });

  it("no transcript but a held lock (a new session waiting for its first answer) is kept", () => {
    const { action } = only(item({ entry: { status: "running", startedAt }, transcript: null, lock: { owner: "alive" } }));
    expect(action).toMatchObject({ action: "keep", rule: "owned" });
  });

  it("no transcript and no activity within staleAfter is required", () => {
    const { action } = only(
      item({ entry: { status: "running", startedAt: NOW - 2 * MIN }, transcript: null, gateway: { alive: true, startedAt: NOW - DAY } }),
    );
    expect(action).toMatchObject({ action: "keep", rule: "live" });
  });
});

describe("planFinalize: OpenClaw's restart recovery", () => {
  // 2026.7.1 resumes or fails a marked row ~5 s after its start: the window is 60 s
  const gwStart = NOW - 30 * SEC;
  const recovering = {
    entry: { status: "running", startedAt: NOW - 3 * HOUR, abortedLastRun: true, updatedAt: gwStart + 500 },
    transcript: { lastEntryAt: NOW - 3 * HOUR },
  };
  it("a row marked abortedLastRun after a live gateway's start is left alone", () => {
    const { plan, action } = only(item({ ...recovering, gateway: { alive: true, startedAt: gwStart } }));
    expect(plan.patches).toEqual([]);
    expect(action).toMatchObject({ action: "keep", rule: "recovery" });
    expect(action.reasons.join(" ")).toMatch(/recovery/);
  });

  it.each([
    ["gateway dead", { gateway: { alive: false, startedAt: gwStart } }],
    ["gateway start unknown", { gateway: { alive: true } }],
    ["marked before this gateway started", { gateway: { alive: true, startedAt: gwStart }, entry: { ...recovering.entry, updatedAt: gwStart - 1 } }],
    ["not marked aborted", { gateway: { alive: true, startedAt: gwStart }, entry: { ...recovering.entry, abortedLastRun: false } }],
  ])("%s -> not the recovery window", (_name, extra) => {
    const { action } = only(item({ ...recovering, ...extra }));
    expect(action.rule).not.toBe("recovery");
  });

  it("the window closes 60 s after the mark: a recovery that did nothing is judged normally", () => {
    const { action } = only(
      item({ ...recovering, entry: { ...recovering.entry, updatedAt: NOW - 15 * MIN }, gateway: { alive: true, startedAt: NOW - 16 * MIN } }),
    );
    expect(action).toMatchObject({ action: "finalize", toStatus: "failed", rule: "dead-owner" });
  });
});

describe("planFinalize: scope", () => {
  it("ignores every row that is not running and writes only OpenClaw's statuses", () => {
    const rows = [
      item({ entry: { status: "done" }, lock: { owner: "dead" } }),
      item({ entry: {}, lock: { owner: "dead" } }),
      item({ entry: { status: "weird" }, lock: { owner: "dead" } }),
      item({ entry: { status: "running", startedAt: NOW - DAY }, trajectory: { run: { ended: { status: "exploded", at: NOW - DAY + MIN } } } }),
    ];
    const plan = planFinalize(rows.map((r) => rejudge(r, ctx)));
    expect(plan.actions.map((a) => a.sessionKey)).toEqual([rows[3].ev.sessionKey]);
    expect(plan.patches[0].set?.status).toBe("failed");
    expect(plan.actions[0].reasons.join(" ")).toMatch(/session\.ended\(exploded\): not a success/);
    for (const p of plan.patches) expect(["running", "done", "failed", "killed", "timeout"]).toContain(p.set?.status);
  });

  it("repairFields writes a row as OpenClaw does: runtimeMs only where OpenClaw writes it, and only with startedAt", () => {
    expect(repairFields(outcomeRow("timeout", "B"), 50, 10, 20)).toEqual({ status: "timeout", endedAt: 50, runtimeMs: 40, updatedAt: 50, abortedLastRun: false });
    expect(repairFields(outcomeRow("user-abort", "B"), 50, undefined, undefined)).toEqual({ status: "killed", endedAt: 50, updatedAt: 50, abortedLastRun: true });
    expect(repairFields(outcomeRow("dead-owner", "A"), 50, 10, 50)).toEqual({ status: "failed", endedAt: 50, updatedAt: 50, abortedLastRun: true });
  });

  it.each(["success", "error", "timeout", "user-abort", "dead-owner", "run-timeout"] as const)(
    "repairFields (%s) sets updatedAt = endedAt only where that does not move it backwards, else keeps the later updatedAt",
    (cause) => {
      expect(repairFields(outcomeRow(cause, "B"), 50, 10, 70).updatedAt).toBe(70);
      expect(repairFields(outcomeRow(cause, "B"), 50, 10, 30).updatedAt).toBe(50);
      expect(repairFields(outcomeRow(cause, "B"), 50, 10, Number.NaN).updatedAt).toBe(50);
    },
  );
});

// Real stores written by OpenClaw 2026.7.1 (see test/fixtures/real-openclaw/README.md), read here
// just far enough to build Evidence by hand; their lock owners are dead now.
describe("planFinalize on real OpenClaw 2026.7.1 rows", () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const realRoot = REAL_OPENCLAW;
  const lines = (file: string) =>
    fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>) : [];

  function realItem(run: string, key: string, lockOwner?: "dead"): PlanItem {
    const dir = path.join(realRoot, run, "state/agents/main/sessions");
    const entry = JSON.parse(fs.readFileSync(path.join(dir, "sessions.json"), "utf8"))[key];
    const t = lines(path.join(dir, `${entry.sessionId}.trajectory.jsonl`));
    const tx = lines(path.join(dir, `${entry.sessionId}.jsonl`));
    const at = (e: Record<string, any> | undefined) => (e ? Date.parse(e.ts ?? e.timestamp) : undefined);
    const lastRunId = t.at(-1)?.runId;
    const endedLine = t.filter((e) => e.runId === lastRunId && e.type === "session.ended").at(-1);
    const ev: Evidence = {
      agentId: "main",
      sessionKey: key,
      entry,
      transcriptPath: path.join(dir, `${entry.sessionId}.jsonl`),
      ...(tx.length ? { transcript: { path: "", size: 0, mtimeMs: 0, openToolCalls: [], lastEntryAt: at(tx.at(-1)) } } : {}),
      ...(t.length ? { trajectory: readTrajectoryTailSync(path.join(dir, `${entry.sessionId}.trajectory.jsonl`)) } : {}),
      ...(lockOwner ? { lock: { path: "", mtimeMs: 0, owner: lockOwner, pid: 1 } } : {}),
    };
    return planItem(ev, NOW, TH);
  }

  const later = Date.UTC(2026, 10, 22, 0, 0, 0);
  it("s5 http500, its gateway gone inside the 15 s grace: failed + abortedLastRun, as 2026.7.1's restart recovery writes (not the timeout its live gateway persisted)", () => {
    const it5 = realItem("s5-errors-within-grace", "agent:main:s5-http500");
    const { action, patch } = only(it5, { now: later });
    expect(action).toMatchObject({ toStatus: "failed", rule: "run-ended", endedAt: Date.parse("2026-11-21T20:35:03.980Z") });
    expect(patch.set).toMatchObject({ status: "failed", abortedLastRun: true });
    expect(patch.set).not.toHaveProperty("runtimeMs");
  });

  it("s5 http500 with the gateway that ran it still up past the grace: timeout + runtimeMs, as 2026.7.1 persisted it", () => {
    const it5 = realItem("s5-errors-within-grace", "agent:main:s5-http500");
    const ev = { ...it5.ev, gateway: { pid: 777, alive: true, startedAt: it5.ev.entry.startedAt! - HOUR, probe: "skipped" as const } };
    const { action, patch } = only({ ...it5, ev }, { now: later });
    expect(action).toMatchObject({ toStatus: "timeout", rule: "run-ended", endedAt: Date.parse("2026-11-21T20:35:03.980Z") });
    expect(patch.set?.runtimeMs).toBe(Date.parse("2026-11-21T20:35:03.980Z") - it5.ev.entry.startedAt!);
  });

  it("s5 malformed: session.ended(error), no failover reason -> failed, as 2026.7.1 persisted it", () => {
    const { action } = only(realItem("s5-errors-within-grace", "agent:main:s5-malformed"), { now: later });
    expect(action).toMatchObject({ toStatus: "failed", rule: "run-ended" });
  });

  it("s2 waiting for the model, owner dead: the trajectory's success is turn 1's, so -> failed + abortedLastRun (recovery), not done", () => {
    const it2 = realItem("s2-live-waiting-model", "agent:main:s2-model-wait", "dead");
    const { action } = only(it2, { now: later });
    expect(action).toMatchObject({ toStatus: "failed", rule: "dead-owner" });
    expect(action.endedAt).toBeGreaterThanOrEqual(it2.ev.entry.startedAt!);
  });

  it("s3 killed inside a tool: no trajectory yet, dead lock -> failed + abortedLastRun", () => {
    const { action, patch } = only(realItem("s3-tool-killed", "agent:main:s3-tool-exec", "dead"), { now: later });
    expect(action).toMatchObject({ toStatus: "failed", rule: "dead-owner" });
    expect(patch.set).not.toHaveProperty("runtimeMs");
  });
});
