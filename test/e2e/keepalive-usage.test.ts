// Bad input to the built `keepalive`: one clear line on stderr, exit 64, nothing read or written.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { procStartTime, runCli } from "./helpers/cli.js";
import { buildStore, leftovers } from "./keepalive-fixture.js";

const nobody = { pid: 999_999_999, starttime: 1 };
// this test process stays alive while the CLI runs: a live lock owner
const self = () => ({ pid: process.pid, starttime: procStartTime(process.pid) });

describe("keepalive: usage errors exit 64 with one line and write nothing", () => {
  it.each([
    [["--interval", "0"], /--interval must be at least 100ms \(got "0"\)/],
    [["--interval", "-1"], /--interval must be/],
    [["--interval", "0.05"], /--interval must be at least 100ms/],
    [["--interval", "100000"], /--interval must be at most 1d0h/],
    [["--interval", "soon"], /--interval must be a duration like 60, 0\.5, 90s or 2m \(a bare number is seconds\) \(got "soon"\)/],
    [["--activity-threshold", "0"], /--activity-threshold must be longer than 0/],
    [["--activity-threshold", "ten"], /--activity-threshold must be a duration like 10, 90s, 10m or 1h30m \(a bare number is minutes\)/],
    [["--refresh-after", "-5m"], /--refresh-after must be a duration/],
    [["--fields", "updatedAt,status"], /--fields takes updatedAt, lastInteractionAt \(comma-separated; got "updatedAt,status"\)/],
    [["--fields", ","], /--fields takes/],
    [["--store", "/nonexistent/sessions.json", "--agent", "main"], /--store and --agent contradict each other/],
    [["--agent", "main", "--all-agents"], /--agent and --all-agents contradict each other/],
  ])("%j", async (args, message) => {
    const fx = buildStore(self(), nobody);
    const bytes = fs.readFileSync(fx.index);
    const res = await runCli(["keepalive", "--state-dir", fx.state, "--no-probe", "--once", ...args], { env: fx.env });
    expect(res.code).toBe(64);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toMatch(/^openclaw-sessions: [^\n]+\n$/);
    expect(fs.readFileSync(fx.index).equals(bytes)).toBe(true);
    expect(leftovers(fx)).toEqual([]);
  });

  it("accepts fractional seconds and durations: --interval 0.2, --refresh-after 90s, --fields updatedAt", async () => {
    const fx = buildStore(self(), nobody);
    const res = await runCli(
      ["keepalive", "--state-dir", fx.state, "--no-probe", "--once", "--dry-run", "--json", "--interval", "0.2", "--refresh-after", "90s", "--fields", "updatedAt"],
      { env: fx.env },
    );
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const rec = JSON.parse(res.stdout);
    expect(rec.touched.length).toBeGreaterThan(0);
    for (const t of rec.touched) expect(t.fields).toEqual(["updatedAt"]);
  });
});
