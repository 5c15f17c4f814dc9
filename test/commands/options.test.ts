// The store options that contradict each other are refused as usage errors (64) by the one
// validator every command goes through, before anything is read.
import { describe, expect, it } from "vitest";
import { EXIT, UsageError } from "../../src/core/errors.js";
import { pickStoreOptions, refuseTogether } from "../../src/commands/options.js";

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
