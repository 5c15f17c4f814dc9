import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

describe("demo --era C", () => {
  it("shows an OpenClaw 2026.9 SQLite store (unresponsive running rows, finished ones idle) with serve beside it, then the cleanup report it ran, then removes it", async () => {
    const r = await runCli(["demo", "--era", "C", "--duration", "1s", "--interval", "1s"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo --era C: an OpenClaw 2026\.9 SQLite store of 16 sessions/);
    expect(r.stdout).toMatch(/serve answers at http:\/\/127\.0\.0\.1:\d+ while the demo runs/);
    expect(r.stdout).toMatch(/✖ unresponsive .* running \(stale\)/);
    expect(r.stdout).toMatch(/○ idle /);
    const state = /state dir (\S+) \(removed on exit/.exec(r.stdout)![1]!;
    // the report is the real cleanup's, run on the store before it was removed
    expect(r.stdout).toContain(`  ran: openclaw-sessions cleanup --finalize-stale --dry-run --state-dir ${state}`);
    expect(r.stdout).toMatch(/nothing written: OpenClaw manages this store itself/);
    expect(r.stdout).toMatch(/\d+ stale running row\(s\):\n\s+agent:main:task-\d+ \(running, awaiting_model\)/);
    expect(r.stdout).toMatch(/OpenClaw will: resume the interrupted turn on the next gateway start/);
    // its gateway was killed: the view is not told to follow one, so no warning that it is not running
    expect(r.stderr).not.toContain("--gateway");
    expect(fs.existsSync(state)).toBe(false);
  });
  // --generate --era C and a bad --era are checked in-process in test/commands/demo.test.ts
});
