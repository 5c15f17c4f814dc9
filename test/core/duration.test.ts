import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/core/duration.js";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["30d", 2_592_000_000],
    ["250ms", 250],
    ["1d12h", 129_600_000],
  ])("%s -> %i ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it("reads a bare number in the given unit (OpenClaw: pruneAfter days)", () => {
    expect(parseDuration("7", "d")).toBe(604_800_000);
    expect(parseDuration(120000)).toBe(120_000);
  });

  it.each(["", "abc", "10x", "1h 30", "-5m", "m"])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });
});

describe("formatDuration", () => {
  it.each([
    [850, "850ms"],
    [42_000, "42s"],
    [185_000, "3m05s"],
    [8_040_000, "2h14m"],
    [273_600_000, "3d4h"],
  ])("%i -> %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});
