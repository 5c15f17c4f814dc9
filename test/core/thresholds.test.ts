import { describe, expect, it } from "vitest";
import { CliError } from "../../src/core/errors.js";
import { describeThresholds, parseStallAfter, stallDefaultFromConfig, stallLimit, stuckSessionWarnMsProblem } from "../../src/core/thresholds.js";

describe("parseStallAfter", () => {
  it("uses the given default when no flag is passed", () => {
    expect(parseStallAfter([], 90_000)).toEqual({ stallAfterMs: 90_000, perState: {} });
  });

  it.each([
    [["2m"], { stallAfterMs: 120_000, perState: {} }],
    [["tool_exec=10m"], { stallAfterMs: 45_000, perState: { tool_exec: 600_000 } }],
    [["5m", "tool_exec=1h", "awaiting_model=90s"], { stallAfterMs: 300_000, perState: { tool_exec: 3_600_000, awaiting_model: 90_000 } }],
    [["1m", "3m"], { stallAfterMs: 180_000, perState: {} }],
    [["tool_wait=1h30m", "streaming=30s"], { stallAfterMs: 45_000, perState: { tool_wait: 5_400_000, streaming: 30_000 } }],
    // an age, like every threshold flag: a bare number is minutes
    [["3", "tool_exec=10"], { stallAfterMs: 180_000, perState: { tool_exec: 600_000 } }],
  ])("%j", (values, expected) => {
    expect(parseStallAfter(values, 45_000)).toEqual(expected);
  });

  it.each([
    ["thinking=2m", /--stall-after thinking=2m: "thinking" is not a state that can stall \(use awaiting_model, streaming, tool_exec, tool_wait\)/],
    ["idle=2m", /"idle" is not a state that can stall/],
    ["complete=2m", /"complete" is not a state that can stall/],
    ["soon", /--stall-after soon: must be a duration like 10, 90s, 10m or 1h30m \(a bare number is minutes\) \(got "soon"\)/],
    ["tool_exec=", /--stall-after tool_exec=: must be a duration/],
    ["tool_exec=ten", /must be a duration .* \(got "ten"\)/],
    ["0s", /--stall-after 0s: must be longer than 0 \(got "0s"\)/],
  ])("rejects %j with a clear usage error", (value, message) => {
    let caught: unknown;
    try {
      parseStallAfter([value], 120_000);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).exitCode).toBe(64);
    expect((caught as Error).message).toMatch(message);
  });
});

describe("stallLimit", () => {
  it("takes the state's override, else the default", () => {
    const th = parseStallAfter(["tool_exec=10m"], 120_000);
    expect(stallLimit(th, "tool_exec")).toBe(600_000);
    expect(stallLimit(th, "awaiting_model")).toBe(120_000);
  });
});

describe("stallDefaultFromConfig", () => {
  it.each([
    [300_000, 300_000],
    [undefined, 120_000],
    ["300000", 120_000],
    [0, 120_000],
    [-5, 120_000],
    [Number.POSITIVE_INFINITY, 120_000],
  ])("diagnostics.stuckSessionWarnMs %j -> %i", (value, ms) => {
    expect(stallDefaultFromConfig(value)).toBe(ms);
    // a value that is set and not used is said, with what is used instead
    expect(stuckSessionWarnMsProblem(value)).toBe(
      value === undefined || ms !== 120_000 ? undefined : `diagnostics.stuckSessionWarnMs must be a positive number of milliseconds (got ${JSON.stringify(value)}): stalls are judged after the default 2m00s`,
    );
  });
});

describe("describeThresholds", () => {
  it("names the default and each override", () => {
    expect(describeThresholds(parseStallAfter(["tool_exec=10m"], 120_000))).toBe("2m00s (tool_exec 10m00s)");
    expect(describeThresholds(parseStallAfter([], 90_000))).toBe("1m30s");
  });
});
