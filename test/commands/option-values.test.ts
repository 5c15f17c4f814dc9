// Option values no option takes (src/commands/option-values.ts), through the whole command line:
// refused (exit 64) before anything is read or written.
import { describe, expect, it } from "vitest";
import { useOwners } from "../e2e/helpers/cli.js";
import { buildMainStore, cliEnv, treeSnapshot } from "../e2e/helpers/cleanup-store.js";
import { run } from "./helpers/run.js";

const { live, dead } = useOwners();

describe("an option given another option as its value", () => {
  it.each([
    [["cleanup", "--active-key", "--dry-run"], "--active-key", "--dry-run"],
    [["cleanup", "--profile", "--dry-run"], "--profile", "--dry-run"],
    [["status", "--state-dir", "--check"], "--state-dir", "--check"],
    [["status", "--stall-after", "-h"], "--stall-after", "-h"],
    [["keepalive", "--store", "--once"], "--store", "--once"],
  ])("%j: exit 64 naming both, nothing run", async (args, flag, value) => {
    const r = await run([...args]);
    expect(r.code).toBe(64);
    const never = value.startsWith("--") ? ` (a value starting with "--" is never taken: write a path so named as ./${value})` : "";
    expect(r.stderr).toBe(`openclaw-sessions: ${flag} was given the option "${value}" as its value: put ${flag}'s value right after it${never}\n`);
    expect(r.stdout).toBe("");
  });

  it("a value that only starts with a dash and is no option of the command is still a value", async () => {
    // a state dir with a store: an empty one is "nothing to clean up" (3), which is not what this checks
    const r = await run(["cleanup", "--dry-run", "--no-probe", "--active-key", "-x", "--state-dir", buildMainStore(live, dead).state]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("an option given an empty value", () => {
  it.each(["--store", "--state-dir", "--agent", "--profile"])("%s \"\": exit 64, not taken as the option left out (a cleanup of every agent's store)", async (flag) => {
    // a store cleanup would change, named by the environment as a service's unit does
    const s = buildMainStore(live, dead);
    const before = treeSnapshot(s.state);
    const r = await run(["cleanup", "--no-probe", flag, ""], { env: { ...cliEnv(), OPENCLAW_STATE_DIR: s.state } });
    expect(r.code).toBe(64);
    expect(r.stderr).toBe(`openclaw-sessions: ${flag} is empty: give it a value or leave it out (an unset variable?)\n`);
    expect(treeSnapshot(s.state)).toEqual(before);
  });

  it("with --json the refusal is the JSON error document", async () => {
    const r = await run(["status", "--json", "--store", " "]);
    expect(r.code).toBe(64);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { exitCode: 64, kind: "usage", message: "--store is empty: give it a value or leave it out (an unset variable?)" } });
  });
});
