// The state dirs the `cleanup` end-to-end tests run the built CLI on: real files in temp dirs, a
// fixed clock (OPENCLAW_SESSIONS_NOW), lock files owned by real live or exited processes. Each
// builder also returns what a correct cleanup must make of it, stated field by field.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  event,
  format,
  indexPath,
  line,
  makeStateDir,
  makeTempDir,
  sessionsDir,
  transcriptPath,
  trajectoryPath,
  writeIndex,
  writeLock,
  writeTranscript,
  writeTrajectory,
} from "../../fixtures/store-builder.js";
import type { OwnerProcess } from "./cli.js";

export const NOW = Date.parse("2026-07-01T12:00:00.000Z");
/** OpenClaw's archive stamp for NOW */
export const STAMP = "2026-07-01T12-00-00.000Z";
export const S = 1_000;
export const M = 60 * S;
export const H = 60 * M;
export const D = 24 * H;

export type Entry = Record<string, unknown>;
export type Index = Record<string, Entry>;

let n = 0;
export function uuid(tag: number): string {
  return `00000000-0000-4000-8000-${(++n * 1000 + tag).toString().padStart(12, "0")}`;
}

/** Makes temp dirs. The default's dirs go after each test; `persistentDirs` keeps them for a describe. */
export type MakeDir = (prefix: string) => string;

/** Dirs that outlive a single test (store-builder removes its own after each one): call cleanup() in afterAll. */
export function persistentDirs(): { mk: MakeDir; cleanup(): void } {
  const made: string[] = [];
  return {
    mk: (prefix) => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      made.push(d);
      return d;
    },
    cleanup: () => {
      for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Environment for every CLI run: fixed clock, private TMPDIR (gateway locks), private audit log. */
export function cliEnv(extra: Record<string, string> = {}, mk: MakeDir = makeTempDir): Record<string, string> {
  return {
    OPENCLAW_SESSIONS_NOW: String(NOW),
    TMPDIR: mk("ocs-cleanup-tmp-"),
    XDG_STATE_HOME: mk("ocs-cleanup-xdg-"),
    ...extra,
  };
}

export function auditPathOf(env: Record<string, string>): string {
  return path.join(env.XDG_STATE_HOME!, "openclaw-sessions", "audit.jsonl");
}

export function entry(spec: Partial<format.IndexEntrySpec> & { sessionId: string; updatedAt: number }): Entry {
  return format.indexEntry({ sessionStartedAt: spec.updatedAt - H, lastInteractionAt: spec.updatedAt, model: "fake-1", modelProvider: "fake", ...spec });
}

export interface Expected {
  /** fields each finalized entry must get, exactly */
  finalized: Record<string, Record<string, unknown>>;
  /** keys that must be gone */
  removed: string[];
  /** files that must be renamed to `<file>.deleted.<STAMP>` */
  archived: string[];
}

export interface MainStore {
  state: string;
  dir: string;
  index: string;
  ids: Record<string, string>;
  keys: Record<string, string>;
  /** a file outside the state dir that an entry's sessionFile names */
  outsideFile: string;
  /** a file outside the state dir that a symlink in the sessions dir points to */
  outsideTarget: string;
  expected: Expected;
}

const KEYS = {
  live: "agent:main:live",
  stale: "agent:main:stale",
  driftOk: "agent:main:drift-ok",
  driftErr: "agent:main:drift-err",
  group: "agent:main:telegram:group:-1001234567",
  chatType: "agent:main:team-chat",
  pinned: "agent:main:pinned",
  oldDone: "agent:main:old-done",
  freshDone: "agent:main:fresh-done",
  oldRunning: "agent:main:old-running",
  escape: "agent:main:escape",
  symlink: "agent:main:symlink-escape",
} as const;

/**
 * One store with every case `cleanup` must tell apart:
 *   live         running, transcript lock of a live process, a tool call 30 s ago: untouched
 *   stale        running, lock of an exited process, silent for 3 h: failed + abortedLastRun (what restart recovery writes)
 *   drift-ok     running, but the trajectory ended the run with success: done
 *   drift-err    running, but the trajectory ended the run with an error and no gateway is up: failed +
 *                abortedLastRun (what restart recovery writes; the error was never persisted)
 *   group / team-chat / pinned: old finished conversations OpenClaw protects (key, chatType, --active-key)
 *   old-done     finished 45 days ago: pruned, transcript and trajectory archived
 *   fresh-done   finished yesterday: kept
 *   old-running  running for 40 days, owner dead: finalized and pruned in one run, transcript archived
 *   escape       old, its sessionFile names a file outside the state dir: pruned, that file never touched
 *   symlink-escape old, its transcript name is a symlink leading outside: pruned, nothing renamed
 */
export function buildMainStore(live: OwnerProcess, dead: OwnerProcess, mk: MakeDir = makeStateDir): MainStore {
  const state = mk("ocs-cleanup-");
  const dir = sessionsDir(state);
  const outside = mk("ocs-outside-");
  const ids: Record<string, string> = {};
  for (const [name] of Object.entries(KEYS)) ids[name] = uuid(Object.keys(ids).length);
  const tx = (name: string) => transcriptPath(state, ids[name]!);
  const tj = (name: string) => trajectoryPath(state, ids[name]!);
  const entries: Index = {};

  // live: a tool has been running for 30 s under a live lock
  entries[KEYS.live] = entry({ sessionId: ids.live!, updatedAt: NOW - 2 * M, status: "running", startedAt: NOW - 2 * M });
  writeTranscript(tx("live"), [
    line.header(ids.live!, NOW - 10 * M),
    line.user(NOW - 2 * M, "run the tests"),
    line.assistant(NOW - 30 * S, { toolCalls: [{ id: "call_live", name: "exec" }] }),
  ]);
  writeLock(`${tx("live")}.lock`, { pid: live.pid, starttime: live.starttime, createdAt: NOW - 2 * M, maxHoldMs: 300_000 });

  // stale: the gateway was killed while waiting for the model, 3 h ago
  entries[KEYS.stale] = entry({
    sessionId: ids.stale!,
    updatedAt: NOW - 3 * H,
    status: "running",
    startedAt: NOW - 3 * H,
    rich: true,
    extra: { zzVendorField: { keep: [1, "two", null], note: "ünïcødé" } },
  });
  writeTranscript(tx("stale"), [line.header(ids.stale!, NOW - 4 * H), line.user(NOW - 3 * H + 5 * S, "still there?")]);
  writeLock(`${tx("stale")}.lock`, { pid: dead.pid, starttime: dead.starttime, createdAt: NOW - 3 * H });

  // drift-ok / drift-err: the run ended, the index never heard of it
  const run = (name: string, sessionKey: string, start: number, end: number, status: string) => {
    const spec = { runId: `run-${name}`, sessionId: ids[name]!, sessionKey };
    writeTrajectory(tj(name), [
      event("session.started", start, { ...spec, seq: 1 }),
      event("prompt.submitted", start + S, { ...spec, seq: 2 }),
      event("model.completed", end - S, { ...spec, seq: 3, data: { aborted: false, timedOut: false } }),
      event("session.ended", end, { ...spec, seq: 4, data: { status } }),
    ]);
    writeTranscript(tx(name), [line.header(ids[name]!, start - M), line.user(start, "go"), line.assistant(end - S)]);
  };
  entries[KEYS.driftOk] = entry({ sessionId: ids.driftOk!, updatedAt: NOW - 2 * H, status: "running", startedAt: NOW - 2 * H });
  run("driftOk", KEYS.driftOk, NOW - 2 * H, NOW - 2 * H + 40 * S, "success");
  entries[KEYS.driftErr] = entry({ sessionId: ids.driftErr!, updatedAt: NOW - H, status: "running", startedAt: NOW - H });
  run("driftErr", KEYS.driftErr, NOW - H, NOW - H + 20 * S, "error");

  const done = (name: keyof typeof KEYS, at: number, more: Partial<format.IndexEntrySpec> = {}) => {
    entries[KEYS[name]] = entry({ sessionId: ids[name]!, updatedAt: at, status: "done", startedAt: at - M, endedAt: at, ...more });
    writeTranscript(tx(name), [line.header(ids[name]!, at - 2 * M), line.user(at - M), line.assistant(at - S)]);
  };
  done("group", NOW - 60 * D);
  done("chatType", NOW - 60 * D, { chatType: "group" });
  done("pinned", NOW - 60 * D);
  done("oldDone", NOW - 45 * D);
  writeTrajectory(tj("oldDone"), [event("session.ended", NOW - 45 * D, { sessionId: ids.oldDone!, sessionKey: KEYS.oldDone, runId: "r", data: { status: "success" } })]);
  done("freshDone", NOW - D);

  // old-running: dead for 40 days
  entries[KEYS.oldRunning] = entry({ sessionId: ids.oldRunning!, updatedAt: NOW - 40 * D, status: "running", startedAt: NOW - 40 * D });
  writeTranscript(tx("oldRunning"), [line.header(ids.oldRunning!, NOW - 40 * D), line.user(NOW - 40 * D + 3 * S, "hello?")]);
  writeLock(`${tx("oldRunning")}.lock`, { pid: dead.pid, starttime: dead.starttime, createdAt: NOW - 40 * D });

  // escape: sessionFile leads out of the state dir
  const outsideFile = path.join(outside, "escape.jsonl");
  writeTranscript(outsideFile, [line.header(ids.escape!, NOW - 50 * D), line.user(NOW - 50 * D)]);
  entries[KEYS.escape] = entry({ sessionId: ids.escape!, updatedAt: NOW - 50 * D, status: "done", startedAt: NOW - 50 * D - M, endedAt: NOW - 50 * D, sessionFile: outsideFile });

  // symlink-escape: <sessionId>.jsonl is a symlink to a file outside
  const outsideTarget = path.join(outside, "target.jsonl");
  writeTranscript(outsideTarget, [line.header(ids.symlink!, NOW - 50 * D), line.user(NOW - 50 * D)]);
  fs.symlinkSync(outsideTarget, tx("symlink"));
  entries[KEYS.symlink] = entry({ sessionId: ids.symlink!, updatedAt: NOW - 50 * D, status: "done", startedAt: NOW - 50 * D - M, endedAt: NOW - 50 * D });

  writeIndex(state, "main", entries);
  // what OpenClaw's restart recovery writes for a dead owner: no runtimeMs
  const recovered = (endedAt: number) => ({ status: "failed", endedAt, updatedAt: endedAt, abortedLastRun: true });
  return {
    state,
    dir,
    index: indexPath(state),
    ids,
    keys: { ...KEYS },
    outsideFile,
    outsideTarget,
    expected: {
      finalized: {
        [KEYS.stale]: recovered(NOW - 3 * H + 5 * S),
        [KEYS.driftOk]: { status: "done", endedAt: NOW - 2 * H + 40 * S, runtimeMs: 40 * S, updatedAt: NOW - 2 * H + 40 * S, abortedLastRun: false },
        // an error no live gateway persisted: what restart recovery writes
        [KEYS.driftErr]: recovered(NOW - H + 20 * S),
      },
      removed: [KEYS.oldDone, KEYS.oldRunning, KEYS.escape, KEYS.symlink],
      archived: [tx("oldDone"), tj("oldDone"), tx("oldRunning")],
    },
  };
}

/** The index a correct run leaves: finalize fields set in place (new ones appended), removals gone. */
export function expectedIndex(before: Index, exp: Pick<Expected, "finalized" | "removed">): string {
  const after = structuredClone(before);
  for (const [key, set] of Object.entries(exp.finalized)) Object.assign(after[key]!, set);
  for (const key of exp.removed) delete after[key];
  return JSON.stringify(after, null, 2);
}

export function readIndexFile(file: string): Index {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Index;
}

/** Every file under dir (relative path -> bytes), symlinks as their target text. */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (e.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(p)}`;
      else if (e.isDirectory()) walk(p);
      else out[rel] = fs.readFileSync(p).toString("base64");
    }
  };
  walk(dir);
  return out;
}

/**
 * A store of `count` dead `running` entries whose silence starts one hour apart: a run with
 * OPENCLAW_SESSIONS_NOW = runNow(j) finds exactly entries 0..j stale (the later ones are active
 * "in the future" and kept), so repeated runs each have a fresh entry to finalize without the
 * test writing the index itself.
 */
export interface StaggeredStore {
  state: string;
  index: string;
  keys: string[];
  runNow(j: number): number;
  /** the finalize fields entry i must get */
  finalizedFields(i: number): Record<string, unknown>;
}

export function buildStaggeredStore(count: number, dead: OwnerProcess, extra: Index = {}, config?: string): StaggeredStore {
  const state = makeStateDir("ocs-cleanup-stag-");
  const base = NOW - (count + 1) * H;
  const entries: Index = { ...extra };
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = `agent:main:stag-${String(i).padStart(2, "0")}`;
    const id = uuid(i);
    const start = base + i * H;
    // updatedAt after the last activity (as OpenClaw's own bumps leave it): finalizing keeps it
    entries[key] = entry({ sessionId: id, updatedAt: start + 5 * S, status: "running", startedAt: start });
    const tx = transcriptPath(state, id);
    writeTranscript(tx, [line.header(id, start - M), line.user(start + 2 * S, `turn ${i}`)]);
    writeLock(`${tx}.lock`, { pid: dead.pid, starttime: dead.starttime, createdAt: start });
    keys.push(key);
  }
  if (config !== undefined) fs.writeFileSync(path.join(state, "openclaw.json"), config);
  writeIndex(state, "main", entries);
  return {
    state,
    index: indexPath(state),
    keys,
    runNow: (j) => base + j * H + 11 * M,
    finalizedFields: (i) => {
      const start = base + i * H;
      return { status: "failed", endedAt: start + 2 * S, updatedAt: start + 5 * S, abortedLastRun: true };
    },
  };
}
