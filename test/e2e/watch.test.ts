// `watch` without a terminal, as a log shipper or a pipe sees it: the built CLI with piped stdio
// prints plain or NDJSON snapshots, follows file changes, and ends cleanly on SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { indexPath, makeStateDir, makeTempDir } from "../fixtures/store-builder.js";
import { assertBuilt, BIN, REPO_ROOT, runCli, useOwners } from "./helpers/cli.js";
import { ID, KEY, OTHER_KEY, idleStore, startRun, writeIndexAtomic } from "./watch-fixture.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");

const children: ChildProcess[] = [];

const { live } = useOwners();

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** The same scrubbing as runCli: nothing inherited that changes what is read or how it is coloured. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("OPENCLAW_") || k === "NO_COLOR" || k === "FORCE_COLOR" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return { ...env, TMPDIR: makeTempDir("ocs-watch-tmp-"), ...extra };
}

interface Streaming {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI with piped stdio and collects stdout line by line while it runs. */
function startCli(args: string[], env: Record<string, string> = {}): Streaming {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    const parts = (partial + d).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return { child, lines, stderr: () => stderr, exited };
}

async function until(probe: () => boolean, what: () => string, timeoutMs = 8_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting; ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const fixedClock = { OPENCLAW_SESSIONS_NOW: String(NOW) };

describe("watch without a terminal", () => {
  it("--once prints one plain, colourless snapshot and exits 0", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const r = await runCli(["watch", "--once", "--state-dir", state, "--no-probe"], { env: fixedClock });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("# "))).toEqual([`# ${new Date(NOW).toISOString()}`]);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    for (const key of [KEY, OTHER_KEY]) expect(r.stdout).toMatch(new RegExp(`○ idle\\s+${key}\\s+main\\s+complete`));
  });

  it("--once --json prints one NDJSON document", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const r = await runCli(["watch", "--once", "--json", "--state-dir", state, "--no-probe"], { env: fixedClock });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]);
    expect(doc).toMatchObject({ schemaVersion: 1, generatedAt: NOW });
    expect(doc.sessions.map((s: any) => [s.sessionKey, s.health, s.state]).sort()).toEqual([
      [KEY, "idle", "complete"],
      [OTHER_KEY, "idle", "complete"],
    ]);
  });

  it("--json --interval 0.2 streams NDJSON that follows a file change, and SIGTERM exits 0", async () => {
    const state = makeStateDir();
    idleStore(state);
    const w = startCli(["watch", "--json", "--interval", "0.2", "--state-dir", state, "--no-probe"]);
    const docs = () => w.lines.filter(Boolean).map((l) => JSON.parse(l));
    const session = (doc: any) => doc.sessions.find((s: any) => s.sessionKey === KEY);
    await until(() => docs().length >= 2, () => `lines: ${w.lines.length}; stderr: ${w.stderr()}`);
    expect(session(docs()[0])).toMatchObject({ health: "idle", state: "complete" });

    startRun(state, live);
    await until(() => docs().some((d) => session(d).health === "waiting"), () => JSON.stringify(session(docs().at(-1))));
    const changed = docs().find((d) => session(d).health === "waiting");
    expect(session(changed)).toMatchObject({ state: "awaiting_model", storeStatus: "running", sessionId: ID });
    // snapshots keep coming at the interval, each a complete document
    const count = docs().length;
    await until(() => docs().length >= count + 2, () => `lines: ${w.lines.length}`);

    w.child.kill("SIGTERM");
    expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(w.stderr()).toBe("");
  });

  it("plain snapshots every interval until SIGTERM, which exits 0", async () => {
    const state = makeStateDir();
    idleStore(state);
    const w = startCli(["watch", "--interval", "0.2", "--state-dir", state, "--no-probe"]);
    await until(() => w.lines.filter((l) => l.startsWith("# ")).length >= 3, () => w.lines.join("\n"));
    expect(w.lines.join("\n")).toMatch(/HEALTH\s+SESSION/);
    w.child.kill("SIGTERM");
    expect(await w.exited).toEqual({ code: 0, signal: null });
  });

  it("applies --problems and --sort like status", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const all = await runCli(["watch", "--once", "--json", "--sort", "session:desc", "--state-dir", state, "--no-probe"], { env: fixedClock });
    expect(JSON.parse(all.stdout).sessions.map((s: any) => s.sessionKey)).toEqual([OTHER_KEY, KEY]);
    const problems = await runCli(["watch", "--once", "--json", "--problems", "--state-dir", state, "--no-probe"], { env: fixedClock });
    expect(JSON.parse(problems.stdout).sessions).toEqual([]);
  });

  it("a corrupt index at start exits 3 naming the file, without a stack trace", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    fs.writeFileSync(indexPath(state), "{ nope");
    for (const extra of [["--once"], ["--json", "--interval", "0.2"]]) {
      const r = await runCli(["watch", ...extra, "--state-dir", state, "--no-probe"], { env: fixedClock, timeoutMs: 10_000 });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`${indexPath(state)} is not valid JSON`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
    }
  });

  it("--once: one agent's corrupt index hides no other agent; it is named once and exits 3", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const broken = indexPath(state, "work");
    fs.mkdirSync(path.dirname(broken), { recursive: true });
    fs.writeFileSync(broken, "{ nope");
    for (const extra of [[], ["--json"]]) {
      const r = await runCli(["watch", "--once", ...extra, "--state-dir", state, "--no-probe"], { env: fixedClock, timeoutMs: 10_000 });
      expect(r.code).toBe(3);
      expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(`agent work: ${broken} was not read`)]);
      expect(r.stdout).toContain(KEY);
    }
  });

  it("live: one agent's corrupt index at start hides no other agent, is named once, and is read once fixed", async () => {
    const state = makeStateDir();
    idleStore(state);
    const broken = indexPath(state, "work");
    fs.mkdirSync(path.dirname(broken), { recursive: true });
    fs.writeFileSync(broken, "{ nope");
    const w = startCli(["watch", "--json", "--interval", "0.2", "--state-dir", state, "--no-probe"]);
    const docs = () => w.lines.filter(Boolean).map((l) => JSON.parse(l));
    const keysOf = (doc: any) => doc.sessions.map((s: any) => s.sessionKey).sort();
    await until(() => docs().length >= 1, () => `lines: ${w.lines.length}; stderr: ${w.stderr()}`);
    expect(keysOf(docs()[0])).toEqual([KEY, OTHER_KEY].sort());
    expect(w.stderr().trimEnd().split("\n")).toEqual([expect.stringContaining(`warning: agent work: ${broken} was not read`)]);

    writeIndexAtomic(state, { "agent:work:fixed": { sessionId: "fixed-1", updatedAt: Date.now(), status: "done" } }, "work");
    await until(() => docs().some((d) => keysOf(d).includes("agent:work:fixed")), () => JSON.stringify(keysOf(docs().at(-1))));
    expect(keysOf(docs().at(-1))).toEqual([KEY, OTHER_KEY, "agent:work:fixed"].sort());
    w.child.kill("SIGTERM");
    expect(await w.exited).toEqual({ code: 0, signal: null });
    // named once: no warning came back after it cleared
    expect(w.stderr().match(/was not read/g)).toHaveLength(1);
  });

  it("rejects a bad --interval or --sort as a usage error (exit 64)", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const interval = await runCli(["watch", "--interval", "0", "--state-dir", state, "--no-probe"]);
    expect(interval.code).toBe(64);
    expect(interval.stderr).toContain('--interval must be longer than 0 (got "0")');
    const sort = await runCli(["watch", "--once", "--sort", "bogus", "--state-dir", state, "--no-probe"]);
    expect(sort.code).toBe(64);
    expect(sort.stderr).toContain('unknown field "bogus"');
  });
});
