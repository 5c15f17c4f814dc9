// The gateway's own era A store lock, `sessions.json.lock`, taken exactly as OpenClaw takes it:
// a plain file created with O_EXCL holding {"pid","createdAt","starttime"}. A live, fresh holder
// is waited for, never robbed; a dead, reused or >30 s old holder is removed, as OpenClaw does.
// Era B gateways ignore the file, so it costs nothing there.
import { lockBodyFields } from "../lock-body.js";
import fs from "node:fs";
import { WriteConflictError, WriteRefusedError } from "../../core/errors.js";
import { createPidFile, inspectPidFile, readPidFile, removeIfUnchanged, type UnreadablePidFile } from "../pid-file.js";
import { ownerOfLockBody, processCommand, readProcStartTime } from "../proc.js";
import { foreignOwner } from "./ownership.js";

/** OpenClaw's own staleness limit for this lock. */
export const GATEWAY_LOCK_STALE_MS = 30_000;
const POLL_MS = 25;

export interface GatewayLock {
  path: string;
  /** throws unless the lock file still holds our body */
  assertHeld(): void;
  release(): void;
}

export type LockVerdict = { stale: true; why: string } | { stale: false; holder: string };

/** Judges a lock body found on disk. `nowMs` is the real clock: the protocol is cross-process. */
export function judgeLock(body: string, mtimeMs: number, nowMs: number): LockVerdict {
  // empty or half written: no fields
  const parsed = lockBodyFields(body);
  const pid = parsed?.pid;
  if (!parsed || pid === undefined) {
    // a lock is created empty and filled a moment later: held until its mtime is old
    if (nowMs - mtimeMs > GATEWAY_LOCK_STALE_MS) return { stale: true, why: "unreadable and older than 30 s" };
    return { stale: false, holder: "a process that is still writing the lock file" };
  }
  const owner = ownerOfLockBody(pid, parsed.starttime);
  if (owner === "dead") return { stale: true, why: `pid ${pid} is dead` };
  if (owner === "reused") return { stale: true, why: `pid ${pid} was reused by another process` };
  const createdAt = parsed.createdAt;
  if (createdAt !== undefined && nowMs - createdAt > GATEWAY_LOCK_STALE_MS) {
    return { stale: true, why: `created ${Math.round((nowMs - createdAt) / 1000)} s ago` };
  }
  // its command line tells a gateway from some other tool holding OpenClaw's lock
  const command = processCommand(pid);
  return { stale: false, holder: command ? `pid ${pid} (${command})` : `pid ${pid}` };
}

export function gatewayLockPath(realIndexPath: string): string {
  return `${realIndexPath}.lock`;
}

export async function acquireGatewayLock(realIndexPath: string, waitMs: number, displayPath: string): Promise<GatewayLock> {
  const lockPath = gatewayLockPath(realIndexPath);
  const deadline = Date.now() + waitMs;
  const owner = foreignOwner(realIndexPath);
  let goneJustNow = false;
  for (;;) {
    const body = JSON.stringify({
      pid: process.pid,
      createdAt: new Date().toISOString(),
      starttime: readProcStartTime(process.pid),
    });
    if (createPidFile(lockPath, body, { mode: 0o644, fsync: true, what: lockPath, forPath: displayPath, owner })) return held(lockPath, body, displayPath);
    const found = inspectPidFile(lockPath);
    // released between our create and our read: try again at once, but never twice running, so
    // a path that only ever looks "gone" cannot keep us from the event loop (and its signals)
    if (!found && !goneJustNow) {
      goneJustNow = true;
      continue;
    }
    goneJustNow = false;
    let busy: (waited: string) => string;
    if (!found) busy = (waited) => `${lockPath} kept appearing and disappearing ${waited}; nothing written, try again`;
    else if ("unreadable" in found) {
      if (found.notALock) throw new WriteRefusedError(notALockMessage(lockPath, displayPath, found));
      busy = (waited) => unreadableMessage(lockPath, displayPath, found, waited);
    } else {
      const verdict = judgeLock(found.text, found.mtimeMs, Date.now());
      if (verdict.stale) {
        if (removeIfUnchanged(lockPath, found)) continue;
        throw new WriteRefusedError(
          `${lockPath} is stale (${verdict.why}) but this user cannot remove it; remove it (or run as its owner), then try again; ${displayPath} is unchanged`,
        );
      }
      busy = (waited) => `${lockPath} is held by ${verdict.holder} (the gateway is writing ${displayPath}) ${waited}; nothing written, try again`;
    }
    if (Date.now() >= deadline) {
      throw new WriteConflictError(busy(`for more than ${Math.round(waitMs / 1000)} s`));
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

// Not a lock anyone can hold the era A way: an era A gateway cannot take its store lock either
// while it is there, so waiting is pointless; a person has to look.
function notALockMessage(lockPath: string, displayPath: string, found: UnreadablePidFile): string {
  if (found.notALock === "dangling symlink") {
    return (
      `${lockPath} is not the gateway's lock file (${found.why}); while it is there neither OpenClaw nor openclaw-sessions ` +
      `can lock ${displayPath}. Remove it (rm ${lockPath}) and try again; nothing written`
    );
  }
  return (
    `${lockPath} is a directory, not the gateway's lock file (a tool that locks ${displayPath} with proper-lockfile leaves one); ` +
    `while it is there neither OpenClaw nor openclaw-sessions can lock ${displayPath}. If no such tool is running, remove it ` +
    `(rmdir ${lockPath}) and try again; nothing written`
  );
}

// Another user's lock we may not read: its holder and age are unknown, so it is treated as held.
function unreadableMessage(lockPath: string, displayPath: string, found: UnreadablePidFile, waited: string): string {
  return (
    `${lockPath} exists but this user (uid ${process.getuid?.() ?? "?"}) cannot read it (${found.why}; it belongs to uid ${found.uid}): ` +
    `held by an unknown process (a gateway writing ${displayPath}?), waited ${waited}; nothing written. ` +
    `If no gateway is writing ${displayPath}, remove ${lockPath} or run as uid ${found.uid}`
  );
}

function held(lockPath: string, body: string, displayPath: string): GatewayLock {
  const ours = () => readPidFile(lockPath)?.text === body;
  return {
    path: lockPath,
    assertHeld() {
      if (!ours()) {
        throw new WriteRefusedError(`lost ${lockPath} (another process judged it stale); ${displayPath} is unchanged`);
      }
    },
    release() {
      if (ours()) fs.rmSync(lockPath, { force: true });
    },
  };
}
