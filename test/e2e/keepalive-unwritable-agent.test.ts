// One agent whose sessions dir this user cannot write (another user's tree, readable; a read-only
// mount is the same refusal with EROFS): keepalive's lock for that store cannot be created. That
// agent is logged and skipped on every tick, the others are still kept alive, and `--once` exits 4
// only when a touch it needed there was refused. Before, the loop stopped at start with exit 4
// ("cannot create the keepalive lock"), leaving every other agent's sessions to expire.
// Needs another user than the files' owner: run as root (CI, this machine), the CLI runs as `nobody`.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LOOP_LOCK_SUFFIX } from "../../src/store/loop-lock.js";
import { buildRunnableByOthers, NOBODY } from "../fixtures/as-another-user.js";
import { indexPath } from "../fixtures/store-builder.js";
import { scrubbedEnv, useOwners } from "./helpers/cli.js";
import { ACTIVE, buildStore, M, readEntries, type BuildOptions, type Fixture } from "./keepalive-fixture.js";

const { live, dead } = useOwners();
const builds: string[] = [];
afterEach(() => {
  for (const b of builds.splice(0)) fs.rmSync(b, { recursive: true, force: true });
});

function chownTree(root: string, uid: number): void {
  fs.chownSync(root, uid, uid);
  for (const f of fs.readdirSync(root, { recursive: true }) as string[]) fs.chownSync(path.join(root, f), uid, uid);
}

/** agent `main` stays root's (readable, not writable by nobody); agent `ops`, a copy of it, is nobody's. */
function twoAgents(opts: BuildOptions = {}): Fixture & { ops: string } {
  const fx = buildStore(live, dead, opts);
  fs.cpSync(path.join(fx.state, "agents", "main"), path.join(fx.state, "agents", "ops"), { recursive: true });
  fs.chmodSync(fx.state, 0o755);
  for (const f of fs.readdirSync(fx.state, { recursive: true }) as string[]) {
    const p = path.join(fx.state, f);
    fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : 0o644);
  }
  chownTree(path.join(fx.state, "agents", "ops"), NOBODY);
  chownTree(fx.tmp, NOBODY);
  chownTree(fx.xdg, NOBODY);
  return { ...fx, ops: indexPath(fx.state, "ops") };
}

function nobodyCommand(fx: Fixture, args: string[]) {
  const build = buildRunnableByOthers();
  builds.push(path.dirname(build.node));
  const argv = [path.join(build.root, "bin", "openclaw-sessions.js"), "keepalive", "--no-probe", "--state-dir", fx.state, ...args];
  return { node: build.node, argv, opts: { cwd: build.root, env: scrubbedEnv(fx.env), uid: NOBODY, gid: NOBODY } };
}

function asNobody(fx: Fixture, args: string[]) {
  const c = nobodyCommand(fx, args);
  return spawnSync(c.node, c.argv, { ...c.opts, encoding: "utf8", timeout: 20_000 });
}

/** The loop as nobody, stopped with SIGTERM once it has logged `ticks` ticks. */
async function loopAsNobody(fx: Fixture, args: string[], ticks: number) {
  const c = nobodyCommand(fx, args);
  const child = spawn(c.node, c.argv, { ...c.opts, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    // once: a second signal would make it exit at once
    if (!child.killed && (stdout.match(/"type":"tick"/g) ?? []).length >= ticks) child.kill("SIGTERM");
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(killer);
  return { code, stdout, stderr };
}

const touchedAt = (file: string) => ACTIVE.map((k) => readEntries(file)[k]?.updatedAt as number);

describe.runIf(process.getuid?.() === 0)("keepalive with one agent this user cannot write", () => {
  it("--once: the other agent is kept alive; the refused touches are named with why, exit 4; nothing of ours left in the unwritable dir", () => {
    const fx = twoAgents();
    const mainBefore = fs.readFileSync(fx.index);
    const opsBefore = touchedAt(fx.ops);

    const r = asNobody(fx, ["--once", "--json"]);
    expect(r.status, r.stderr).toBe(4);
    const rec = JSON.parse(r.stdout);
    expect(rec).toMatchObject({ type: "tick", writes: 1 });
    const byAgent = Object.fromEntries(rec.stores.map((s: any) => [s.agentId, s]));
    expect(byAgent.ops).toMatchObject({ outcome: "written", touched: 2 });
    expect(byAgent.main).toMatchObject({ outcome: "refused", touched: 0, seen: 5 });
    expect(byAgent.main.error).toMatch(/^2 touches due, not written: cannot create the keepalive lock .*sessions\.json\.openclaw-sessions-keepalive\.pid .*EACCES/);
    // one line of its own on stdout, no error record appended
    expect(r.stdout.trim().split("\n")).toHaveLength(1);

    expect(fs.readFileSync(fx.index).equals(mainBefore)).toBe(true);
    expect(fs.existsSync(`${fx.index}${LOOP_LOCK_SUFFIX}`)).toBe(false);
    const opsAfter = touchedAt(fx.ops);
    opsAfter.forEach((at, i) => expect(at).toBeGreaterThan(opsBefore[i]!));
  });

  it("--once with nothing due in the unwritable agent: exit 0, and the text line still says why it could not be written", () => {
    // touched a minute ago: nothing is due anywhere
    const fx = twoAgents({ activeTouchedAgo: 1 * M });
    const r = asNobody(fx, ["--once"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/; main not writable: cannot create the keepalive lock \S+ for \S+: EACCES: permission denied, .*; nothing was due, a touch that comes due will not be written/);
  });

  it("the loop: said at start, then that agent is skipped on every tick while the other is kept alive; stops cleanly", async () => {
    const fx = twoAgents();
    const mainBefore = fs.readFileSync(fx.index);
    const r = await loopAsNobody(fx, ["--interval", "0.2", "--json"], 3);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const records = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const [start, ...rest] = records;
    expect(start).toMatchObject({ type: "start", stores: [fx.ops] });
    expect(start.warnings).toEqual([expect.stringMatching(/^agent main: cannot create the keepalive lock .*EACCES.*; its sessions are read every tick but not written until this can be created$/)]);
    const ticks = rest.filter((t) => t.type === "tick");
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const t of ticks) {
      const main = t.stores.find((s: any) => s.agentId === "main");
      expect(main.error).toMatch(/cannot create the keepalive lock/);
    }
    expect(ticks[0].stores.find((s: any) => s.agentId === "ops")).toMatchObject({ outcome: "written", touched: 2 });
    expect(records.at(-1)).toMatchObject({ type: "stop", signal: "SIGTERM", writes: 1 });
    expect(fs.readFileSync(fx.index).equals(mainBefore)).toBe(true);
  });
});
