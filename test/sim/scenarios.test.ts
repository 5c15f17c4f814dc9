import { describe, expect, it } from "vitest";
import { Rng } from "../../src/sim/random.js";
import { SCENARIO_KINDS, TERMINAL_SCENARIOS, scenarioScript, simThresholds, verdictAt, type IntendedVerdict } from "../../src/sim/scenarios.js";

const inFlight: IntendedVerdict = { state: "awaiting_model", health: "waiting", storeStatus: "running", runInProgress: true, lock: "alive", drift: false, since: 1_000 };

describe("verdictAt", () => {
  const th = simThresholds(1);
  it("turns a live in-progress run into stalled only past its threshold", () => {
    expect(verdictAt(inFlight, 1_000 + 120_000, th).health).toBe("waiting");
    expect(verdictAt(inFlight, 1_000 + 120_001, th).health).toBe("stalled");
  });
  it("honours per-state overrides", () => {
    const tool = { ...inFlight, state: "tool_exec" as const, health: "active" as const };
    const t = { stallAfterMs: 120_000, perState: { tool_exec: 600_000 } };
    expect(verdictAt(tool, 1_000 + 300_000, t).health).toBe("active");
    expect(verdictAt(tool, 1_000 + 600_001, t).health).toBe("stalled");
  });
  it("never stalls a dead or finished session", () => {
    const dead = { ...inFlight, health: "unresponsive" as const, runInProgress: false, lock: "dead" as const };
    expect(verdictAt(dead, 10 ** 9, th).health).toBe("unresponsive");
    const done = { ...inFlight, state: "complete" as const, health: "idle" as const, runInProgress: false, lock: "none" as const };
    expect(verdictAt(done, 10 ** 9, th).health).toBe("idle");
  });
  it("scales the stall threshold with speed", () => {
    expect(simThresholds(100).stallAfterMs).toBe(1_200);
  });
});

describe("scenarioScript", () => {
  for (const kind of SCENARIO_KINDS) {
    it(`${kind}: deterministic, ends on a stable verdict`, () => {
      const a = scenarioScript(kind, new Rng(5));
      expect(scenarioScript(kind, new Rng(5))).toEqual(a);
      const last = a.at(-1)!;
      expect(last.verdict.transient).toBeUndefined();
      expect(a.every((s) => s.afterMs >= 0)).toBe(true);
      if (!TERMINAL_SCENARIOS.includes(kind)) expect(last.verdict).toMatchObject({ state: "complete", health: "idle", drift: false });
      else if (kind === "embedded-abort") expect({ ...last.verdict, storeStatus: last.verdict.storeStatus ?? null }).toMatchObject({ state: "idle", health: "idle", storeStatus: null, lock: "none", drift: false });
      else expect(last.verdict.drift || last.verdict.health === "waiting" || last.verdict.storeStatus === "failed").toBe(true);
    });
  }
  it("the stall scenario's model never answers", () => {
    const s = scenarioScript("stall", new Rng(1));
    expect(s.at(-1)!.action.do).toBe("begin-run");
  });
});
