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
import { assertBuilt, BIN, REPO_ROOT, type OwnerProcess } from "./helpers/cli.js";

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
  child: ChildProcess;
  pid: number;
  /** NDJSON records seen so far (with --json) */
  records: any[];
  stdout(): string;
  stderr(): string;
  /** resolves with the first record (or raw line) satisfying `pred`; rejects after timeoutMs */
  waitFor(pred: (rec: any) => boolean, timeoutMs?: number): Promise<any>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

const running = new Set<ChildProcess>();

/** Starts `node bin/openclaw-sessions.js keepalive ...args` (add --json to get records). */
export function startLoop(args: string[], env: Record<string, string>): Loop {
  assertBuilt();
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("OPENCLAW_") || k === "NO_COLOR" || k === "FORCE_COLOR" || k === "NODE_OPTIONS") continue;
    clean[k] = v;
  }
  const child = spawn(process.execPath, [BIN, "keepalive", ...args], { cwd: REPO_ROOT, env: { ...clean, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  let err = "";
  let partial = "";
  const records: any[] = [];
  const waiters: { pred: (r: any) => boolean; resolve: (r: any) => void }[] = [];
  const offer = (rec: any) => {
    records.push(rec);
    for (const w of [...waiters]) {
      if (w.pred(rec)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(rec);
      }
    }
  };
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    partial += d;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) {
      if (!l.trim()) continue;
      try {
        offer(JSON.parse(l));
      } catch {
        offer(l);
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    pid: child.pid!,
    records,
    stdout: () => out,
    stderr: () => err,
    exit,
    kill: () => child.kill("SIGKILL"),
    waitFor(pred, timeoutMs = 15_000) {
      const found = records.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (r: any) => (clearTimeout(timer), resolve(r)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`timed out waiting for a log record; stdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        waiters.push(w);
        void exit.then(() => {
          if (waiters.includes(w)) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(w), 1);
            reject(new Error(`keepalive exited before the awaited record; stdout:\n${out}\nstderr:\n${err}`));
          }
        });
      });
    },
  };
}

/** SIGKILLs every loop a test left running (call from afterEach). */
export async function killLoops(): Promise<void> {
  const all = [...running];
  for (const c of all) c.kill("SIGKILL");
  await Promise.all(all.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("close", r)))));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
