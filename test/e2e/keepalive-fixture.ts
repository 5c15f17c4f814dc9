// Shared by the keepalive e2e tests: a store of active, idle, finalized and dead sessions built
// against the REAL clock (the loop runs in real time), and a handle on a long-running built CLI
// whose log lines can be awaited.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  event,
  format,
  indexPath,
  line,
  makeStateDir,
  makeTempDir,
  runEvents,
  sessionsDir,
  transcriptPath,
  trajectoryPath,
  writeIndex,
  writeLock,
  writeTranscript,
  writeTrajectory,
} from "../fixtures/store-builder.js";
import { assertBuilt, BIN, REPO_ROOT, scrubbedEnv, type OwnerProcess } from "./helpers/cli.js";

export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;

export const KEYS = {
  active1: "agent:main:main",
  active2: "agent:main:telegram:direct:4242",
  idle: "agent:main:discord:direct:7",
  finalized: "agent:main:slack:direct:9",
  dead: "agent:main:whatsapp:direct:5",
} as const;
export const ACTIVE = [KEYS.active1, KEYS.active2];

const IDS: Record<keyof typeof KEYS, string> = {
  active1: "0f0e0d0c-0000-4000-8000-00000000000a",
  active2: "0f0e0d0c-0000-4000-8000-00000000000b",
  idle: "0f0e0d0c-0000-4000-8000-00000000000c",
  finalized: "0f0e0d0c-0000-4000-8000-00000000000d",
  dead: "0f0e0d0c-0000-4000-8000-00000000000e",
};

export interface Fixture {
  state: string;
  index: string;
  /** TMPDIR for the CLI (gateway lock lookup) */
  tmp: string;
  /** XDG_STATE_HOME for the CLI (audit log) */
  xdg: string;
  auditPath: string;
  env: Record<string, string>;
  /** when the fixture was built (real clock) */
  builtAt: number;
}

/** The start of a run as the gateway writes it live: session.started .. prompt.submitted, no end. */
function runStart(sessionId: string, sessionKey: string, runId: string, at: number) {
  const s = { runId, sessionId, sessionKey };
  return [
    event("session.started", at, { ...s, seq: 1 }),
    event("trace.metadata", at + 1, { ...s, seq: 2 }),
    event("context.compiled", at + 2, { ...s, seq: 3 }),
    event("prompt.submitted", at + 3, { ...s, seq: 4 }),
  ];
}

export interface BuildOptions {
  /** updatedAt / lastInteractionAt of the active sessions (default 20 min ago: due) */
  activeTouchedAgo?: number;
  /** extra entries of the index */
  extra?: Record<string, unknown>;
}

/** Two active sessions (a run in progress, a live lock owner), one idle, one finalized, one dead. */
export function buildStore(live: OwnerProcess, dead: OwnerProcess, opts: BuildOptions = {}): Fixture {
  const state = makeStateDir("ocs-ka-");
  const now = Date.now();
  const touchedAgo = opts.activeTouchedAgo ?? 20 * M;
  const entries: Record<string, unknown> = {};
  const earlier = (key: string, id: string) => runEvents("run-0", now - 2 * H, "success", { sessionId: id, sessionKey: key });

  for (const name of ["active1", "active2"] as const) {
    const key = KEYS[name];
    const id = IDS[name];
    entries[key] = format.indexEntry({
      sessionId: id,
      updatedAt: now - touchedAgo,
      sessionStartedAt: now - 3 * H,
      lastInteractionAt: now - touchedAgo,
      rich: false,
      status: "running",
      startedAt: now - 30 * S,
    });
    writeTranscript(transcriptPath(state, id), [line.header(id, now - 3 * H), line.user(now - 2 * H), line.assistant(now - 2 * H + 2 * S), line.user(now - 30 * S, "build it")]);
    writeTrajectory(trajectoryPath(state, id), [...earlier(key, id), ...runStart(id, key, "run-1", now - 30 * S)]);
    writeLock(`${transcriptPath(state, id)}.lock`, { pid: live.pid, starttime: live.starttime, createdAt: now - 30 * S, maxHoldMs: 300_000 });
  }
  {
    const id = IDS.idle;
    entries[KEYS.idle] = format.indexEntry({ sessionId: id, updatedAt: now - 2 * H, sessionStartedAt: now - 3 * H, lastInteractionAt: now - 2 * H, rich: false });
    writeTranscript(transcriptPath(state, id), [line.header(id, now - 3 * H), line.user(now - 2 * H - 10 * S), line.assistant(now - 2 * H - 5 * S)]);
  }
  {
    const id = IDS.finalized;
    entries[KEYS.finalized] = format.indexEntry({
      sessionId: id,
      updatedAt: now - 30 * M,
      sessionStartedAt: now - 3 * H,
      lastInteractionAt: now - 30 * M,
      rich: false,
      status: "killed",
      abortedLastRun: true,
      startedAt: now - 40 * M,
    });
    writeTranscript(transcriptPath(state, id), [line.header(id, now - 3 * H), line.user(now - 40 * M), line.assistant(now - 31 * M)]);
    writeTrajectory(trajectoryPath(state, id), runEvents("run-1", now - 40 * M, "aborted", { sessionId: id, sessionKey: KEYS.finalized }));
  }
  {
    const id = IDS.dead;
    entries[KEYS.dead] = format.indexEntry({
      sessionId: id,
      updatedAt: now - 20 * M,
      sessionStartedAt: now - 3 * H,
      lastInteractionAt: now - 20 * M,
      rich: false,
      status: "running",
      startedAt: now - 20 * M,
    });
    writeTranscript(transcriptPath(state, id), [line.header(id, now - 3 * H), line.user(now - 20 * M, "long job")]);
    writeTrajectory(trajectoryPath(state, id), runStart(id, KEYS.dead, "run-1", now - 20 * M));
    writeLock(`${transcriptPath(state, id)}.lock`, { pid: dead.pid, starttime: dead.starttime, createdAt: now - 20 * M, maxHoldMs: 300_000 });
  }
  Object.assign(entries, opts.extra ?? {});
  const index = writeIndex(state, "main", entries);
  const tmp = makeTempDir("ocs-ka-tmp-");
  const xdg = makeTempDir("ocs-ka-xdg-");
  return {
    state,
    index,
    tmp,
    xdg,
    auditPath: path.join(xdg, "openclaw-sessions", "audit.jsonl"),
    env: { TMPDIR: tmp, XDG_STATE_HOME: xdg },
    builtAt: now,
  };
}

export function readEntries(file: string): Record<string, Record<string, unknown>> {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

export function auditLines(fx: Fixture): Record<string, unknown>[] {
  if (!fs.existsSync(fx.auditPath)) return [];
  return fs
    .readFileSync(fx.auditPath, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Files in the sessions dir that a stopped keepalive must not leave: locks, pid files, temp files. */
export function leftovers(fx: Fixture): string[] {
  return fs
    .readdirSync(sessionsDir(fx.state))
    .filter((f) => f.startsWith("sessions.json") && /\.(pid|lock|owner|tmp)$/.test(f));
}

export { indexPath };

// ------------------------------------------------------------------ a running loop

export interface Loop {
  /** the built CLI's process (absent for a loop run in-process) */
  child?: ChildProcess;
  pid: number;
  /** NDJSON records seen so far (with --json) */
  records: any[];
  stdout(): string;
  stderr(): string;
  /** resolves with the first record (or raw line) satisfying `pred`; rejects after timeoutMs or once the loop exited */
  waitFor(pred: (rec: any) => boolean, timeoutMs?: number): Promise<any>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The log of a running keepalive, line by line, and the records a test waits for. */
export class RecordLog {
  readonly records: any[] = [];
  out = "";
  private partial = "";
  private readonly waiters: { pred: (r: any) => boolean; resolve: (r: any) => void }[] = [];

  constructor(
    private readonly exit: Promise<unknown>,
    private readonly stderr: () => string,
  ) {}

  /** a chunk of stdout: every whole line becomes a record (JSON, else the raw line) */
  write(chunk: string): void {
    this.out += chunk;
    this.partial += chunk;
    const lines = this.partial.split("\n");
    this.partial = lines.pop() ?? "";
    for (const l of lines) {
      if (!l.trim()) continue;
      let rec: any;
      try {
        rec = JSON.parse(l);
      } catch {
        rec = l;
      }
      this.records.push(rec);
      for (const w of [...this.waiters]) {
        if (w.pred(rec)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      }
    }
  }

  waitFor(pred: (rec: any) => boolean, timeoutMs = 15_000): Promise<any> {
    const found = this.records.find(pred);
    if (found !== undefined) return Promise.resolve(found);
    const what = () => `stdout:\n${this.out}\nstderr:\n${this.stderr()}`;
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (r: any) => (clearTimeout(timer), resolve(r)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timed out waiting for a log record; ${what()}`));
      }, timeoutMs);
      this.waiters.push(w);
      void this.exit.then(() => {
        if (this.waiters.includes(w)) {
          clearTimeout(timer);
          this.waiters.splice(this.waiters.indexOf(w), 1);
          reject(new Error(`keepalive exited before the awaited record; ${what()}`));
        }
      });
    });
  }
}

const running = new Set<ChildProcess>();

/** Starts `node bin/openclaw-sessions.js keepalive ...args` (add --json to get records). */
export function startLoop(args: string[], env: Record<string, string>): Loop & { child: ChildProcess } {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, "keepalive", ...args], { cwd: REPO_ROOT, env: scrubbedEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let err = "";
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const log = new RecordLog(exit, () => err);
  child.stdout!.setEncoding("utf8").on("data", (d: string) => log.write(d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  return {
    child,
    pid: child.pid!,
    records: log.records,
    stdout: () => log.out,
    stderr: () => err,
    exit,
    waitFor: (pred, timeoutMs) => log.waitFor(pred, timeoutMs),
  };
}

/** SIGKILLs every loop a test left running (call from afterEach). */
export async function killLoops(): Promise<void> {
  const all = [...running];
  for (const c of all) c.kill("SIGKILL");
  await Promise.all(all.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("close", r)))));
}

const HOLD = path.join(REPO_ROOT, "test", "fixtures", "writers", "hold-gateway-lock.mjs");
const holders: ChildProcess[] = [];

/** An era A gateway (another process) holding `sessions.json.lock` for holdMs or until release(); resolves once it holds it. */
export async function holdGatewayLock(fx: Fixture, holdMs: number | "until-signal" = "until-signal"): Promise<{ done: Promise<string>; release: () => void }> {
  const child = spawn(process.execPath, [HOLD, fx.index, String(holdMs)], { stdio: ["ignore", "pipe", "inherit"] });
  holders.push(child);
  let out = "";
  const done = new Promise<string>((resolve) => child.on("close", () => resolve(out)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("locked")) resolve();
    });
    void done.then(() => reject(new Error(`lock holder exited: ${out}`)));
  });
  return { done, release: () => void child.kill("SIGUSR2") };
}

/** SIGKILLs every lock holder a test left (call from afterEach). */
export function stopHolders(): void {
  for (const h of holders.splice(0)) h.kill("SIGKILL");
}

/** Resolves once `file` exists: the directory is watched, never polled on a timer. */
export async function untilExists(file: string): Promise<void> {
  const watcher = fs.watch(path.dirname(file));
  try {
    const created = new Promise<void>((resolve) => watcher.on("change", () => fs.existsSync(file) && resolve()));
    if (fs.existsSync(file)) return;
    await created;
  } finally {
    watcher.close();
  }
}
