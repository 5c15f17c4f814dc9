import { describe, expect, it } from "vitest";
import { stalledCheck } from "../../../src/core/health/stalledCheck.js";
import type { Thresholds } from "../../../src/core/types.js";
import { NOW, TH, ago } from "./evidence.js";

const perTool: Thresholds = { stallAfterMs: 120_000, perState: { tool_exec: 600_000 } };

describe("stalledCheck", () => {
  it.each([
    ["awaiting_model", ago(30), undefined, TH, false, "waiting for the model for 30s (stalls after 2m00s)"],
    ["awaiting_model", ago(120), undefined, TH, false, "waiting for the model for 2m00s (stalls after 2m00s)"],
    ["awaiting_model", ago(121), undefined, TH, true, "waiting for the model for 2m01s, past the 2m00s stall threshold"],
    ["tool_exec", ago(300), "exec", TH, true, "tool exec running for 5m00s, past the 2m00s stall threshold"],
    ["tool_exec", ago(300), "exec", perTool, false, "tool exec running for 5m00s (stalls after 10m00s)"],
    ["awaiting_model", ago(300), undefined, perTool, true, "waiting for the model for 5m00s, past the 2m00s stall threshold"],
    ["tool_exec", undefined, "exec", TH, false, "tool exec running, since an unknown time (stall not measurable)"],
  ] as const)("%s since %s -> stalled %s", (state, since, tool, th, stalled, reason) => {
    expect(stalledCheck(state, since, tool, NOW, th)).toEqual({ stalled, reason });
  });
});
