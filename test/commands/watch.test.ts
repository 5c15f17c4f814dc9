// `watch` without a terminal, as a log shipper or a pipe sees it, run in-process on buffers:
// plain or NDJSON snapshots, following file changes, ended as SIGTERM ends it (an abort). The
// built CLI's SIGTERM, exit codes and closed pipe are checked in test/e2e/watch.test.ts.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { indexPath, makeStateDir, makeTempDir } from "../fixtures/store-builder.js";
import { useOwners } from "../e2e/helpers/cli.js";
import { ID, KEY, OTHER_KEY, idleStore, startRun, writeIndexAtomic } from "../e2e/watch-fixture.js";
import { bufferIo, run, unknownFailureStdout } from "./helpers/run.js";
import { runProgram } from "../../src/program.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");

const { live } = useOwners();

interface Streaming {
  lines: () => string[];
  stderr: () => string;
  /** resolves once `probe` holds after a write (the test's timeout bounds the wait, not a clock) */
  until(probe: () => boolean): Promise<void>;
  /** ends it as SIGTERM does; resolves with the exit code */
  stop(): Promise<number>;
}

/** Starts `openclaw-sessions ...args` in-process with stdout collected line by line. */
function startWatch(args: string[], env: Record<string, string> = {}): Streaming {
  const io = bufferIo({ env: { TMPDIR: makeTempDir("ocs-watch-tmp-"), ...env } });
  const abort = new AbortController();
  const exited = runProgram(args, io, abort.signal);
  const lines = () => {
    const parts = io.stdout.text.split("\n");
    parts.pop();
    return parts;
  };
  return {
    lines,
    stderr: () => io.stderr.text,
    until: (probe) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!probe()) return;
          io.stdout.off("data-written", check);
          resolve();
        };
        io.stdout.on("data-written", check);
        exited.then(() => (probe() ? resolve() : reject(new Error(`watch ended first; stdout: ${io.stdout.text}; stderr: ${io.stderr.text}`))), reject);
        check();
      }),
    stop: () => {
      abort.abort();
      return exited;
    },
  };
}

const fixedClock = { OPENCLAW_SESSIONS_NOW: String(NOW) };

describe("watch without a terminal", () => {
  it("--once prints one plain, colourless snapshot and exits 0", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const r = await run(["watch", "--once", "--state-dir", state, "--no-probe"], { env: fixedClock });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("# "))).toEqual([`# ${new Date(NOW).toISOString()}`]);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    for (const key of [KEY, OTHER_KEY]) expect(r.stdout).toMatch(new RegExp(`○ idle\\s+${key}\\s+main\\s+complete`));
  });

  it("--once --json prints one NDJSON document", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const r = await run(["watch", "--once", "--json", "--state-dir", state, "--no-probe"], { env: fixedClock });
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

  it("--json --interval 0.2 streams NDJSON that follows a file change, and stopping it exits 0", async () => {
    const state = makeStateDir();
    idleStore(state);
    const w = startWatch(["watch", "--json", "--interval", "0.2", "--state-dir", state, "--no-probe"]);
    const docs = () => w.lines().filter(Boolean).map((l) => JSON.parse(l));
    const session = (doc: any) => doc.sessions.find((s: any) => s.sessionKey === KEY);
    await w.until(() => docs().length >= 2);
    expect(session(docs()[0])).toMatchObject({ health: "idle", state: "complete" });

    startRun(state, live);
    await w.until(() => docs().some((d) => session(d).health === "waiting"));
    const changed = docs().find((d) => session(d).health === "waiting");
    expect(session(changed)).toMatchObject({ state: "awaiting_model", storeStatus: "running", sessionId: ID });
    // snapshots keep coming at the interval, each a complete document
    const count = docs().length;
    await w.until(() => docs().length >= count + 2);

    expect(await w.stop()).toBe(0);
    expect(w.stderr()).toBe("");
  });

  it("plain snapshots every interval until stopped, which exits 0", async () => {
    const state = makeStateDir();
    idleStore(state);
    const w = startWatch(["watch", "--interval", "0.2", "--state-dir", state, "--no-probe"]);
    await w.until(() => w.lines().filter((l) => l.startsWith("# ")).length >= 3);
    expect(w.lines().join("\n")).toMatch(/HEALTH\s+SESSION/);
    expect(await w.stop()).toBe(0);
  });

  it("applies --problems and --sort like status", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const all = await run(["watch", "--once", "--json", "--sort", "session:desc", "--state-dir", state, "--no-probe"], { env: fixedClock });
    expect(JSON.parse(all.stdout).sessions.map((s: any) => s.sessionKey)).toEqual([OTHER_KEY, KEY]);
    const problems = await run(["watch", "--once", "--json", "--problems", "--state-dir", state, "--no-probe"], { env: fixedClock });
    expect(JSON.parse(problems.stdout).sessions).toEqual([]);
  });

  it("a corrupt index at start exits 3 naming the file, without a stack trace", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    fs.writeFileSync(indexPath(state), "{ nope");
    for (const extra of [["--once"], ["--json", "--interval", "0.2"]]) {
      const r = await run(["watch", ...extra, "--state-dir", state, "--no-probe"], { env: fixedClock });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`${indexPath(state)} is not valid JSON`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe(unknownFailureStdout(extra, r.stderr));
    }
  });

  it("--once: one agent's corrupt index hides no other agent; it is named once and exits 3", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const broken = indexPath(state, "work");
    fs.mkdirSync(path.dirname(broken), { recursive: true });
    fs.writeFileSync(broken, "{ nope");
    for (const extra of [[], ["--json"]]) {
      const r = await run(["watch", "--once", ...extra, "--state-dir", state, "--no-probe"], { env: fixedClock });
      expect(r.code).toBe(3);
      expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(`agent work: ${broken} was not read`)]);
      expect(r.stdout).toContain(KEY);
      if (extra.length > 0) {
        // the snapshot, then the reason for exit 3 as an error record a script reads
        const [snapshot, error, ...rest] = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
        expect(rest).toEqual([]);
        expect(snapshot.sessions.map((x: { sessionKey: string }) => x.sessionKey)).toContain(KEY);
        expect(error).toEqual({ schemaVersion: 1, error: { exitCode: 3, kind: "unknown", message: expect.stringMatching(new RegExp(`^1 store could not be read: .*${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`)) } });
      }
    }
  });

  it("live: one agent's corrupt index at start hides no other agent, is named once, and is read once fixed", async () => {
    const state = makeStateDir();
    idleStore(state);
    const broken = indexPath(state, "work");
    fs.mkdirSync(path.dirname(broken), { recursive: true });
    fs.writeFileSync(broken, "{ nope");
    const w = startWatch(["watch", "--json", "--interval", "0.2", "--state-dir", state, "--no-probe"]);
    const docs = () => w.lines().filter(Boolean).map((l) => JSON.parse(l));
    const keysOf = (doc: any) => doc.sessions.map((s: any) => s.sessionKey).sort();
    await w.until(() => docs().length >= 1);
    expect(keysOf(docs()[0])).toEqual([KEY, OTHER_KEY].sort());
    expect(w.stderr().trimEnd().split("\n")).toEqual([expect.stringContaining(`warning: agent work: ${broken} was not read`)]);

    writeIndexAtomic(state, { "agent:work:fixed": { sessionId: "fixed-1", updatedAt: Date.now(), status: "done" } }, "work");
    await w.until(() => docs().some((d) => keysOf(d).includes("agent:work:fixed")));
    expect(keysOf(docs().at(-1))).toEqual([KEY, OTHER_KEY, "agent:work:fixed"].sort());
    expect(await w.stop()).toBe(0);
    // named once: no warning came back after it cleared
    expect(w.stderr().match(/was not read/g)).toHaveLength(1);
  });

  it("rejects a bad --interval or --sort as a usage error (exit 64)", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const interval = await run(["watch", "--interval", "0", "--state-dir", state, "--no-probe"]);
    expect(interval.code).toBe(64);
    expect(interval.stderr).toContain('--interval must be longer than 0 (got "0")');
    const sort = await run(["watch", "--once", "--sort", "bogus", "--state-dir", state, "--no-probe"]);
    expect(sort.code).toBe(64);
    expect(sort.stderr).toContain('unknown field "bogus"');
  });
});
