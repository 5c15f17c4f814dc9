import { describe, expect, it } from "vitest";
import {
  clean,
  displayName,
  displayWidth,
  fit,
  formatAge,
  formatAgo,
  formatElapsed,
  indexDriftCell,
  stateWord,
  truncateEnd,
  truncateMiddle,
} from "../../src/ui/format.js";

const NOW = 1_790_000_000_000;

describe("formatAgo", () => {
  it.each([
    [NOW - 12_000, "12s ago"],
    [NOW - 185_000, "3m05s ago"],
    [NOW - 400, "now"],
    [NOW + 300, "now"],
    [NOW + 5_000, "in 5s"],
    [undefined, "-"],
  ])("%s", (at, text) => {
    expect(formatAgo(at, NOW)).toBe(text);
  });
});

describe("formatAge", () => {
  it.each([
    [400, "0.4s"],
    [0, "0.0s"],
    [-50, "0.0s"],
    [9_960, "9.9s"],
    [15_000, "15s"],
    [125_000, "2m05s"],
  ])("%sms", (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe("formatElapsed", () => {
  it("ticks only while a turn is in progress", () => {
    expect(formatElapsed({ state: "tool_exec", startedAt: NOW - 65_000 }, NOW)).toBe("1m05s");
    expect(formatElapsed({ state: "awaiting_model", startedAt: NOW - 2_000 }, NOW)).toBe("2s");
    expect(formatElapsed({ state: "complete", startedAt: NOW - 65_000 }, NOW)).toBe("-");
    expect(formatElapsed({ state: "idle", startedAt: NOW - 65_000 }, NOW)).toBe("-");
    expect(formatElapsed({ state: "tool_exec" }, NOW)).toBe("-");
  });
});

describe("names and cells", () => {
  it("shows the label when there is one, else the key", () => {
    expect(displayName({ sessionKey: "agent:main:main", label: "Nightly report" })).toBe("Nightly report");
    expect(displayName({ sessionKey: "agent:main:main", label: "  " })).toBe("agent:main:main");
    expect(displayName({ sessionKey: "agent:main:main" })).toBe("agent:main:main");
  });

  it("neutralises control characters from files (no terminal escape injection)", () => {
    expect(clean("evil\u001b[2Jlabel\nnext")).toBe("evil\ufffd[2Jlabel\ufffdnext");
    expect(displayName({ sessionKey: "k", label: "\u001b]0;pwned\u0007" })).not.toMatch(/[\u0000-\u001f]/);
  });

  it("reads state words for people", () => {
    expect(stateWord("awaiting_model")).toBe("awaiting model");
    expect(stateWord("tool_exec")).toBe("tool exec");
  });

  it("describes index drift only when there is drift", () => {
    expect(indexDriftCell({ storeStatus: "running", health: "unresponsive", drift: "running in index, owner dead" })).toBe("running (stale)");
    expect(indexDriftCell({ storeStatus: "running", health: "idle", drift: "run ended 3h ago" })).toBe("running (stale)");
    expect(indexDriftCell({ storeStatus: "done", health: "active", drift: "a run is in progress" })).toBe("done (drift)");
    expect(indexDriftCell({ health: "active", drift: "no status, lock held" })).toBe("no status (drift)");
    expect(indexDriftCell({ storeStatus: "running", health: "active" })).toBe("");
  });
});

describe("width and truncation", () => {
  it("counts wide and zero-width characters", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("会话")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
  });

  it("cuts the end with an ellipsis", () => {
    expect(truncateEnd("claude-sonnet-4-5", 8)).toBe("claude-…");
    expect(truncateEnd("short", 8)).toBe("short");
    expect(truncateEnd("会话会话", 5)).toBe("会话…");
    expect(displayWidth(truncateEnd("会话会话", 5))).toBeLessThanOrEqual(5);
  });

  it("cuts the middle of keys, keeping both ends", () => {
    const key = "agent:main:telegram:group:12345:run:9f3a";
    const cut = truncateMiddle(key, 20);
    expect(displayWidth(cut)).toBe(20);
    expect(cut.startsWith("agent:main")).toBe(true);
    expect(cut.endsWith("run:9f3a")).toBe(true);
    expect(cut).toContain("…");
  });

  it("pads to an exact width on either side", () => {
    expect(fit("ab", 5)).toBe("ab   ");
    expect(fit("ab", 5, "right")).toBe("   ab");
    expect(fit("abcdefgh", 5)).toBe("abcd…");
    expect(displayWidth(fit("会话会话会话", 7))).toBe(7);
  });
});
