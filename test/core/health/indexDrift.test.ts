import { describe, expect, it } from "vitest";
import { indexDrift } from "../../../src/core/health/indexDrift.js";
import type { Liveness } from "../../../src/core/health/liveness.js";
import type { Claim } from "../../../src/core/health/runInProgress.js";
import type { Activity } from "../../../src/core/health/turnActivity.js";
import { NOW, ago, entry } from "./evidence.js";

const byIndex: Claim = { by: "index", anchor: ago(100), indexStartedAt: ago(100), reason: "" };
const byLock: Claim = { by: "lock", anchor: ago(5), reason: "" };
const ended = (s: number, outcome: string): Activity => ({ state: "complete", since: ago(s), outcome, reasons: [] });
const waiting: Activity = { state: "awaiting_model", since: ago(5), reasons: [] };
const alive: Liveness = { kind: "owner", reason: "" };
const dead: Liveness = { kind: "none", reason: "", lost: "lock owner pid 9 is dead" };

describe("indexDrift", () => {
  it.each([
    ["running, run ended 3h ago", entry({ status: "running" }), byIndex, ended(3 * 3600, "error"), undefined, "running in index, run ended 3h00m ago (error)"],
    ["running, owner dead", entry({ status: "running" }), byIndex, waiting, dead, "running in index, lock owner pid 9 is dead"],
    ["running, alive and waiting", entry({ status: "running" }), byIndex, waiting, alive, undefined],
    ["done, a later run holds the lock", entry({ status: "done" }), byLock, waiting, alive, "done in index, but a later run holds the transcript lock"],
    ["done, a later run died", entry({ status: "done" }), byLock, waiting, dead, "done in index, but a later run died without ending (lock owner pid 9 is dead)"],
    ["no status (embedded), dead lock", entry(), byLock, waiting, dead, undefined],
    ["nothing claims a run", entry({ status: "done" }), undefined, undefined, undefined, undefined],
  ] as const)("%s", (_name, e, claim, activity, live, drift) => {
    expect(indexDrift(e, claim, activity, live, NOW)).toBe(drift);
  });
});
