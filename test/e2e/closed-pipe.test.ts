// A reader that leaves (`keepalive | head -1`, `demo --help | head -3`) ends the built CLI
// quietly: its own exit code, no `write EPIPE` stack. The parent closes its end of the child's
// stdout pipe: before the child starts (help, status) or after the first line (keepalive), so
// every later write meets a pipe with no reader, as behind `head`.
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { makeStateDir } from "../fixtures/store-builder.js";
import { assertBuilt, BIN, REPO_ROOT, useOwners } from "./helpers/cli.js";
import { buildStore, killLoops } from "./keepalive-fixture.js";

const { live, dead } = useOwners();
afterEach(async () => {
  await killLoops();
});

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  firstLine: string;
}

/** Runs the CLI; its stdout's reader leaves after `keepLines` lines (0: before the child runs). */
function runIntoClosingPipe(args: string[], keepLines: number, env: Record<string, string> = {}): Promise<Ended> {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let out = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  if (keepLines === 0) child.stdout.destroy();
  else {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.split("\n").length > keepLines) child.stdout.destroy();
    });
  }
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr, firstLine: out.split("\n")[0] ?? "" })));
}

describe("a closed pipe on stdout", () => {
  it.each([
    [["demo", "--help"]],
    [["status", "--help"]],
    [["--help"]],
    [["--version"]],
  ])("%j exits 0 with nothing on stderr", async (args) => {
    const r = await runIntoClosingPipe(args, 0);
    expect(r).toMatchObject({ code: 0, signal: null, stderr: "" });
  });

  it("status on a store exits with its own code and no stack", async () => {
    const fx = buildStore(live, dead);
    const r = await runIntoClosingPipe(["status", "--state-dir", fx.state], 0, fx.env);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("status --json of a missing store still exits 3 and says why on stderr", async () => {
    const state = makeStateDir("ocs-pipe-");
    const r = await runIntoClosingPipe(["status", "--state-dir", `${state}/nope`, "--json"], 0);
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.js/);
    expect(r.code).toBe(3);
  });

  it("keepalive stops after the tick in progress when its reader leaves, exit 0, its locks gone", async () => {
    const fx = buildStore(live, dead);
    const r = await runIntoClosingPipe(["keepalive", "--state-dir", fx.state, "--no-probe", "--interval", "0.1", "--json"], 1, fx.env);
    expect(JSON.parse(r.firstLine)).toMatchObject({ type: "start" });
    expect(r).toMatchObject({ code: 0, signal: null, stderr: "" });
    const again = await runIntoClosingPipe(["keepalive", "--state-dir", fx.state, "--no-probe", "--once", "--dry-run"], 0, fx.env);
    expect(again.code).toBe(0);
  });
});
