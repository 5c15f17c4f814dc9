// `status` through the built CLI, as a monitoring system or a user runs it: each exit code once,
// the one-line error with no stack trace, colour on a real pipe, node:sqlite's warning kept off
// stderr. What status decides and prints is tested in-process under test/commands/status-*.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { indexPath, makeStateDir, makeTempDir, writeIndex } from "../fixtures/store-builder.js";
import { capturedAt, copyRun, liveOwner } from "../fixtures/real-openclaw-c.js";
import path from "node:path";
import { checkStore } from "../commands/helpers/check-store.js";
import { useFakeGateways } from "../commands/helpers/fake-gateway-store.js";
import { ANSI, REPO_ROOT, runCli, useOwners } from "./helpers/cli.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");
const owners = useOwners();
const env = (extra: Record<string, string> = {}) => ({ OPENCLAW_SESSIONS_NOW: String(NOW), TMPDIR: makeTempDir("ocs-e2e-tmp-"), ...extra });
const status = (state: string, args: string[] = [], extra: Record<string, string> = {}) => runCli(["status", "--state-dir", state, "--no-probe", ...args], { env: env(extra) });

/** A state dir whose only index is not JSON. */
function corruptIndexState(): string {
  const state = makeStateDir();
  writeIndex(state, "main", {});
  fs.writeFileSync(indexPath(state, "main"), "{broken");
  return state;
}

describe("status --check: the exit code a monitor reads", () => {
  it("0 fine, 1 stalled, 2 unresponsive", async () => {
    const codes = await Promise.all([
      status(checkStore(["idle", "waiting"], owners, NOW), ["--check"]),
      status(checkStore(["idle", "stalled"], owners, NOW), ["--check"]),
      status(checkStore(["stalled", "unresponsive"], owners, NOW), ["--check"]),
    ]);
    expect(codes.map((r) => r.code)).toEqual([0, 1, 2]);
    expect(codes.map((r) => r.stderr)).toEqual(["", "", ""]);
  });

  it("3 for a corrupt index: one line naming the file, no stack trace, nothing on stdout", async () => {
    const state = corruptIndexState();
    const r = await status(state, ["--check"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^openclaw-sessions: session index ${indexPath(state, "main").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid JSON at [^\\n]+\\n$`));
  });

  it("3 for a corrupt index with --json: the error document on stdout for the script, the line on stderr for its log", async () => {
    const state = corruptIndexState();
    const r = await status(state, ["--json"]);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual({ schemaVersion: 1, error: { exitCode: 3, kind: "unknown", message: expect.stringContaining(indexPath(state, "main")) } });
    expect(r.stderr).toBe(`openclaw-sessions: ${doc.error.message}\n`);
  });

  // nothing to check (an empty or missing state dir, an agent with no index) is the same exit 3 as
  // the corrupt index above: status and keepalive --once on those stores are checked in-process in
  // test/commands/status-check.test.ts

  it("64 for a bad value, one line naming the option", async () => {
    const r = await status(makeStateDir(), ["--limit", "0"]);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^openclaw-sessions: --limit [^\n]+\n$/);
  });

  it("64 for an unknown option, named the same way, then the help hint", async () => {
    const r = await status(makeStateDir(), ["--no-such-flag"]);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("openclaw-sessions: unknown option '--no-such-flag'\n(run with --help for usage)\n");
  });
});

describe("status --gateway", () => {
  const { setup } = useFakeGateways("agent:main:main", "0f0e0d0c-0000-4000-8000-0000000000aa");

  it("69 when the gateway refuses our secret: one line", async () => {
    const { state, env: gwEnv } = await setup({ auth: { mode: "token", token: "right" } }, { gateway: { auth: { mode: "token", token: "wrong" } } });
    const r = await runCli(["status", "--state-dir", state, "--no-probe", "--gateway", "--gateway-wait", "10s"], { env: gwEnv });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/^openclaw-sessions: --gateway: gateway at 127\.0\.0\.1:\d+ refused our connect: INVALID_REQUEST[^\n]*\n$/);
  });
});

describe("colour", () => {
  const store = () => checkStore(["idle", "unresponsive"], owners, NOW);

  it("a pipe gets no ANSI escapes by default; FORCE_COLOR=1 does colour it (so the other checks can fail)", async () => {
    const [plain, forced] = await Promise.all([status(store()), status(store(), [], { FORCE_COLOR: "1" })]);
    expect(plain.stdout).toContain("unresponsive");
    expect(plain.stdout).not.toMatch(ANSI);
    expect(forced.stdout).toMatch(ANSI);
  });

  it("NO_COLOR=1 and --no-color win even over FORCE_COLOR=1", async () => {
    const runs = await Promise.all([status(store(), [], { FORCE_COLOR: "1", NO_COLOR: "1" }), status(store(), ["--no-color"], { FORCE_COLOR: "1" })]);
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("unresponsive");
      expect(r.stdout).not.toMatch(ANSI);
      expect(r.stderr).not.toMatch(ANSI);
    }
  });
});

describe("session keys", () => {
  it("a `__proto__` key (and `constructor`) is listed like any other in --json and the table, with no warning", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", {});
    // written as text: a JS object literal would make __proto__ its prototype, not a key
    fs.writeFileSync(
      indexPath(state, "main"),
      `{"agent:main:a": {"sessionId": "a", "updatedAt": ${NOW - 1000}}, "__proto__": {"sessionId": "p", "updatedAt": ${NOW - 2000}}, "constructor": {"sessionId": "c", "updatedAt": ${NOW - 3000}}}`,
    );
    const json = await status(state, ["--json"]);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.sessions.map((s: { sessionKey: string }) => s.sessionKey).sort()).toEqual(["__proto__", "agent:main:a", "constructor"]);
    expect(doc.sessions.find((s: { sessionKey: string }) => s.sessionKey === "__proto__")).toMatchObject({ sessionId: "p", updatedAt: NOW - 2000 });
    expect(doc).toMatchObject({ total: 3, warnings: [] });
    const table = await status(state);
    expect(table.stdout).toMatch(/^\S+ idle\s+__proto__\s+main\s/m);
    expect(table.stdout).toContain("3 sessions:");
  });
});

describe("era C", () => {
  it("a real 2026.9.6 store is read with no ExperimentalWarning from node:sqlite on stderr, also where node:sqlite warns as on Node 22", async () => {
    // Node 24 prints no warning when node:sqlite loads; the preload makes it warn as Node 22 does
    const warnAsNode22 = `--require ${JSON.stringify(path.join(REPO_ROOT, "test", "e2e", "helpers", "node22-sqlite-warning.cjs"))}`;
    const control = spawnSync(process.execPath, ["-e", 'require("node:sqlite")'], { env: { ...process.env, NODE_OPTIONS: warnAsNode22 }, encoding: "utf8" });
    expect(control.stderr, "the preload makes node:sqlite warn").toMatch(/ExperimentalWarning: SQLite is an experimental feature/);
    const copy = copyRun("c2-live-waiting-model");
    try {
      for (const env of [{}, { NODE_OPTIONS: warnAsNode22 }]) {
        const r = await runCli(["status", "--json", "--check", "--no-probe", "--state-dir", copy.stateDir], { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z", ...env } });
        expect(r.code).toBe(2);
        expect(JSON.parse(r.stdout).stores[0].era).toBe("C");
        expect(r.stderr).not.toMatch(/ExperimentalWarning|experimental/i);
      }
    } finally {
      fs.rmSync(copy.root, { recursive: true, force: true });
    }
  });

  it("agent databases that cannot be read (not SQLite, cut short) beside a real one: exit 3, each in unreadableStores with why, the real one's session still judged", async () => {
    const copy = copyRun("c2-live-waiting-model");
    try {
      const broken = path.join(copy.stateDir, "agents", "broken", "agent", "openclaw-agent.sqlite");
      const cut = path.join(copy.stateDir, "agents", "cut", "agent", "openclaw-agent.sqlite");
      for (const f of [broken, cut]) fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(broken, "garbage\n");
      fs.writeFileSync(cut, fs.readFileSync(copy.dbPath).subarray(0, 100_000));
      const env = { OPENCLAW_SESSIONS_NOW: String(capturedAt("c2-live-waiting-model")) };
      const r = await runCli(["status", "--json", "--no-probe", "--state-dir", copy.stateDir], { env });
      expect(r.code).toBe(3);
      const doc = JSON.parse(r.stdout);
      expect(doc.sessions.map((x: { sessionKey: string }) => x.sessionKey)).toEqual(["agent:main:c2-model-wait"]);
      expect(doc.unreadableStores).toEqual([
        { agentId: "broken", storePath: broken, era: "C", why: `${broken}: not an SQLite database (its first bytes are not the SQLite header)` },
        { agentId: "cut", storePath: cut, era: "C", why: expect.stringMatching(/: cut short: its header counts \d+ pages of \d+ bytes \(\d+ bytes\), the file has 100000$/) },
      ]);
      expect(r.stderr).toContain(`agent broken: OpenClaw's SQLite store was not read: ${broken}: not an SQLite database`);
      // the text view says it too, and --store on the broken file says the same (not "bad JSON")
      const text = await runCli(["status", "--no-probe", "--state-dir", copy.stateDir], { env });
      expect(text.code).toBe(3);
      expect(text.stderr).toContain(`warning: agent broken: OpenClaw's SQLite store was not read: ${broken}: not an SQLite database`);
      expect(text.stdout).toMatch(/\n2 stores could not be read \(see the warnings above\)\n$/);
      const one = await runCli(["status", "--json", "--no-probe", "--store", broken], { env });
      expect(one.code).toBe(3);
      const oneText = await runCli(["status", "--no-probe", "--store", broken], { env });
      expect(oneText.stdout).toMatch(/^No sessions shown\.\n/);
      expect(oneText.stdout).not.toContain("No sessions found");
      expect(JSON.parse(one.stdout).unreadableStores).toEqual([{ agentId: "broken", storePath: broken, era: "C", why: expect.stringContaining("not an SQLite database") }]);
    } finally {
      fs.rmSync(copy.root, { recursive: true, force: true });
    }
  });

  it("a live owner running as another user (its lock dir named for its uid) keeps its run alive, as it does for ours", async () => {
    const copy = copyRun("c2-live-waiting-model");
    const lockDir = path.join(copy.stateDir, "tmp", `openclaw-${(process.getuid?.() ?? 0) + 4242}`);
    fs.renameSync(copy.lockDir, lockDir);
    const owner = await liveOwner({ ...copy, lockDir });
    try {
      const r = await runCli(["status", "--json", "--check", "--no-probe", "--state-dir", copy.stateDir], { env: { OPENCLAW_SESSIONS_NOW: String(capturedAt("c2-live-waiting-model")) } });
      const doc = JSON.parse(r.stdout);
      expect(doc.gateway).toMatchObject({ alive: true, pid: owner.pid });
      expect(doc.sessions[0]).toMatchObject({ sessionKey: "agent:main:c2-model-wait", health: "waiting", state: "awaiting_model" });
      expect(r.code).toBe(0);
    } finally {
      await owner.stop();
      fs.rmSync(copy.root, { recursive: true, force: true });
    }
  });
});
