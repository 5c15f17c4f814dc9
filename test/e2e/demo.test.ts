// `demo` as a user (or CI) runs it: the built CLI, no terminal. It must end by itself, show the
// simulated store, advise a cleanup, and leave nothing behind: no temp dir, no process.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cleanupStateDirs, makeTempDir } from "../fixtures/store-builder.js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, BIN, REPO_ROOT, runCli, runJson, type CliResult } from "./helpers/cli.js";

afterEach(cleanupStateDirs);
beforeAll(() => assertBuilt());

/** Every process that inherited this exact TMPDIR: the demo, its simulated runners, its cleanup child. */
function processesWithTmpdir(tmpdir: string): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`, "latin1").split("\0");
      if (env.includes(`TMPDIR=${tmpdir}`)) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** The pids the demo says it stopped, from its last line. */
function reportedRunners(stdout: string): number[] {
  const m = /runner process(?:es)? \(pid ([\d, ]+)\)/.exec(stdout);
  return m ? m[1]!.split(/,\s*/).map(Number) : [];
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

/** What demo left in TMPDIR; Node's compile cache (bin/openclaw-sessions.js) is Node's, shared by every run, not demo's. */
function leftIn(tmpdir: string): string[] {
  return fs.readdirSync(tmpdir).filter((name) => name !== "node-compile-cache");
}

function expectNothingLeft(tmpdir: string, stdout: string): void {
  expect(leftIn(tmpdir)).toEqual([]);
  expect(processesWithTmpdir(tmpdir)).toEqual([]);
  for (const pid of reportedRunners(stdout)) expect(alive(pid), `runner ${pid}`).toBe(false);
}

const snapshots = (stdout: string) => stdout.split("\n").filter((l) => /^# \d{4}-\d\d-\d\dT/.test(l));

describe("demo without a terminal", () => {
  it("prints snapshots for --duration, advises a cleanup dry run, exits 0 and leaves nothing behind", async () => {
    const tmpdir = makeTempDir("demo-e2e-tmp-");
    const r = await runCli(["demo", "--duration", "2.5", "--interval", "0.5", "--speed", "20"], { env: { TMPDIR: tmpdir }, timeoutMs: 25_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(snapshots(r.stdout).length).toBeGreaterThanOrEqual(3);
    expect(r.stdout).toMatch(/HEALTH\s+SESSION/);
    // the simulated store really shows the things the demo is for
    expect(r.stdout).toMatch(/✖ unresponsive/);
    expect(r.stdout).toMatch(/● active/);
    const stateDir = /state dir (\S+)/.exec(r.stdout)?.[1];
    expect(stateDir?.startsWith(tmpdir)).toBe(true);
    // the store is gone after the demo: the command is reported as run, not offered for pasting
    expect(r.stdout).toContain(`ran: openclaw-sessions cleanup --finalize-stale --dry-run --state-dir ${stateDir} --stale-after`);
    expect(r.stdout).not.toContain("$ openclaw-sessions cleanup");
    expect(r.stdout).toContain("demo --keep DIR");
    // the advice is cleanup's own dry-run report on that store
    const advice = r.stdout.slice(r.stdout.indexOf("ran: openclaw-sessions cleanup"));
    expect(advice).toContain(path.join(stateDir!, "agents", "main", "sessions", "sessions.json"));
    expect(r.stdout).toMatch(/demo stopped: the simulated gateway.* stopped; its temp store was removed \(demo --keep DIR keeps it\)/);
    // no path is printed after it was removed
    expect(r.stdout.slice(r.stdout.indexOf("demo stopped"))).not.toContain(tmpdir);
    expect(fs.existsSync(stateDir!)).toBe(false);
    expectNothingLeft(tmpdir, r.stdout);
  });

  it("SIGTERM mid-demo: stops the simulator and its processes, removes the temp dir, exits 0", async () => {
    const tmpdir = makeTempDir("demo-e2e-tmp-");
    const child = spawn(process.execPath, [BIN, "demo", "--interval", "0.5", "--speed", "20"], {
      cwd: REPO_ROOT,
      env: { ...process.env, TMPDIR: tmpdir, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    // wait for two snapshots, woken by the output itself: the demo is in full swing
    let swinging: () => void = () => {};
    const inFullSwing = new Promise<void>((resolve) => (swinging = resolve));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (snapshots(stdout).length >= 2) swinging();
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const closed = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
    const killer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    try {
      await Promise.race([inFullSwing, closed]);
      expect(snapshots(stdout).length).toBeGreaterThanOrEqual(2);
      // the scan does find the demo (and anything it started) while it runs
      expect(processesWithTmpdir(tmpdir)).toContain(child.pid);
      expect(leftIn(tmpdir).length).toBe(1);
      // serve runs beside it, on the port the intro names, with the simulated sessions
      const url = /serve answers at (http:\/\/127\.0\.0\.1:\d+) /.exec(stdout)?.[1];
      expect(stdout).toContain(`curl -s ${url}/api/sessions/heartbeat`);
      // the simulated gateway starts its 16 sessions over its first seconds: wait for the last
      const sessionsServed = async () => ((await (await fetch(`${url}/api/sessions/heartbeat`)).json()) as { sessions: unknown[] }).sessions.length;
      const deadline = Date.now() + 10_000;
      let served = await sessionsServed();
      while (served < 16 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        served = await sessionsServed();
      }
      expect(served).toBeGreaterThanOrEqual(16);
      child.kill("SIGTERM");
      const r = await closed;
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(/demo stopped \(SIGTERM\)/);
      expectNothingLeft(tmpdir, r.stdout);
    } finally {
      clearTimeout(killer);
    }
  });

  it("--keep DIR writes the store there and keeps it; the temp dir still goes", async () => {
    const tmpdir = makeTempDir("demo-e2e-tmp-");
    const keep = path.join(makeTempDir("demo-e2e-keep-"), "store");
    const r = await runCli(["demo", "--duration", "0.5", "--interval", "0.5", "--speed", "20", "--keep", keep], { env: { TMPDIR: tmpdir }, timeoutMs: 25_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`kept ${keep}`);
    // a kept store is still there: the command is offered for pasting
    expect(r.stdout).toContain(`$ openclaw-sessions cleanup --finalize-stale --dry-run --state-dir ${keep} --stale-after`);
    expect(fs.existsSync(path.join(keep, "openclaw.json"))).toBe(true);
    expectNothingLeft(tmpdir, r.stdout);
    const { result, doc } = await runJson(["status", "--state-dir", keep, "--no-probe"]);
    expect(result.code).toBe(0);
    expect(doc.sessions.length).toBeGreaterThanOrEqual(16);
    expect(new Set(doc.stores.map((s: any) => s.era))).toEqual(new Set(["B"]));
    // the gateway is gone: no run can still be in progress with a live owner
    expect(doc.sessions.filter((s: any) => s.health === "active" || s.health === "waiting" || s.health === "stalled")).toEqual([]);
  });

  it("--keep refuses a directory that is not empty, before writing anything", async () => {
    const tmpdir = makeTempDir("demo-e2e-tmp-");
    const keep = makeTempDir("demo-e2e-keep-");
    fs.writeFileSync(path.join(keep, "precious.txt"), "mine");
    const r = await runCli(["demo", "--duration", "1", "--keep", keep], { env: { TMPDIR: tmpdir } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(keep);
    expect(r.stderr).toMatch(/not empty/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(keep)).toEqual(["precious.txt"]);
    expect(leftIn(tmpdir)).toEqual([]);
  });
});

// demo --generate (a static store, and its refusals) is checked in-process in test/commands/demo.test.ts
