// Our own lock, so two openclaw-sessions processes never interleave on one index. It lives on a
// SEPARATE path: proper-lockfile makes a directory, and a `sessions.json.lock` directory would
// break era A gateways (they expect a plain file there and cannot remove a directory).
import { lockBodyFields } from "../lock-body.js";
import fs from "node:fs";
import os from "node:os";
import lockfile from "proper-lockfile";
import { CliError, EXIT, WriteConflictError, WriteRefusedError } from "../../core/errors.js";
import { ownerOfLockBody, readProcStartTime } from "../proc.js";
import { ownLockOwnerPath, ownLockPath } from "../own-lock-name.js";
import { foreignOwner, giveTo } from "./ownership.js";

// stale: a holder SIGKILLed without a sidecar is taken over after this; update keeps ours fresh
const STALE_MS = 4000;
const UPDATE_MS = 1000;
// about 5 s in all: long enough to outlast a stale lock, far from the library's 31 s
const RETRIES = { retries: 12, factor: 1.4, minTimeout: 50, maxTimeout: 800 };

export interface OwnLock {
  lockPath: string;
  /** throws unless the lock is still ours: checked right before the rename */
  assertHeld(): void;
  release(): Promise<void>;
}

interface OwnerInfo {
  pid: number;
  starttime?: number;
  hostname: string;
  acquiredAt: string;
}

export { ownLockPath };

/** `retries`: how often a live holder is waited for (default about 5 s in all; 0: refused at once). */
export async function acquireOwnLock(realIndexPath: string, displayPath: string, retries: number = RETRIES.retries): Promise<OwnLock> {
  const lockPath = ownLockPath(realIndexPath);
  const ownerPath = ownLockOwnerPath(realIndexPath);
  let lost: Error | undefined;
  const options = {
    lockfilePath: lockPath,
    realpath: false,
    stale: STALE_MS,
    update: UPDATE_MS,
    retries: { ...RETRIES, retries },
    // the default throws from a timer and kills the process: only record it, the rename checks it
    onCompromised: (err: Error) => {
      lost = err;
    },
  };
  const release = await lockWithTakeover(realIndexPath, options, lockPath, ownerPath, displayPath);
  const me: OwnerInfo = {
    pid: process.pid,
    starttime: readProcStartTime(process.pid),
    hostname: os.hostname(),
    acquiredAt: new Date().toISOString(),
  };
  const body = JSON.stringify(me);
  try {
    writeOwnerFile(ownerPath, body);
    // under sudo on a user's store: the user's own later runs must be able to read and replace both
    const owner = foreignOwner(realIndexPath);
    giveTo(lockPath, owner);
    giveTo(ownerPath, owner);
  } catch (err) {
    await release().catch(() => undefined);
    throw new WriteRefusedError(`cannot write ${ownerPath} for ${displayPath}: ${(err as Error).message}; nothing written`);
  }
  return {
    lockPath,
    assertHeld() {
      let cause: string | undefined;
      if (lost) cause = lost.message;
      else if (!fs.existsSync(lockPath)) cause = "the lock directory was removed";
      else if (readText(ownerPath) !== body) cause = "another process took it over";
      if (cause) throw new WriteConflictError(`lost our lock ${lockPath} (${cause}); ${displayPath} is unchanged`);
    },
    async release() {
      if (readText(ownerPath) === body) removeQuietly(ownerPath);
      try {
        await release();
      } catch {
        /* compromised or already gone: nothing of ours left to remove */
      }
    },
  };
}

async function lockWithTakeover(
  file: string,
  options: lockfile.LockOptions,
  lockPath: string,
  ownerPath: string,
  displayPath: string,
): Promise<() => Promise<void>> {
  for (let takeovers = 0; ; ) {
    try {
      // first without retries: a dead owner is taken over at once instead of waited out
      return await lockfile.lock(file, { ...options, retries: 0 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw refused(err, lockPath, displayPath);
      if (takeovers++ >= 3 || !takeOverDeadOwner(lockPath, ownerPath)) break;
    }
  }
  try {
    return await lockfile.lock(file, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw refused(err, lockPath, displayPath);
    throw busyError(displayPath, lockPath, readOwner(ownerPath));
  }
}

function refused(err: unknown, lockPath: string, displayPath: string): WriteRefusedError {
  return new WriteRefusedError(`cannot take the lock ${lockPath} for ${displayPath}: ${(err as Error).message}`);
}

/**
 * After a SIGKILL the lock directory stays until it goes stale. When the owner file names a
 * dead (or reused) pid on this host, take over at once. The owner file is removed first, so a
 * second process racing us finds no dead owner to act on. An owner file made before the lock
 * directory is not its holder's: a live process took the directory over by staleness and has
 * not written its own owner file yet (the dead one's is still there until it does).
 */
function takeOverDeadOwner(lockPath: string, ownerPath: string): boolean {
  const text = readText(ownerPath);
  const owner = parseOwner(text);
  if (!owner || owner.hostname !== os.hostname() || ownerOfLockBody(owner.pid, owner.starttime) === "alive") return false;
  if (madeBefore(ownerPath, lockPath)) return false;
  if (readText(ownerPath) !== text) return false;
  removeQuietly(ownerPath);
  try {
    fs.rmdirSync(lockPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") return false;
  }
  return true;
}

/**
 * `a` was created before `b` (birth times, where the file system keeps them; else false). Where
 * Node cannot read them (no statx) libuv reports the change time instead, which proper-lockfile's
 * refresh keeps moving on the directory: a dead holder is then taken over by staleness (4 s)
 * rather than at once. Slower, never wrong.
 */
function madeBefore(a: string, b: string): boolean {
  const sa = fs.statSync(a, { throwIfNoEntry: false });
  const sb = fs.statSync(b, { throwIfNoEntry: false });
  if (!sa || !sb || sa.birthtimeMs <= 0 || sb.birthtimeMs <= 0) return false;
  return sa.birthtimeMs < sb.birthtimeMs;
}

/**
 * Replaces whatever owner file is there: holding the lock, any found is a dead holder's. Removed
 * first, not truncated, as one left by another user (root's 0600 after a SIGKILL) cannot be
 * opened for writing by us, but removing it needs only the directory.
 */
function writeOwnerFile(ownerPath: string, body: string): void {
  removeQuietly(ownerPath);
  fs.writeFileSync(ownerPath, body, { mode: 0o600, flag: "wx" });
}

function busyError(displayPath: string, lockPath: string, owner: OwnerInfo | undefined): CliError {
  const who = owner
    ? owner.pid === process.pid
      ? "this same process (another write is in progress)"
      : `another openclaw-sessions process (pid ${owner.pid}, since ${owner.acquiredAt})`
    : `another openclaw-sessions process (if none runs, remove the directory ${lockPath})`;
  return new CliError(`${displayPath} is being written by ${who}; try again when it finishes`, EXIT.busy);
}

function readOwner(ownerPath: string): OwnerInfo | undefined {
  return parseOwner(readText(ownerPath));
}

function parseOwner(text: string | undefined): OwnerInfo | undefined {
  const o = text ? lockBodyFields(text) : undefined;
  if (o?.pid === undefined || o.hostname === undefined) return undefined;
  return { pid: o.pid, starttime: o.starttime, hostname: o.hostname, acquiredAt: o.acquiredAt ?? "an unknown time" };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* gone */
  }
}
