import { describe, expect, it } from "vitest";
import { currentRun } from "../../../src/core/health/currentRun.js";
import { lastActivityAt, lastTokenAt, pickModel, turnStart } from "../../../src/core/health/fields.js";
import type { Claim } from "../../../src/core/health/runInProgress.js";
import { NOW, ago, entry, evidence, lock, run, trajectory, transcript } from "./evidence.js";

describe("pickModel", () => {
  const traj = trajectory(run({ modelId: "traj-model", lastEventAt: ago(60), ended: { status: "success", at: ago(60) } }));
  it.each([
    ["the current run's model first", evidence({ trajectory: traj, transcript: transcript({ model: "tx-model" }), entry: entry({ model: "idx" }) }), undefined, "traj-model"],
    ["then the transcript's", evidence({ trajectory: traj, transcript: transcript({ model: "tx-model" }), entry: entry({ model: "idx" }) }), ago(5), "tx-model"],
    ["then the index's", evidence({ trajectory: traj, entry: entry({ model: "idx" }) }), ago(5), "idx"],
    ["then an earlier run's", evidence({ trajectory: traj }), ago(5), "traj-model"],
    ["else none", evidence(), undefined, undefined],
  ] as const)("%s", (_name, ev, anchor, model) => {
    expect(pickModel(ev, currentRun(ev.trajectory, anchor, NOW))).toEqual(model ? { model, source: "run" } : {});
  });

  const configured = { model: "fake/fake-1", from: "default-config" } as const;
  it.each([
    ["a run's model wins over the configured one", evidence({ entry: entry({ model: "idx" }), configuredModel: configured }), { model: "idx", source: "run" }],
    ["no run recorded one: the session's override", evidence({ entry: entry({ modelOverride: "picked" }), configuredModel: configured }), { model: "picked", source: "override" }],
    ["no run, no override: the configured model OpenClaw falls back to", evidence({ configuredModel: configured }), { model: "fake/fake-1", source: "default-config" }],
    ["the agent's own configured model", evidence({ configuredModel: { model: "a/b", from: "agent-config" } }), { model: "a/b", source: "agent-config" }],
  ] as const)("%s", (_name, ev, expected) => {
    expect(pickModel(ev, currentRun(ev.trajectory, undefined, NOW))).toEqual(expected);
  });
});

describe("turnStart", () => {
  const traj = trajectory(run({ firstEventAt: ago(50), lastEventAt: ago(40), ended: { status: "success", at: ago(40) } }));
  const lockClaim: Claim = { by: "lock", anchor: ago(4), reason: "" };
  it.each([
    ["running: the index's startedAt", evidence({ entry: entry({ status: "running", startedAt: ago(45) }), trajectory: traj }), undefined, ago(45)],
    ["finished: the current run's first event", evidence({ entry: entry({ status: "done", startedAt: ago(51) }), trajectory: traj }), undefined, ago(50)],
    ["finished without trajectory: the index's startedAt", evidence({ entry: entry({ status: "done", startedAt: ago(51) }) }), undefined, ago(51)],
    ["embedded run: the lock", evidence({ entry: entry(), lock: lock("alive", ago(4)) }), lockClaim, ago(4)],
  ] as const)("%s", (_name, ev, claim, start) => {
    expect(turnStart(ev, currentRun(ev.trajectory, claim?.anchor, NOW), claim)).toBe(start);
  });
});

describe("lastActivityAt", () => {
  it("takes the newest of transcript, trajectory, lock and the index's start and end", () => {
    const base = evidence({
      entry: entry({ startedAt: ago(50), endedAt: ago(40) }),
      transcript: transcript({ lastEntryAt: ago(30), lastMessageAt: ago(31) }),
      trajectory: trajectory(run({ lastEventAt: ago(20) })),
    });
    expect(lastActivityAt(base)).toBe(ago(20));
    expect(lastActivityAt({ ...base, lock: lock("dead", ago(10)) })).toBe(ago(10));
  });

  it("ignores updatedAt, lastInteractionAt and file mtimes: touches and copies are not work", () => {
    const ev = evidence({
      entry: entry({ startedAt: ago(500), updatedAt: ago(1), lastInteractionAt: ago(1) }),
      transcript: transcript({ lastEntryAt: ago(400), mtimeMs: ago(1) }),
    });
    expect(lastActivityAt(ev)).toBe(ago(400));
  });

  it("is undefined when nothing is known", () => {
    expect(lastActivityAt(evidence())).toBeUndefined();
  });
});

describe("lastTokenAt", () => {
  it("is the newest model output: an assistant message or a model.completed", () => {
    const reply = transcript({ lastRole: "assistant", lastMessageAt: ago(9) });
    expect(lastTokenAt(evidence({ transcript: reply }))).toBe(ago(9));
    expect(lastTokenAt(evidence({ transcript: reply, trajectory: trajectory(run({ modelCompletedAt: ago(3) })) }))).toBe(ago(3));
    expect(lastTokenAt(evidence({ transcript: transcript({ lastRole: "user", lastMessageAt: ago(2) }) }))).toBeUndefined();
  });
});
