// Runs the BUILT CLI (bin/openclaw-sessions.js -> dist/) as a child process, the way a user or a
// monitoring system does, plus the real processes e2e tests need as lock owners: one that stays
// alive (with its /proc start time) and one that has exited.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = path.join(REPO_ROOT, "bin", "openclaw-sessions.js");
const DIST_ENTRY = path.join(REPO_ROOT, "dist", "src", "cli.js");

export interface CliResult {
  /** exit code; null only when the process was killed by a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** added to a scrubbed copy of this process's env (no OPENCLAW_*, NO_COLOR, FORCE_COLOR) */
  env?: Record<string, string | undefined>;
  /** kill the CLI after this long (default 20 s) */
  timeoutMs?: number;
}

/** Inherited variables that would change what the CLI reads or how it colours: tests set them explicitly. */
export function scrubbedEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("OPENCLAW_") || k === "NO_COLOR" || k === "FORCE_COLOR" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function assertBuilt(): void {
  if (!fs.existsSync(DIST_ENTRY)) {
    throw new Error(`e2e tests run the built CLI, but ${DIST_ENTRY} is missing: run \`npx tsc -p .\` (or \`npm test\`, which builds first)`);
  }
}

/** `node bin/openclaw-sessions.js ...args`, stdout/stderr piped (so never a TTY). */
export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: scrubbedEnv(opts.env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** runCli with --json, parsed; fails with the CLI's stderr when stdout is not JSON. */
export async function runJson(args: readonly string[], opts: RunOptions = {}): Promise<{ result: CliResult; doc: any }> {
  return withDoc(await runCli([...args, "--json"], opts));
}

/** A --json run's result with its stdout parsed; fails with stderr when stdout is not JSON. */
export function withDoc(result: CliResult): { result: CliResult; doc: any } {
  try {
    return { result, doc: JSON.parse(result.stdout) };
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}); stderr: ${result.stderr}\nstdout: ${result.stdout}`);
  }
}

// ------------------------------------------------------------------ real lock owners

/** Field 22 of /proc/<pid>/stat, read here independently of the product's own reader. */
export function procStartTime(pid: number): number {
  const raw = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
  const value = Number(fields[19]);
  if (!Number.isInteger(value)) throw new Error(`cannot read the start time of pid ${pid}`);
  return value;
}

export interface OwnerProcess {
  pid: number;
  starttime: number;
}

export interface LiveProcess extends OwnerProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

function spawnIdle(): ChildProcess {
  return spawn(process.execPath, ["-e", "setInterval(() => {}, 1e9)"], { stdio: "ignore" });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** A process that stays alive until stop(): a lock owner the CLI must see as alive. */
export async function startLiveProcess(): Promise<LiveProcess> {
  const child = spawnIdle();
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn a live lock owner");
  // /proc/<pid>/stat exists from the fork on
  const starttime = procStartTime(pid);
  return {
    pid,
    starttime,
    child,
    stop: async () => {
      child.kill("SIGKILL");
      await exited(child);
    },
  };
}

/** A process that ran and has exited (and been reaped): its pid and start time now name nobody. */
export async function deadProcess(): Promise<OwnerProcess> {
  const live = await startLiveProcess();
  await live.stop();
  return { pid: live.pid, starttime: live.starttime };
}

/** Any ANSI escape sequence (colour, cursor). */
export const ANSI = /\u001b\[/;

/**
 * A live lock owner and a dead one for every test of the calling file: started before its tests,
 * the live one stopped after them. The objects are filled in by beforeAll, so destructure freely.
 */
export function useOwners(): { live: LiveProcess; dead: OwnerProcess } {
  const live = {} as LiveProcess;
  const dead = {} as OwnerProcess;
  beforeAll(async () => {
    Object.assign(live, await startLiveProcess());
    Object.assign(dead, await deadProcess());
  });
  afterAll(async () => {
    await live.stop?.();
  });
  return { live, dead };
}

/** The CLI as a child we can SIGKILL at any moment. */
export function spawnCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: scrubbedEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr };
}


/** Resolves when a name matching `match` changes in dir (watched, not polled); close() when done. */
export function nameAppears(dir: string, match: (name: string) => boolean): { promise: Promise<void>; close(): void } {
  const watcher = fs.watch(dir);
  const promise = new Promise<void>((resolve) => watcher.on("change", (_type, name) => match(String(name)) && resolve()));
  return { promise, close: () => watcher.close() };
}
