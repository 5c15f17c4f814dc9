// Finds a session's trajectory sidecar and reads its LAST run from the tail.
//
// One file holds many runs; `seq` restarts per run, so runs are told apart by `runId` and file
// position. A run's events are written together (2026.7.1 flushes a run when it ends; 2026.4.26
// appends as it goes, one run at a time per session), so reading backwards we stop at the first
// event of another run. One runId can hold several session.started..session.ended blocks (model
// retries) and a model.fallback_step may follow the last session.ended: the last LINE is not
// always the end, so every field is taken per type, not from the last line.
import fs from "node:fs";
import path from "node:path";
import type { RunEndRecord, ToolCallRef, TrajectoryRun, TrajectoryTail } from "../core/types.js";
import { RealPaths } from "./contain.js";
import { expandUserPath, type Env } from "./locate.js";
import { READ_NONBLOCK } from "./regular-file.js";
import { openTailSync, tailJsonSync, type TailOptions } from "./tail.js";

export interface TrajectoryLookup {
  sessionId: string;
  /** resolved transcript path: the sidecar and the pointer sit beside it */
  transcriptPath?: string;
  /** dirs a sidecar may live in (the agents tree, the store's own dir) */
  roots: readonly string[];
  env?: Env;
  /** resolved directories shared by the sessions of one read (default: resolved for this call) */
  realPaths?: RealPaths;
}

export interface TrajectoryLocation {
  path?: string;
  note?: string;
}

/** OpenClaw's safeTrajectorySessionFileName. */
export function safeSessionFileName(sessionId: string): string {
  const safe = sessionId.replaceAll(/[^A-Za-z0-9_-]/g, "_").slice(0, 120);
  return /[A-Za-z0-9]/.test(safe) ? safe : "session";
}

function stem(transcriptPath: string): string {
  return transcriptPath.endsWith(".jsonl") ? transcriptPath.slice(0, -6) : transcriptPath;
}

function trajectoryDir(env: Env): string | undefined {
  const dir = env.OPENCLAW_TRAJECTORY_DIR?.trim();
  return dir ? expandUserPath(dir, env) : undefined;
}

const POINTER_MAX_BYTES = 64 * 1024;
/** one read buffer for every pointer (read synchronously, start to end, one at a time) */
const pointerBuf = Buffer.allocUnsafe(POINTER_MAX_BYTES + 1);

/** Reads `<stem>.trajectory-path.json`'s runtimeFile; undefined when absent or unreadable. */
function pointerTarget(pointerPath: string): string | undefined {
  let fd: number;
  try {
    // a third of sessions have no pointer: a stat that does not throw says so cheaply
    const st = fs.statSync(pointerPath, { throwIfNoEntry: false });
    if (!st || st.size > POINTER_MAX_BYTES) return undefined;
    fd = fs.openSync(pointerPath, READ_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    let n = 0;
    for (;;) {
      const got = fs.readSync(fd, pointerBuf, n, pointerBuf.length - n, n);
      if (got === 0) break;
      n += got;
      if (n > POINTER_MAX_BYTES) return undefined; // it grew past the cap since the stat
    }
    const body = JSON.parse(pointerBuf.toString("utf8", 0, n)) as { runtimeFile?: unknown };
    return typeof body.runtimeFile === "string" && body.runtimeFile.trim() ? body.runtimeFile.trim() : undefined;
  } catch {
    return undefined; // EISDIR, EAGAIN (a FIFO), not JSON
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Pointer first (it names the file the runtime actually wrote), then $OPENCLAW_TRAJECTORY_DIR,
 * then the sibling. Pointers copied from another machine name absolute paths that do not exist
 * here: those fall back silently. A pointer naming an existing file outside the allowed dirs is
 * ignored with a note.
 */
export function locateTrajectory(q: TrajectoryLookup): TrajectoryLocation {
  const env = q.env ?? process.env;
  const dir = trajectoryDir(env);
  const roots = dir ? [...q.roots, dir] : [...q.roots];
  const paths = q.realPaths ?? new RealPaths();
  let note: string | undefined;
  const candidates: string[] = [];
  // lookup() gives a string exactly when the name leads to an existing file (fs.existsSync)
  if (q.transcriptPath) {
    const target = pointerTarget(`${stem(q.transcriptPath)}.trajectory-path.json`);
    if (target) {
      const resolved = path.resolve(path.dirname(q.transcriptPath), target);
      const real = paths.lookup(resolved);
      if (typeof real === "string") {
        if (paths.isInside(real, roots)) return { path: resolved };
        note = `trajectory pointer names ${resolved}, outside the agents tree; ignored`;
      }
    }
  }
  if (dir) candidates.push(path.join(dir, `${safeSessionFileName(q.sessionId)}.jsonl`));
  if (q.transcriptPath) candidates.push(`${stem(q.transcriptPath)}.trajectory.jsonl`);
  for (const c of candidates) {
    const real = paths.lookup(c);
    if (typeof real !== "string") continue;
    if (paths.isInside(real, roots)) return { path: c, note };
    if (!note) note = `trajectory ${c} ${isSymlink(c) ? `is a symlink to ${real}, outside the agents tree` : "escapes the agents tree"}; ignored`;
  }
  return { note };
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

interface TrajEvent {
  type: string;
  at: number;
  runId?: string;
  provider?: string;
  modelId?: string;
  data: Record<string, unknown>;
}

function toEvent(o: Record<string, unknown>): TrajEvent | undefined {
  if (o.traceSchema !== undefined && o.traceSchema !== "openclaw-trajectory") return undefined;
  if (typeof o.type !== "string" || typeof o.ts !== "string") return undefined;
  const at = Date.parse(o.ts);
  if (!Number.isFinite(at)) return undefined;
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const data = typeof o.data === "object" && o.data !== null && !Array.isArray(o.data) ? (o.data as Record<string, unknown>) : {};
  return { type: o.type, at, runId: str(o.runId), provider: str(o.provider), modelId: str(o.modelId), data };
}

/** Reads the tail of a trajectory file; undefined when the file does not exist. */
export async function readTrajectoryTail(filePath: string, opts: TailOptions = {}): Promise<TrajectoryTail | undefined> {
  return readTrajectoryTailSync(filePath, opts);
}

/** readTrajectoryTail without the promise: a few small page-cached reads (see tail.ts). */
export function readTrajectoryTailSync(filePath: string, opts: TailOptions = {}): TrajectoryTail | undefined {
  const file = openTailSync(filePath, opts);
  if (!file) return undefined;
  let summary: ReturnType<typeof summarizeTrajectory>;
  try {
    summary = summarizeTrajectory(tailJsonSync(file));
  } finally {
    file.closeSync();
  }
  return { path: filePath, size: file.size, mtimeMs: file.mtimeMs, ...summary };
}

/**
 * The last run of trajectory events read newest first (stops at the first event of another
 * run). Shared by the sidecar reader and the era C reader (whose rows are the same events).
 */
export function summarizeTrajectory(newestFirst: Iterable<Record<string, unknown>>): Pick<TrajectoryTail, "run" | "lastEventAt" | "truncated"> {
  const events: TrajEvent[] = [];
  let truncated = false;
  let target: string | undefined;
  for (const o of newestFirst) {
    const ev = toEvent(o);
    if (!ev) continue;
    if (ev.type === "trace.truncated") truncated = true;
    if (target === undefined && ev.runId) target = ev.runId;
    else if (target !== undefined && ev.runId && ev.runId !== target) break;
    events.push(ev);
  }
  return { run: summarizeRun(events, target), lastEventAt: events[0]?.at, truncated };
}

/** The run `runId` (or, in a file without run ids, every event read) from events newest-first. */
function summarizeRun(newestFirst: TrajEvent[], runId: string | undefined): TrajectoryRun | undefined {
  const events = runId === undefined ? newestFirst : newestFirst.filter((e) => e.runId === runId || e.runId === undefined);
  const own = events.filter((e) => e.type !== "trace.truncated");
  if (own.length === 0) return undefined;
  const first = <T>(pick: (e: TrajEvent) => T | undefined): T | undefined => {
    for (const e of own) {
      const v = pick(e);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const endedEv = own.find((e) => e.type === "session.ended");
  return {
    runId,
    firstEventAt: own[own.length - 1].at,
    lastEventAt: own[0].at,
    promptSubmittedAt: own.find((e) => e.type === "prompt.submitted")?.at,
    modelCompletedAt: own.find((e) => e.type === "model.completed")?.at,
    ended: endedEv ? endRecord(endedEv, own) : undefined,
    openToolCalls: openTools(own),
    modelId: first((e) => e.modelId),
    provider: first((e) => e.provider),
  };
}

/** session.ended with the flags and the failover reason that say how an `error` ended. */
function endRecord(endedEv: TrajEvent, newestFirst: TrajEvent[]): RunEndRecord {
  const d = endedEv.data;
  const record: RunEndRecord = { status: typeof d.status === "string" ? d.status : "unknown", at: endedEv.at };
  for (const flag of ["aborted", "externalAbort", "timedOut", "idleTimedOut", "timedOutByRunBudget"] as const) {
    if (typeof d[flag] === "boolean") record[flag] = d[flag] as boolean;
  }
  const step = newestFirst.find((e) => e.type === "model.fallback_step" && e.at >= endedEv.at);
  const reason = step?.data.fallbackStepFromFailureReason;
  if (typeof reason === "string") record.failoverReason = reason;
  return record;
}

/** tool.call without tool.result / tool.timeout, within the run's latest started block. */
function openTools(newestFirst: TrajEvent[]): ToolCallRef[] {
  const open = new Map<string, ToolCallRef>();
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const e = newestFirst[i];
    // a retry starts afresh: calls of an earlier attempt are not running any more
    if (e.type === "session.started") open.clear();
    const id = typeof e.data.toolCallId === "string" ? e.data.toolCallId : typeof e.data.id === "string" ? e.data.id : undefined;
    if (!id) continue;
    if (e.type === "tool.call") {
      const name = typeof e.data.name === "string" ? e.data.name : typeof e.data.toolName === "string" ? e.data.toolName : "tool";
      open.set(id, { id, name, since: e.at });
    } else if (e.type === "tool.result" || e.type === "tool.timeout") open.delete(id);
  }
  return [...open.values()];
}
