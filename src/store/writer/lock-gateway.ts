// The gateway's own era A store lock, `sessions.json.lock`, taken exactly as OpenClaw takes it:
// a plain file created with O_EXCL holding {"pid","createdAt","starttime"}. A live, fresh holder
// is waited for, never robbed; a dead, reused or >30 s old holder is removed, as OpenClaw does.
// Era B gateways ignore the file, so it costs nothing there.
import { lockBodyFields } from "../lock-body.js";
import fs from "node:fs";
import { WriteConflictError, WriteRefusedError } from "../../core/errors.js";
import { writeAll } from "./atomic-write.js";
import { ownerOfLockBody, readProcStartTime } from "../proc.js";

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
  return { stale: false, holder: `pid ${pid}` };
}

export function gatewayLockPath(realIndexPath: string): string {
  return `${realIndexPath}.lock`;
}

export async function acquireGatewayLock(realIndexPath: string, waitMs: number, displayPath: string): Promise<GatewayLock> {
  const lockPath = gatewayLockPath(realIndexPath);
  const deadline = Date.now() + waitMs;
  let holder = "";
  for (;;) {
    const body = JSON.stringify({
      pid: process.pid,
      createdAt: new Date().toISOString(),
      starttime: readProcStartTime(process.pid),
    });
    if (tryCreate(lockPath, body, displayPath)) return held(lockPath, body, displayPath);
    const found = readLock(lockPath);
    if (found) {
      const verdict = judgeLock(found.body, found.mtimeMs, Date.now());
      if (verdict.stale) {
        removeIfUnchanged(lockPath, found);
        continue;
      }
      holder = verdict.holder;
    }
    if (!found) continue; // released between our create and our read: try again at once
    if (Date.now() >= deadline) {
      throw new WriteConflictError(
        `${lockPath} is held by ${holder} (the gateway is writing ${displayPath}) for more than ${Math.round(waitMs / 1000)} s; nothing written, try again`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function tryCreate(lockPath: string, body: string, displayPath: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, "wx", 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new WriteRefusedError(`cannot create ${lockPath} for ${displayPath}: ${(err as Error).message}`);
  }
  try {
    writeAll(fd, Buffer.from(body));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(lockPath, { force: true });
    throw new WriteRefusedError(`cannot write ${lockPath} for ${displayPath}: ${(err as Error).message}`);
  }
  return true;
}

interface FoundLock {
  body: string;
  mtimeMs: number;
  ino: number;
}

function readLock(lockPath: string): FoundLock | undefined {
  try {
    const st = fs.statSync(lockPath);
    const body = fs.readFileSync(lockPath, "utf8");
    return { body, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch {
    return undefined;
  }
}

/** Only the very lock we judged stale is removed, not one a rival created since. */
function removeIfUnchanged(lockPath: string, judged: FoundLock): void {
  const now = readLock(lockPath);
  if (!now || now.ino !== judged.ino || now.body !== judged.body) return;
  try {
    fs.unlinkSync(lockPath);
  } catch {
    /* someone else removed it */
  }
}

function held(lockPath: string, body: string, displayPath: string): GatewayLock {
  const ours = () => readLock(lockPath)?.body === body;
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
