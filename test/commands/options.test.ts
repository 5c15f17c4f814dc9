// The store options that contradict each other are refused as usage errors (64) by the one
// validator every command goes through, before anything is read.
import { describe, expect, it } from "vitest";
import { EXIT, UsageError } from "../../src/core/errors.js";
import { pickStoreOptions, refuseTogether, wholeNumberFlag } from "../../src/commands/options.js";
import { demoSettings } from "../../src/commands/demo.js";

describe("pickStoreOptions refuses contradictions", () => {
  it.each([
    [{ agent: "main", allAgents: true }, /--agent and --all-agents contradict each other/],
    [{ store: "/x/sessions.json", agent: "main" }, /--store and --agent contradict each other/],
    [{ store: "/x/sessions.json", allAgents: true }, /--store and --all-agents contradict each other/],
  ])("%j", (opts, message) => {
    let err: unknown;
    try {
      pickStoreOptions(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(EXIT.usage);
    expect((err as Error).message).toMatch(message);
  });

  it.each([[{}], [{ agent: "main" }], [{ allAgents: true }], [{ store: "/x/sessions.json" }], [{ stateDir: "/s", agent: "a", allAgents: false }]])("accepts %j", (opts) => {
    expect(() => pickStoreOptions(opts)).not.toThrow();
  });

  it("a flag that is absent or false never contradicts", () => {
    expect(() => refuseTogether({ a: true, b: false }, ["a", "--a"], ["b", "--b"], "x")).not.toThrow();
    expect(() => refuseTogether({ a: true, b: 0 }, ["a", "--a"], ["b", "--b"], "x")).toThrow(/--a and --b contradict each other: x/);
  });
});

describe("wholeNumberFlag: the one whole-number flag validator", () => {
  it.each([
    ["", 0],
    [" ", 0],
    ["1.5", 1],
    ["abc", 1],
    ["0", 1],
    ["11", 10],
    // what Number() reads as a number but no one types for a count or a port
    ["0x8", 0],
    ["1e1", 0],
    ["0b101", 0],
    [" 8", 0],
    ["+8", 0],
    ["8 ", 0],
  ])("refuses %j (min %i) as a usage error naming the flag", (text, min) => {
    expect(() => wholeNumberFlag("--n", text, min, 10)).toThrow(UsageError);
    expect(() => wholeNumberFlag("--n", text, min, 10)).toThrow(/^--n takes a whole number/);
  });
  it("accepts the bounds and has no upper bound by default", () => {
    expect(wholeNumberFlag("--n", "0", 0, 10)).toBe(0);
    expect(wholeNumberFlag("--n", "10", 0, 10)).toBe(10);
    expect(wholeNumberFlag("--n", "123456789", 1)).toBe(123456789);
    expect(() => wholeNumberFlag("--n", "0", 1)).toThrow(/of at least 1 \(got "0"\)/);
  });
  it("demo --seed with an empty value is refused, not read as seed 0", () => {
    expect(() => demoSettings({ seed: "" }, false)).toThrow(UsageError);
  });
});
