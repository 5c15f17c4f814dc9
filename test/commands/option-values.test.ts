// Option values no option takes (src/commands/option-values.ts), through the whole command line:
// refused (exit 64) before anything is read or written.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { makeStateDir } from "../fixtures/store-builder.js";
import { run } from "./helpers/run.js";

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
    expect(r.stderr).toBe(`openclaw-sessions: ${flag} was given the option "${value}" as its value: put ${flag}'s value right after it (a value starting with "--" is never taken)\n`);
    expect(r.stdout).toBe("");
  });

  it("a value that only starts with a dash is still a value (a negative number gets its own range error)", async () => {
    const r = await run(["status", "--limit", "-1", "--state-dir", makeStateDir()]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--limit takes a whole number of at least 1 \(got "-1"\)/);
  });
});

describe("an option given an empty value", () => {
  it.each(["--store", "--state-dir", "--agent", "--profile"])("%s \"\": exit 64, not taken as the option left out (every agent's store)", async (flag) => {
    const state = makeStateDir();
    const r = await run(["cleanup", "--no-probe", flag, "", ...(flag === "--state-dir" ? [] : ["--state-dir", state])], { env: { OPENCLAW_STATE_DIR: state } });
    expect(r.code).toBe(64);
    expect(r.stderr).toBe(`openclaw-sessions: ${flag} is empty: give it a value or leave it out (an unset variable?)\n`);
    expect(fs.readdirSync(state)).toEqual([]);
  });

  it("with --json the refusal is the JSON error document", async () => {
    const r = await run(["status", "--json", "--store", " "]);
    expect(r.code).toBe(64);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { exitCode: 64, kind: "usage", message: "--store is empty: give it a value or leave it out (an unset variable?)" } });
  });
});
