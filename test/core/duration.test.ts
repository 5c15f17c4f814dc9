import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration, parseDurationFlag, withoutDurations } from "../../src/core/duration.js";
import { UsageError } from "../../src/core/errors.js";

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

describe("parseDurationFlag: one parser for every duration flag", () => {
  it("a bare number is seconds for a period and minutes for an age; units and composites as OpenClaw writes them", () => {
    expect(parseDurationFlag("--interval", "60", "period")).toBe(60_000);
    expect(parseDurationFlag("--interval", "0.5", "period")).toBe(500);
    expect(parseDurationFlag("--stale-after", "10", "age")).toBe(600_000);
    expect(parseDurationFlag("--active", "1h30m", "age")).toBe(5_400_000);
    expect(parseDurationFlag("--interval", "2m", "period")).toBe(120_000);
    expect(parseDurationFlag("--prune-after", "30d", "unit-required")).toBe(30 * 86_400_000);
  });

  it.each([
    ["--prune-after", "30", "unit-required", {}, '--prune-after must be a duration with a unit like 30d, 12h or 1h30m (a bare number is refused) (got "30")'],
    ["--stale-after", "soon", "age", {}, '--stale-after must be a duration like 10, 90s, 10m or 1h30m (a bare number is minutes) (got "soon")'],
    ["--interval", "x", "period", {}, '--interval must be a duration like 60, 0.5, 90s or 2m (a bare number is seconds) (got "x")'],
    ["--active", "0", "age", {}, '--active must be longer than 0 (got "0")'],
    ["--interval", "0.05", "period", { minMs: 100 }, '--interval must be at least 100ms (got "0.05")'],
    ["--interval", "2d", "period", { maxMs: 86_400_000 }, '--interval must be at most 1d0h (got "2d")'],
  ] as const)("%s %s: a usage error (64) saying what is expected", (flag, text, kind, limits, message) => {
    let err: unknown;
    try {
      parseDurationFlag(flag, text, kind, limits);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(64);
    expect((err as Error).message).toBe(message);
  });

  it("every period flag and every age flag of the CLI says its bare unit in its help", async () => {
    const { Command } = await import("commander");
    const { commands } = await import("../../src/commands/index.js");
    const program = new Command("x");
    for (const register of commands) register(program);
    const periods = ["keepalive --interval", "watch --interval", "demo --interval", "demo --duration"];
    const ages = ["status --active", "keepalive --activity-threshold", "keepalive --refresh-after", "cleanup --stale-after"];
    const help = (name: string) => {
      const [cmd, flag] = name.split(" ");
      return program.commands.find((c) => c.name() === cmd)!.options.find((o) => o.long === flag)!.description;
    };
    for (const p of periods) expect(help(p), p).toMatch(/bare number = seconds/);
    for (const a of ages) expect(help(a), a).toMatch(/bare number = minutes/);
    expect(help("cleanup --prune-after")).toMatch(/a bare number is refused/);
  });
});

describe("withoutDurations", () => {
  it("masks every form formatDuration writes, and nothing else", () => {
    const ages = [850, 42_000, 185_000, 2 * 3_600_000 + 14 * 60_000, 3 * 86_400_000 + 4 * 3_600_000].map((ms) => formatDuration(ms));
    expect(withoutDurations(`ages ${ages.join(" ")}`)).toBe("ages ~ ~ ~ ~ ~");
    expect(withoutDurations("lock owner pid 4729 is dead; 4 MiB read; run 18f48e5b; sess-1")).toBe("lock owner pid 4729 is dead; 4 MiB read; run 18f48e5b; sess-1");
  });
});
