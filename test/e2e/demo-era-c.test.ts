import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

describe("demo --era C", () => {
  it("shows an OpenClaw 2026.9 SQLite store (unresponsive running rows, finished ones idle), then removes it", async () => {
    const r = await runCli(["demo", "--era", "C", "--duration", "1s", "--interval", "1s"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo --era C: an OpenClaw 2026\.9 SQLite store of 16 sessions/);
    expect(r.stdout).toMatch(/✖ unresponsive .* running \(stale\)/);
    expect(r.stdout).toMatch(/○ idle /);
    const state = /state dir (\S+) \(removed on exit/.exec(r.stdout)![1]!;
    expect(fs.existsSync(state)).toBe(false);
  });
  // --generate --era C and a bad --era are checked in-process in test/commands/demo.test.ts
});
