// `keepalive`'s behaviour, run in-process (the whole command line on buffers, stop signals from an
// emitter) on real files in real time: who is touched over several ticks, that a dry run and a
// fresh store write nothing at all, a corrupt or missing index mid-run, backing off a conflict,
// usage errors. The built CLI's own runs (real signals, a second loop in another process, every
// exit code) are under test/e2e.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir, sessionsDir } from "../fixtures/store-builder.js";
import { procStartTime, useOwners } from "../e2e/helpers/cli.js";
import { ACTIVE, auditLines, buildStore, holdGatewayLock, KEYS, leftovers, M, readEntries, S, stopHolders, type Fixture } from "../e2e/keepalive-fixture.js";
import { startLoopInProcess as startLoop, stopLoopsInProcess } from "./helpers/keepalive-loop.js";
import { runProgram } from "../../src/program.js";
import { bufferIo, run as runCli, unknownFailureStdout, type Sink } from "./helpers/run.js";

/** Resolves once what was written to `out` satisfies `done` (woken by each write, never by a timer). */
function untilOutput(out: Sink, done: (text: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!done(out.text)) return;
      out.off("data-written", check);
      resolve();
    };
    out.on("data-written", check);
    check();
  });
}

const nobody = { pid: 999_999_999, starttime: 1 };
// this test process stays alive while keepalive runs: a live lock owner
const self = () => ({ pid: process.pid, starttime: procStartTime(process.pid) });


const { live, dead } = useOwners();
afterEach(async () => {
  await stopLoopsInProcess();
  stopHolders();
});

const base = (fx: Fixture) => ["--state-dir", fx.state, "--no-probe"];
const sorted = (xs: string[]) => [...xs].sort();
const touchedKeys = (rec: any) => sorted(rec.touched.map((t: any) => t.sessionKey));
const statOf = (p: string) => {
  const st = fs.statSync(p, { bigint: true });
  return { size: st.size, mtimeNs: st.mtimeNs, ino: st.ino };
};
const backups = (fx: Fixture) => fs.readdirSync(sessionsDir(fx.state)).filter((f) => f.includes(".bak."));


describe("keepalive over several ticks", () => {
  it("touches only the sessions with a run in progress and a live owner, once, then leaves them alone while fresh", async () => {
    const fx = buildStore(live, dead);
    const before = readEntries(fx.index);
    const loop = startLoop([...base(fx), "--interval", "0.2", "--json"], fx.env);
    await loop.waitFor((r) => r.type === "tick" && r.tick === 3);
    loop.signal("SIGTERM");
    expect(await loop.exit).toEqual({ code: 0, signal: null });
    expect(loop.stderr()).toBe("");

    const [start, ...rest] = loop.records;
    expect(start).toMatchObject({ schemaVersion: 1, type: "start", pid: loop.pid, intervalMs: 200, activityThresholdMs: 10 * M, freshWithinMs: 10 * M, dryRun: false });
    expect(start.stores).toEqual([fx.index]);
    const ticks = rest.filter((r) => r.type === "tick");
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(rest.at(-1)).toMatchObject({ type: "stop", signal: "SIGTERM", ticks: ticks.length, writes: 1 });

    const [first, ...later] = ticks;
    expect(first).toMatchObject({ tick: 1, seen: 5, writes: 1, skipped: { idle: 1, finalized: 1, unresponsive: 1 } });
    expect(touchedKeys(first)).toEqual(sorted(ACTIVE));
    for (const t of first.touched) expect(sorted(t.fields)).toEqual(["lastInteractionAt", "updatedAt"]);
    expect(first.stores).toMatchObject([{ agentId: "main", storePath: fx.index, outcome: "written", seen: 5, touched: 2 }]);
    for (const t of later) {
      expect(t).toMatchObject({ seen: 5, touched: [], writes: 0, skipped: { fresh: 2, idle: 1, finalized: 1, unresponsive: 1 } });
      expect(t.stores[0].outcome).toBe("unchanged");
    }

    const after = readEntries(fx.index);
    const at = first.stores[0].at;
    expect(at).toBeGreaterThanOrEqual(fx.builtAt);
    for (const key of ACTIVE) {
      expect(after[key]).toEqual({ ...before[key], updatedAt: at, lastInteractionAt: at });
    }
    for (const key of [KEYS.idle, KEYS.finalized, KEYS.dead]) expect(after[key]).toEqual(before[key]);
    expect(Object.keys(after)).toEqual(Object.keys(before));

    const [intent, ...audit] = auditLines(fx);
    expect(intent).toMatchObject({ kind: "intent", command: "keepalive" });
    expect(sorted(audit.map((a) => a.sessionKey as string))).toEqual(sorted(ACTIVE));
    for (const a of audit) expect(a).toMatchObject({ kind: "apply", command: "keepalive", action: "touch", set: { updatedAt: at, lastInteractionAt: at } });
    expect(leftovers(fx)).toEqual([]);
  }, 30_000);

  it("a --dry-run loop's start record names the stores it watches (it takes no loop lock, but loops over them all the same)", async () => {
    const fx = buildStore(live, dead);
    const loop = startLoop([...base(fx), "--interval", "0.2", "--dry-run", "--json"], fx.env);
    await loop.waitFor((r) => r.type === "tick" && r.tick === 1);
    loop.signal("SIGTERM");
    expect(await loop.exit).toEqual({ code: 0, signal: null });
    expect(loop.records[0]).toMatchObject({ type: "start", dryRun: true, stores: [fx.index] });
  });

  it("--once --dry-run plans the same touches and writes nothing (bytes, mtime, no audit, no backup)", async () => {
    const fx = buildStore(live, dead);
    const bytes = fs.readFileSync(fx.index);
    const stat = statOf(fx.index);

    const json = await runCli(["keepalive", ...base(fx), "--once", "--dry-run", "--json"], { env: fx.env });
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    const lines = json.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]);
    expect(rec).toMatchObject({ schemaVersion: 1, type: "tick", tick: 1, dryRun: true, seen: 5, writes: 0, skipped: { idle: 1, finalized: 1, unresponsive: 1 } });
    expect(touchedKeys(rec)).toEqual(sorted(ACTIVE));
    expect(rec.stores[0].outcome).toBe("planned");

    const human = await runCli(["keepalive", ...base(fx), "--once", "--dry-run"], { env: fx.env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z tick 1: 5 sessions seen, would touch 2 \(agent:main:main, agent:main:telegram:direct:4242\), skipped 3 \(finalized 1, idle 1, unresponsive 1\)\n$/);

    expect(fs.readFileSync(fx.index).equals(bytes)).toBe(true);
    expect(statOf(fx.index)).toEqual(stat);
    expect(fs.existsSync(fx.auditPath)).toBe(false);
    expect(backups(fx)).toEqual([]);
    expect(leftovers(fx)).toEqual([]);
  }, 30_000);

  it("a store whose kept-alive fields are already fresh is not written at all", async () => {
    const fx = buildStore(live, dead, { activeTouchedAgo: 5 * S });
    const bytes = fs.readFileSync(fx.index);
    const stat = statOf(fx.index);
    const res = await runCli(["keepalive", ...base(fx), "--once", "--json"], { env: fx.env });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const rec = JSON.parse(res.stdout);
    expect(rec).toMatchObject({ dryRun: false, seen: 5, touched: [], writes: 0, skipped: { fresh: 2, idle: 1, finalized: 1, unresponsive: 1 } });
    expect(rec.stores[0].outcome).toBe("unchanged");
    expect(fs.readFileSync(fx.index).equals(bytes)).toBe(true);
    expect(statOf(fx.index)).toEqual(stat);
    expect(auditLines(fx)).toEqual([]);
    expect(backups(fx)).toEqual([]);
    expect(leftovers(fx)).toEqual([]);
  }, 30_000);
});

describe("a pid file left behind", () => {
  it("a pid file left by a dead keepalive is taken over, and removed on exit", async () => {
    const fx = buildStore(live, dead);
    const pidFile = `${fx.index}.openclaw-sessions-keepalive.pid`;
    fs.writeFileSync(pidFile, JSON.stringify({ pid: dead.pid, starttime: dead.starttime, hostname: (await import("node:os")).hostname(), startedAt: "2026-01-01T00:00:00.000Z" }));
    const res = await runCli(["keepalive", ...base(fx), "--once", "--json"], { env: fx.env });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(touchedKeys(JSON.parse(res.stdout))).toEqual(sorted(ACTIVE));
    expect(leftovers(fx)).toEqual([]);
  }, 30_000);
});

describe("a state dir that is not there at start", () => {
  it("is a wrong --state-dir, not one to wait for: exit 3 with one line (the error document with --json), nothing created", async () => {
    const missing = path.join(makeTempDir("ocs-ka-missing-"), "no-state");
    for (const extra of [[], ["--json"]]) {
      const r = await runCli(["keepalive", "--interval", "1s", "--no-probe", "--state-dir", missing, ...extra]);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`openclaw-sessions: no OpenClaw state dir at ${missing} (set --state-dir or OPENCLAW_STATE_DIR)\n`);
      expect(r.stdout).toBe(unknownFailureStdout(extra, r.stderr));
    }
    expect(fs.existsSync(missing)).toBe(false);
  });

  it("nor is a --store that is not there: exit 3 naming it", async () => {
    const missing = path.join(makeTempDir("ocs-ka-missing-"), "nope", "sessions.json");
    const r = await runCli(["keepalive", "--interval", "1s", "--no-probe", "--store", missing, "--json"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`openclaw-sessions: no session index at ${missing} (check --store)\n`);
    expect(r.stdout).toBe(unknownFailureStdout(["--json"], r.stderr));
  });
});

describe("a store that cannot be read mid-run", () => {
  it("is logged and skipped, never written, and the loop recovers when it is fixed (corrupt, then missing)", async () => {
    const fx = buildStore(live, dead);
    const loop = startLoop([...base(fx), "--interval", "0.2", "--json"], fx.env);
    const wrote = await loop.waitFor((r) => r.type === "tick" && r.writes === 1);
    const good = fs.readFileSync(fx.index);

    // a torn write by someone else: half the file
    const torn = good.subarray(0, Math.floor(good.length / 2));
    fs.writeFileSync(fx.index, torn);
    const bad = await loop.waitFor((r) => r.type === "tick" && r.tick > wrote.tick && r.stores[0]?.outcome === "unreadable");
    expect(bad.stores[0]).toMatchObject({ agentId: "main", storePath: fx.index, seen: 0, touched: 0 });
    expect(bad.stores[0].error).toContain(fx.index);
    await loop.waitFor((r) => r.type === "tick" && r.tick >= bad.tick + 3);
    expect(fs.readFileSync(fx.index).equals(torn)).toBe(true);

    // fixed, with the active sessions due again
    const fixed = JSON.parse(good.toString("utf8"));
    for (const key of ACTIVE) fixed[key].updatedAt = fixed[key].lastInteractionAt = Date.now() - 20 * M;
    fs.writeFileSync(fx.index, JSON.stringify(fixed, null, 2));
    const recovered = await loop.waitFor((r) => r.type === "tick" && r.tick > bad.tick && r.writes === 1);
    expect(touchedKeys(recovered)).toEqual(sorted(ACTIVE));
    expect(readEntries(fx.index)[KEYS.active1].updatedAt).toBe(recovered.stores[0].at);

    // gone: nothing to read, nothing written, one warning; back: read again
    const kept = fs.readFileSync(fx.index);
    fs.unlinkSync(fx.index);
    const missing = await loop.waitFor((r) => r.type === "tick" && r.tick > recovered.tick && r.seen === 0);
    expect(missing.warnings.join("\n")).toContain(path.join(fx.state, "agents"));
    await loop.waitFor((r) => r.type === "tick" && r.tick >= missing.tick + 2);
    expect(fs.existsSync(fx.index)).toBe(false);
    fs.writeFileSync(fx.index, kept, { mode: 0o600 });
    await loop.waitFor((r) => r.type === "tick" && r.tick > missing.tick && r.seen === 5);

    loop.signal("SIGTERM");
    expect((await loop.exit).code).toBe(0);
    // the warning was logged once, not on every tick
    const warned = loop.records.filter((r) => r.type === "tick" && r.warnings.length > 0);
    expect(warned).toHaveLength(1);
    expect(leftovers(fx)).toEqual([]);
  }, 40_000);

  it("one agent's corrupt index is skipped while the other agent is kept alive; --once then exits 3", async () => {
    const fx = buildStore(live, dead);
    const opsIndex = path.join(fx.state, "agents", "ops", "sessions", "sessions.json");
    fs.mkdirSync(path.dirname(opsIndex), { recursive: true });
    fs.writeFileSync(opsIndex, '{"agent:ops:main": {"sessionId": "x", "upda');
    const res = await runCli(["keepalive", ...base(fx), "--once", "--json"], { env: fx.env });
    expect(res.code).toBe(3);
    const rec = JSON.parse(res.stdout);
    const byAgent = Object.fromEntries(rec.stores.map((st: any) => [st.agentId, st]));
    expect(byAgent.main).toMatchObject({ outcome: "written", touched: 2 });
    expect(byAgent.ops).toMatchObject({ outcome: "unreadable", storePath: opsIndex, seen: 0 });
    expect(byAgent.ops.error).toContain(opsIndex);
    expect(touchedKeys(rec)).toEqual(sorted(ACTIVE));
    expect(fs.readFileSync(opsIndex, "utf8")).toBe('{"agent:ops:main": {"sessionId": "x", "upda');
    expect(leftovers(fx)).toEqual([]);
  }, 30_000);

  it("a config that stops parsing mid-run: the tick is skipped and logged, nothing written, then it recovers", async () => {
    const fx = buildStore(live, dead);
    const config = path.join(fx.state, "openclaw.json");
    fs.writeFileSync(config, JSON.stringify({ session: { maintenance: { pruneAfter: "30d" } } }));
    const loop = startLoop([...base(fx), "--interval", "0.2", "--json"], fx.env);
    const wrote = await loop.waitFor((r) => r.type === "tick" && r.writes === 1);
    fs.writeFileSync(config, "{ session: ");
    const before = fs.readFileSync(fx.index);
    const bad = await loop.waitFor((r) => r.type === "tick" && r.tick > wrote.tick && r.stores[0]?.outcome === "unreadable");
    expect(bad.stores[0]).toMatchObject({ agentId: "(all)", seen: 0 });
    expect(bad.stores[0].error).toContain(`cannot parse config ${config}`);
    fs.writeFileSync(config, JSON.stringify({}));
    await loop.waitFor((r) => r.type === "tick" && r.tick > bad.tick && r.seen === 5);
    expect(fs.readFileSync(fx.index).equals(before)).toBe(true); // fresh: nothing due
    loop.signal("SIGTERM");
    expect((await loop.exit).code).toBe(0);
  }, 30_000);
});

describe("stopping", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("%s between ticks: exit 0, a stop line, no lock, pid or temp file left", async (sig) => {
    const fx = buildStore(live, dead);
    const loop = startLoop([...base(fx), "--interval", "0.2", "--json"], fx.env);
    await loop.waitFor((r) => r.type === "tick" && r.tick === 2);
    loop.signal(sig);
    expect(await loop.exit).toEqual({ code: 0, signal: null });
    expect(loop.records.at(-1)).toMatchObject({ type: "stop", signal: sig });
    expect(loop.stderr()).toBe("");
    expect(leftovers(fx)).toEqual([]);
  }, 30_000);
});

describe("stopped by whoever runs it in-process (the command context's stop, as demo and tests use it)", () => {
  it("ends the loop after the tick in progress, exit 0, a stop line without a signal, nothing left", async () => {
    const fx = buildStore(live, dead);
    const stop = new AbortController();
    const io = bufferIo({ env: fx.env });
    const done = runProgram(["keepalive", ...base(fx), "--interval", "0.2", "--json"], io, stop.signal);
    await untilOutput(io.stdout, (text) => text.includes('"tick":2'));
    stop.abort();
    expect(await done).toBe(0);
    const records = io.stdout.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(records.at(-1)).toMatchObject({ type: "stop" });
    expect(records.at(-1)).not.toHaveProperty("signal");
    expect(records.at(-1).ticks).toBeGreaterThanOrEqual(2);
    expect(io.stderr.text).toBe("");
    expect(leftovers(fx)).toEqual([]);
  });
});

describe("conflicts", () => {
  it("back off: a write that cannot get the gateway's lock is retried later, not every tick, and goes through once it is free", async () => {
    const fx = buildStore(live, dead);
    // held until the test has seen the conflict and the back-off: however slowly the loop starts
    const gateway = await holdGatewayLock(fx);
    // --interval 0.2: a write waits at most 1 s for the gateway's lock
    const loop = startLoop([...base(fx), "--interval", "0.2", "--json"], fx.env);
    const conflict = await loop.waitFor((r) => r.type === "tick" && r.stores[0]?.outcome === "conflict");
    expect(conflict.writes).toBe(0);
    expect(conflict.stores[0].error).toMatch(/sessions\.json\.lock is held by pid \d+/);
    expect(conflict.stores[0].retryInMs).toBeGreaterThan(0);
    // the loop keeps ticking, but leaves the store alone until the retry time
    const next = await loop.waitFor((r) => r.type === "tick" && r.tick > conflict.tick && r.stores[0]?.outcome === "backoff");
    expect(next.stores[0].retryInMs).toBeGreaterThan(0);
    expect(next.writes).toBe(0);
    gateway.release();
    expect(await gateway.done).toContain("intact");
    const written = await loop.waitFor((r) => r.type === "tick" && r.writes === 1, 20_000);
    expect(written.touched.map((t: any) => t.sessionKey).sort()).toEqual([...ACTIVE].sort());
    loop.signal("SIGTERM");
    expect((await loop.exit).code).toBe(0);
    expect(leftovers(fx)).toEqual([]);
  }, 40_000);
});

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
