// `keepalive` as a user runs it: the BUILT CLI, one run per exit code of its own, and a second
// keepalive in another process. What each tick does (touches, dry runs, a store that cannot be
// read, backing off, usage errors) is run in-process in test/commands/keepalive.test.ts; real
// signals are in keepalive-signals.test.ts.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { run } from "../commands/helpers/run.js";
import { runCli, useOwners } from "./helpers/cli.js";
import { makeStateDir } from "../fixtures/store-builder.js";
import { acquireOwnLock } from "../../src/store/writer/lock-own.js";
import { ACTIVE, buildStore, holdGatewayLock, killLoops, leftovers, startLoop, stopHolders, type Fixture } from "./keepalive-fixture.js";

const { live, dead } = useOwners();
afterEach(async () => {
  await killLoops();
  stopHolders();
});

const base = (fx: Fixture) => ["--state-dir", fx.state, "--no-probe"];
const sorted = (xs: string[]) => [...xs].sort();

describe("--once", () => {
  it("exit 0: one tick touches the active sessions and leaves nothing behind", async () => {
    const fx = buildStore(live, dead);
    const res = await runCli(["keepalive", ...base(fx), "--once", "--json"], { env: fx.env });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const rec = JSON.parse(res.stdout);
    expect(rec).toMatchObject({ type: "tick", writes: 1 });
    expect(sorted(rec.touched.map((t: any) => t.sessionKey))).toEqual(sorted(ACTIVE));
    expect(leftovers(fx)).toEqual([]);
  });

  it("exit 3: a store that cannot be read is named, left as it was, and the other is still kept alive", async () => {
    const fx = buildStore(live, dead);
    const opsIndex = path.join(fx.state, "agents", "ops", "sessions", "sessions.json");
    fs.mkdirSync(path.dirname(opsIndex), { recursive: true });
    fs.writeFileSync(opsIndex, "{");
    const res = await runCli(["keepalive", ...base(fx), "--once"], { env: fx.env });
    expect(res.code).toBe(3);
    expect(res.stdout).toContain(opsIndex);
    expect(fs.readFileSync(opsIndex, "utf8")).toBe("{");
    expect(leftovers(fx)).toEqual([]);
  });

  it("exit 4: OpenClaw's own sessions.json.lock held by a live process is a refused write, named with its holder; the index unchanged", async () => {
    const fx = buildStore(live, dead);
    const gateway = await holdGatewayLock(fx);
    const bytes = fs.readFileSync(fx.index);
    const res = await runCli(["keepalive", ...base(fx), "--once", "--json"], { env: fx.env });
    gateway.release();
    expect(await gateway.done).toContain("intact");
    expect(res.code, res.stderr).toBe(4);
    const rec = JSON.parse(res.stdout);
    expect(rec.stores).toMatchObject([{ agentId: "main", outcome: "conflict", touched: 0 }]);
    // the lock, its holder's pid and name
    expect(rec.stores[0].error).toContain(`${fx.index}.lock is held by pid `);
    // its command line, cut to a limit (how much of the script's path shows depends on where the repo is)
    expect(rec.stores[0].error).toMatch(/\.lock is held by pid \d+ \(\S*node \S*(hold-gateway-lock\.mjs .*|…)\) \(the gateway is writing .*\) for more than 3 s; nothing written, try again$/);
    // one tick: no retry is promised that would never come
    expect(rec.stores[0].retryInMs).toBeUndefined();
    expect(fs.readFileSync(fx.index).equals(bytes)).toBe(true);
  }, 30_000);

  it("exit 5: our own writer lock held by another openclaw-sessions process (busy), not 4", async () => {
    const fx = buildStore(live, dead);
    // this test process holds it as another cleanup would (kept fresh, named)
    const held = await acquireOwnLock(fs.realpathSync(fx.index), fx.index);
    try {
      const res = await runCli(["keepalive", ...base(fx), "--once", "--json"], { env: fx.env });
      expect(res.code, res.stderr).toBe(5);
      const rec = JSON.parse(res.stdout);
      expect(rec.stores).toMatchObject([{ agentId: "main", outcome: "locked" }]);
      expect(rec.stores[0].error).toMatch(new RegExp(`is being written by .*pid ${process.pid}`));
    } finally {
      await held.release();
    }
  }, 30_000);

  it("exit 3: --agent naming no agent names the agents there, in the one sentence status and cleanup use, never 'no session index under'", async () => {
    const fx = buildStore(live, dead);
    const bytes = fs.readFileSync(fx.index);
    const agents = path.join(fx.state, "agents");
    const noStore = `agent nosuch has no session store: neither ${path.join(agents, "nosuch", "sessions", "sessions.json")} nor ${path.join(agents, "nosuch", "agent", "openclaw-agent.sqlite")} (OpenClaw 2026.8+) exists; agents in ${agents}: main`;
    const nosuch = [...base(fx), "--agent", "nosuch"];
    const ka = await runCli(["keepalive", ...nosuch, "--once", "--json"], { env: fx.env });
    expect(ka.code).toBe(3);
    expect(JSON.parse(ka.stdout).warnings).toEqual([noStore]);
    // the tick's record on stdout, and the one line every command's exit 3 gives on stderr
    expect(ka.stderr).toBe(`openclaw-sessions: nothing to keep alive: ${noStore}\n`);
    const text = await runCli(["keepalive", ...nosuch, "--once"], { env: fx.env });
    expect(text.code).toBe(3);
    expect(text.stdout).toContain(`warning: ${noStore}\n`);
    expect(text.stderr).toBe(`openclaw-sessions: nothing to keep alive: ${noStore}\n`);
    const status = await runCli(["status", ...nosuch, "--check"], { env: fx.env });
    expect(status.stderr).toBe(`openclaw-sessions: nothing to check: ${noStore}\n`);
    const cleanup = await runCli(["cleanup", ...nosuch], { env: fx.env });
    expect(cleanup.stderr).toBe(`openclaw-sessions: nothing to clean up: ${noStore}\n`);
    for (const r of [ka, text, status, cleanup]) expect(r.stdout + r.stderr).not.toContain("no session index under");
    // with no agent at all there, that is what is said
    const empty = makeStateDir("ocs-ka-empty-");
    const none = await runCli(["keepalive", "--state-dir", empty, "--no-probe", "--once", "--json"], { env: fx.env });
    expect(none.code).toBe(3);
    expect(JSON.parse(none.stdout).warnings).toEqual([`no session index under ${path.join(empty, "agents")} (check --state-dir or OPENCLAW_STATE_DIR)`]);
    expect(none.stderr).toBe(`openclaw-sessions: nothing to keep alive: no session index under ${path.join(empty, "agents")} (check --state-dir or OPENCLAW_STATE_DIR)\n`);
    expect(fs.readFileSync(fx.index).equals(bytes)).toBe(true);
    expect(leftovers(fx)).toEqual([]);
  });

  it("exit 64: bad usage is one line on stderr, nothing read or written", async () => {
    const fx = buildStore(live, dead);
    const bytes = fs.readFileSync(fx.index);
    const res = await runCli(["keepalive", ...base(fx), "--once", "--interval", "0"], { env: fx.env });
    expect(res.code).toBe(64);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/^openclaw-sessions: --interval must be at least 100ms \(got "0"\)\n$/);
    expect(fs.readFileSync(fx.index).equals(bytes)).toBe(true);
    expect(leftovers(fx)).toEqual([]);
  });
});

describe("one loop per store", () => {
  it("a second keepalive on the same store exits 5 naming the holder's pid; a dry run still works", async () => {
    const fx = buildStore(live, dead);
    const first = startLoop([...base(fx), "--interval", "0.2", "--json"], fx.env);
    await first.waitFor((r) => r.type === "tick");
    const pidFile = `${fx.index}.openclaw-sessions-keepalive.pid`;
    expect(JSON.parse(fs.readFileSync(pidFile, "utf8"))).toMatchObject({ pid: first.pid });

    // the built CLI once; the other second runs in-process (runProgram, as test/commands does),
    // against the same real first process
    for (const [how, extra] of [[runCli, ["--once"]], [run, []]] as const) {
      const second = await how(["keepalive", ...base(fx), "--interval", "0.2", ...extra], { env: fx.env });
      expect(second.code).toBe(5);
      expect(second.stdout).toBe("");
      expect(second.stderr).toContain(`another keepalive already runs on ${fx.index}: pid ${first.pid}`);
      expect(second.stderr.trim().split("\n")).toHaveLength(1);
    }
    const agentOnly = await run(["keepalive", ...base(fx), "--agent", "main", "--once"], { env: fx.env });
    expect(agentOnly.code).toBe(5);

    const dry = await run(["keepalive", ...base(fx), "--once", "--dry-run", "--json"], { env: fx.env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, seen: 5 });

    expect(JSON.parse(fs.readFileSync(pidFile, "utf8"))).toMatchObject({ pid: first.pid });
    first.child.kill("SIGTERM");
    expect((await first.exit).code).toBe(0);
    expect(fs.existsSync(pidFile)).toBe(false);
  }, 30_000);
});
