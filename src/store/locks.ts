// Reads a transcript lock (`<transcript>.jsonl.lock`) or an era A `sessions.json.lock`.
// A lock file is created empty and filled a moment later, so an empty or unparseable body means
// "someone is taking it", not "stale": owner "unknown", and the mtime tells how fresh it is.
import fs from "node:fs";
import type { LockInfo } from "../core/types.js";
import { lockBodyFields } from "./lock-body.js";
import { ownerState } from "./proc.js";
import { READ_NONBLOCK } from "./regular-file.js";

const MAX_LOCK_BYTES = 64 * 1024;

/** undefined when there is no lock file. */
export async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  return readLockSync(lockPath);
}

/**
 * readLock without the promise (synchronous fd calls: see tail.ts for why). Most transcripts
 * have no lock: a stat that does not throw answers that without building an ENOENT error.
 */
export function readLockSync(lockPath: string): LockInfo | undefined {
  let text: string;
  let mtimeMs: number;
  try {
    if (!fs.statSync(lockPath, { throwIfNoEntry: false })) return undefined;
    const fd = fs.openSync(lockPath, READ_NONBLOCK);
    try {
      const st = fs.fstatSync(fd);
      // proper-lockfile leaves a DIRECTORY at <file>.lock: held, by someone we cannot name. Any
      // other non-file (a FIFO, opened without blocking) is taken the same cautious way: refusing
      // it would leave the session with no lock at all, which is evidence of death
      if (!st.isFile()) return { path: lockPath, mtimeMs: st.mtimeMs, owner: "unknown" };
      mtimeMs = st.mtimeMs;
      const buf = Buffer.alloc(Math.min(st.size, MAX_LOCK_BYTES));
      const bytesRead = buf.length > 0 ? fs.readSync(fd, buf, 0, buf.length, 0) : 0;
      text = buf.toString("utf8", 0, bytesRead);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    if (code === "EISDIR") {
      const st = fs.statSync(lockPath, { throwIfNoEntry: false });
      return st ? { path: lockPath, mtimeMs: st.mtimeMs, owner: "unknown" } : undefined;
    }
    throw err;
  }
  return parseLockBody(lockPath, text, mtimeMs);
}

export function parseLockBody(lockPath: string, text: string, mtimeMs: number): LockInfo {
  const info: LockInfo = { path: lockPath, mtimeMs, owner: "unknown" };
  const b = lockBodyFields(text);
  if (!b) return info;
  if (b.createdAt !== undefined) info.createdAt = b.createdAt;
  if (b.starttime !== undefined) info.starttime = b.starttime;
  if (b.maxHoldMs !== undefined) info.maxHoldMs = b.maxHoldMs;
  if (b.pid === undefined) return info;
  info.pid = b.pid;
  info.owner = ownerState(b.pid, info.starttime);
  return info;
}
