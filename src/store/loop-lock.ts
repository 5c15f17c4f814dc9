// One keep-alive loop per store: a pid file beside the index, created with O_EXCL, e.g.
// `sessions.json.openclaw-sessions-keepalive.pid`. Two loops on one store would double every
// write and fight over the writer's lock. The file names its holder; a holder that is dead, or
// whose pid now belongs to another process (start time differs), is taken over. The writer's own
// lock is separate: this one is held for the loop's whole life, that one for one write.
import { lockBodyFields } from "./lock-body.js";
import { createPidFile, inspectPidFile, readPidFile, removeIfUnchanged } from "./pid-file.js";
import fs from "node:fs";
import os from "node:os";
import { CliError, EXIT, WriteRefusedError } from "../core/errors.js";
import { ownerState, readProcStartTime } from "./proc.js";
import { realIndexPath } from "./writer/real-path.js";
import { foreignOwner } from "./writer/ownership.js";
import { gatewayLockPath, ownLockPath } from "./writer/index.js";

export const LOOP_LOCK_SUFFIX = ".openclaw-sessions-keepalive.pid";
/** a pid file is written right after it is created: an empty one is someone starting up, for this long */
export const LOOP_LOCK_STARTING_MS = 10_000;

export interface LoopLockHolder {
  pid: number;
  starttime?: number;
  hostname?: string;
  startedAt?: string;
}

export interface LoopLock {
  path: string;
  /** the index as the user named it */
  storePath: string;
  /** the file still holds our body (nobody removed or replaced it) */
  held(): boolean;
  /** removes the file if it is still ours; safe to call twice, synchronous (usable on exit) */
  release(): void;
}

export type HolderVerdict =
  | { stale: false; holder?: LoopLockHolder; who: string }
  | { stale: true; holder?: LoopLockHolder; why: string };

export function loopLockPath(storePath: string): string {
  return `${realIndexPath(storePath)}${LOOP_LOCK_SUFFIX}`;
}

export function parseHolder(text: string): LoopLockHolder | undefined {
  const v = lockBodyFields(text);
  if (v?.pid === undefined) return undefined;
  return { pid: v.pid, starttime: v.starttime, hostname: v.hostname, startedAt: v.startedAt };
}

/** Is the pid file found on disk still someone's? `nowMs` is the real clock. */
export function judgeHolder(text: string, mtimeMs: number, nowMs: number): HolderVerdict {
  const holder = parseHolder(text);
  if (!holder) {
    if (nowMs - mtimeMs > LOOP_LOCK_STARTING_MS) return { stale: true, why: "unreadable and older than 10 s" };
    return { stale: false, who: "a keepalive that is just starting" };
  }
  const since = holder.startedAt ? `, since ${holder.startedAt}` : "";
  // another host's pid cannot be checked from here: never take it over
  if (holder.hostname && holder.hostname !== os.hostname()) return { stale: false, holder, who: `pid ${holder.pid} on host ${holder.hostname}${since}` };
  const state = ownerState(holder.pid, holder.starttime);
  if (state === "dead") return { stale: true, holder, why: `pid ${holder.pid} is dead` };
  if (state === "reused") return { stale: true, holder, why: `pid ${holder.pid} now belongs to another process` };
  const me = holder.pid === process.pid ? " (this process)" : "";
  return { stale: false, holder, who: `pid ${holder.pid}${me}${since}` };
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}

/** The holder named by the pid file of `storePath`'s loop lock, if there is one. */
export function readLoopLock(storePath: string): { path: string; holder?: LoopLockHolder; verdict: HolderVerdict } | undefined {
  const p = loopLockPath(storePath);
  const found = readPidFile(p);
  if (!found) return undefined;
  const verdict = judgeHolder(found.text, found.mtimeMs, Date.now());
  return { path: p, holder: verdict.holder, verdict };
}

export class LoopLockBusyError extends CliError {
  constructor(
    message: string,
    readonly holder: LoopLockHolder | undefined,
    readonly lockPath: string,
  ) {
    super(message, EXIT.busy);
    this.name = "LoopLockBusyError";
  }
}

/**
 * Takes the loop lock of `storePath` or throws LoopLockBusyError (exit 5) naming the holder.
 * Synchronous: it runs before the loop starts and from within a tick.
 */
export function acquireLoopLock(storePath: string): LoopLock {
  const p = loopLockPath(storePath);
  const body = `${JSON.stringify({
    pid: process.pid,
    starttime: readProcStartTime(process.pid),
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
  })}\n`;
  // under sudo on a user's store the pid file is the user's: a root loop SIGKILLed must not block theirs
  const owner = foreignOwner(realIndexPath(storePath));
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createPidFile(p, body, { mode: 0o600, what: `the keepalive lock ${p}`, forPath: storePath, owner })) return held(p, body, storePath);
    const found = inspectPidFile(p);
    if (!found) continue; // released between our create and our read
    if ("unreadable" in found) {
      if (found.notALock) {
        throw new WriteRefusedError(`${p} is not a keepalive lock (${found.why}): remove it (rm ${p}), then start keepalive again; ${storePath} is unchanged`);
      }
      throw new LoopLockBusyError(
        `${p} exists but this user cannot read it (${found.why}; it belongs to uid ${found.uid}), so another keepalive may run on ${storePath}; if none does, remove it`,
        undefined,
        p,
      );
    }
    const verdict = judgeHolder(found.text, found.mtimeMs, Date.now());
    if (!verdict.stale) {
      throw new LoopLockBusyError(
        `another keepalive already runs on ${storePath}: ${verdict.who} holds ${p} (stop it first; one loop per store)`,
        verdict.holder,
        p,
      );
    }
    if (!removeIfUnchanged(p, found)) {
      throw new WriteRefusedError(`${p} is stale (${verdict.why}) but this user cannot remove it; remove it (or run as its owner), then start keepalive again; ${storePath} is unchanged`);
    }
  }
  throw new LoopLockBusyError(`${p} keeps changing: another keepalive is starting on ${storePath}`, undefined, p);
}

function held(p: string, body: string, storePath: string): LoopLock {
  let released = false;
  return {
    path: p,
    storePath,
    held: () => !released && readText(p) === body,
    release() {
      if (released) return;
      released = true;
      if (readText(p) !== body) return;
      try {
        fs.unlinkSync(p);
      } catch {
        /* gone */
      }
    },
  };
}

/**
 * A second signal exits in the middle of a write: remove what the writer holds for us on
 * `storePath`, synchronously. Only files naming this process are touched. The writer's rename
 * and audit line run without a pause, so a signal never lands between them; what can be held at
 * a pause is our own lock (while it waits for the gateway's lock or checks the change survived).
 */
export function removeOurWriterLocks(storePath: string): void {
  const real = realIndexPath(storePath);
  const own = ownLockPath(real);
  if (parseHolder(readText(`${own}.owner`) ?? "")?.pid === process.pid) {
    fs.rmSync(`${own}.owner`, { force: true });
    try {
      fs.rmdirSync(own);
    } catch {
      /* gone, or not a directory we made */
    }
  }
  const gateway = gatewayLockPath(real);
  if (parseHolder(readText(gateway) ?? "")?.pid === process.pid) fs.rmSync(gateway, { force: true });
}
