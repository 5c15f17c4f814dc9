// `watch` through the built CLI with piped stdio: a real SIGTERM ends the stream with exit 0, an era
// C store's commits reach the stream, and exits 3 and 64 come out as one line with no stack. What watch prints and follows is tested
// in-process in test/commands/watch.test.ts; the terminal in watch-tty.test.ts.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { indexPath, makeStateDir } from "../fixtures/store-builder.js";
import { assertBuilt, BIN, REPO_ROOT, runCli, scrubbedEnv } from "./helpers/cli.js";
import { idleStore, KEY } from "./watch-fixture.js";
import { quiescentEraCStore } from "../fixtures/era-c-writer.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const NOW = Date.parse("2026-07-01T12:00:00.000Z");

describe("watch, the built CLI", () => {
  it("--json streams until SIGTERM, which exits 0 with nothing on stderr", async () => {
    assertBuilt();
    const state = makeStateDir();
    idleStore(state);
    const child = spawn(process.execPath, [BIN, "watch", "--json", "--interval", "0.2", "--state-dir", state, "--no-probe"], { cwd: REPO_ROOT, env: scrubbedEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
    // the first complete document, then the signal
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        if (stdout.includes("\n")) resolve();
      }),
    );
    expect(JSON.parse(stdout.split("\n")[0]).sessions.some((s: { sessionKey: string }) => s.sessionKey === KEY)).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toBe("");
  });

  it("--json when the state dir goes away: the documents keep the last read and stderr says why, not 0 sessions", async () => {
    assertBuilt();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-watch-gone-"));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const state = path.join(root, "state");
    fs.mkdirSync(state);
    idleStore(state);
    const child = spawn(process.execPath, [BIN, "watch", "--json", "--interval", "0.2", "--state-dir", state, "--no-probe"], { cwd: REPO_ROOT, env: scrubbedEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
    const counts: number[] = [];
    let buf = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        counts.push((JSON.parse(buf.slice(0, nl)) as { sessions: unknown[] }).sessions.length);
        buf = buf.slice(nl + 1);
      }
    });
    const until = async (probe: () => boolean, what: string): Promise<void> => {
      const end = Date.now() + 10_000;
      while (!probe()) {
        if (Date.now() > end) throw new Error(`${what}: not seen; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => counts.length > 0, "the first document");
    fs.renameSync(state, path.join(root, "moved"));
    await until(() => stderr.includes(`the state dir ${state} is gone`), "the warning");
    const seen = counts.length;
    await until(() => counts.length >= seen + 3, "three more documents");
    expect(counts.every((n) => n === 2)).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it.each([
    ["a running gateway's (its writer holds -wal/-shm)", false],
    ["a stopped gateway's (no -wal/-shm, read immutable) whose gateway starts while watched", true],
  ])("--json on an era C store, %s: a commit by the store's writer shows in the next document; SIGTERM exits 0", async (_what, late) => {
    assertBuilt();
    const store = await quiescentEraCStore(cleanups, 6, 11);
    const m = store.m;
    let writer = late ? undefined : store.openWriter();
    const key = m.sessions[0]!.sessionKey;
    const child = spawn(process.execPath, [BIN, "watch", "--json", "--interval", "0.2", "--state-dir", m.stateDir, "--no-probe"], { cwd: REPO_ROOT, env: scrubbedEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
    const docs: Array<{ sessions: Array<{ sessionKey: string; label: string | null; era: string }> }> = [];
    let buf = "";
    let waiter: (() => void) | undefined;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        docs.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
      waiter?.();
    });
    const until = async (probe: () => boolean, what: string): Promise<void> => {
      const end = Date.now() + 10_000;
      while (!probe()) {
        if (Date.now() > end) throw new Error(`${what}: not seen; stderr: ${stderr}`);
        await new Promise<void>((r) => {
          waiter = r;
          setTimeout(r, 100);
        });
      }
    };
    const labelOf = () => docs.at(-1)?.sessions.find((s) => s.sessionKey === key);
    await until(() => labelOf() !== undefined, "the first document");
    expect(labelOf()).toMatchObject({ era: "C" });
    writer ??= store.openWriter();
    writer.prepare("UPDATE session_nodes SET label = ? WHERE session_key = ?").run("renamed-by-a-commit", key);
    await until(() => labelOf()?.label === "renamed-by-a-commit", "the committed label");
    child.kill("SIGTERM");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toBe("");
  });

  it("exit 3 for a corrupt index, 64 for a bad flag: one line each, no stack trace", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const good = makeStateDir();
    idleStore(good, NOW);
    fs.writeFileSync(indexPath(state), "{ nope");
    const [corrupt, usage] = await Promise.all([
      runCli(["watch", "--once", "--state-dir", state, "--no-probe"], { env: { OPENCLAW_SESSIONS_NOW: String(NOW) } }),
      runCli(["watch", "--interval", "0", "--state-dir", good, "--no-probe"]),
    ]);
    expect(corrupt.code).toBe(3);
    expect(corrupt.stdout).toBe("");
    expect(corrupt.stderr).toMatch(/^openclaw-sessions: [^\n]*is not valid JSON[^\n]*\n$/);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/^openclaw-sessions: --interval must be longer than 0 \(got "0"\)\n$/);
  });

  it("exit 69 at once when --gateway cannot keep our device identity (inside OpenClaw's state dir): the file watchers do not keep it running", async () => {
    const state = makeStateDir();
    idleStore(state, NOW);
    const r = await runCli(["watch", "--gateway", "--state-dir", state, "--no-probe"], { env: { XDG_STATE_HOME: state }, timeoutMs: 15_000 });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/our device identity would live in .* inside OpenClaw's state dir/);
  });
});

