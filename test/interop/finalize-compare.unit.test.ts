// The interop comparison rules are code too: these run in the normal suite, without OpenClaw.
import { describe, expect, it } from "vitest";
import { compareCase, planRules, sameTurnEffect, type CaseResult } from "./finalize-compare.js";

describe("sameTurnEffect", () => {
  it("passes when a new turn leaves the same value on both repairs", () => {
    expect(sameTurnEffect({ before: "failed", after: "done" }, { before: "failed", after: "done" })).toBe(true);
    // 2026.4.26 after a SIGTERM: theirs was already false, the turn clears ours
    expect(sameTurnEffect({ before: false, after: false }, { before: true, after: false })).toBe(true);
  });

  it("fails when both repairs wrote the same value and the turn ends them differently", () => {
    expect(sameTurnEffect({ before: "failed", after: "done" }, { before: "failed", after: "failed" })).toBe(false);
  });

  it("passes when the repairs differ and the turn leaves both as they were", () => {
    // 2026.4.26 leaves the status it finds: its own `running`, our `failed`
    expect(sameTurnEffect({ before: "running", after: "running" }, { before: "failed", after: "failed" })).toBe(true);
  });

  it("fails when the repairs differ and the turn changes only one of them to a different value", () => {
    expect(sameTurnEffect({ before: "running", after: "running" }, { before: "failed", after: "done" })).toBe(false);
    expect(sameTurnEffect({ before: "running", after: "done" }, { before: "failed", after: "failed" })).toBe(false);
  });
});

describe("compareCase: a recorded run end its gateway never persisted", () => {
  // the 2026.4.26 row of the loaded interop run: `--timeout 5`, gateway killed after abortedLastRun was set
  const T0 = 1_796_000_000_000;
  const caught = (ours: Record<string, unknown>, ourRule: string): CaseResult => ({
    version: "2026.4.26",
    situation: "`openclaw agent --timeout 5` on a hanging model, gateway killed right after",
    key: "agent:main:fz-tmo",
    before: { status: "running", abortedLastRun: true, startedAt: T0, updatedAt: T0 + 5_000 },
    theirs: { status: "failed", abortedLastRun: true, endedAt: T0 + 60_000, updatedAt: T0 + 60_000 },
    ours,
    resumed: false,
    recoveryUnfinished: false,
    ourRule,
  });
  const timeoutRow = { status: "timeout", abortedLastRun: true, endedAt: T0 + 14_300, runtimeMs: 14_300, updatedAt: T0 + 14_300 };
  const unexpected = (c: CaseResult) => compareCase(c).filter((v) => v.verdict === "UNEXPECTED").map((v) => v.field);

  it("accepts the recorded end's status and runtimeMs where recovery wrote a dead run's failed", () => {
    expect(unexpected(caught(timeoutRow, "run-ended"))).toEqual([]);
  });

  it("still requires the same abortedLastRun", () => {
    expect(unexpected(caught({ ...timeoutRow, abortedLastRun: false }, "run-ended"))).toEqual(["abortedLastRun"]);
  });

  it("does not accept a different status from any other rule", () => {
    expect(unexpected(caught(timeoutRow, "dead-owner"))).toEqual(["status", "runtimeMs"]);
  });
});

describe("planRules", () => {
  it("maps each finalized row to its rule from cleanup --json, and nothing from other output", () => {
    const doc = {
      stores: [
        { actions: [{ action: "finalize", sessionKey: "a", rule: "run-ended" }, { action: "prune", sessionKey: "b", rule: "age" }] },
        { actions: [{ action: "finalize", sessionKey: "c", rule: "dead-owner" }] },
      ],
    };
    expect([...planRules(JSON.stringify(doc))]).toEqual([["a", "run-ended"], ["c", "dead-owner"]]);
    expect(planRules("openclaw-sessions: not json").size).toBe(0);
  });
});
