// Who holds a POSIX lock on a file, from /proc/locks: the era C gateway (and an embedded
// `openclaw agent --local` run) holds a WRITE lock on `gateway.<hash>.lock.sqlite` all its life,
// and SIGKILL drops it, so a held lock is the owner's own proof of life. A copy cannot carry it.
import fs from "node:fs";

export interface PosixLock {
  pid: number;
  kind: "READ" | "WRITE";
  major: number;
  minor: number;
  inode: bigint;
}

/** Parses /proc/locks lines: `1: POSIX  ADVISORY  WRITE 26517 fe:00:5572300 1073741824 1073742335`. */
export function parseProcLocks(text: string): PosixLock[] {
  const out: PosixLock[] = [];
  for (const line of text.split("\n")) {
    const m = /^\d+:\s+(?:->\s+)?POSIX\s+\S+\s+(READ|WRITE)\s+(\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
    if (!m) continue;
    out.push({ kind: m[1] as "READ" | "WRITE", pid: Number(m[2]), major: parseInt(m[3], 16), minor: parseInt(m[4], 16), inode: BigInt(m[5]) });
  }
  return out;
}

/** glibc's major()/minor() of st_dev. */
export function devParts(dev: bigint): { major: number; minor: number } {
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

export type LockHolder = { state: "held"; pid: number } | { state: "free" } | { state: "unknown" };

/** The WRITE lock on `file` as /proc/locks shows it; unknown off Linux or when the file is gone. */
export function posixWriteLock(file: string, procLocks = "/proc/locks"): LockHolder {
  let st: fs.BigIntStats | undefined;
  let text: string;
  try {
    st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
    if (!st) return { state: "unknown" };
    text = fs.readFileSync(procLocks, "utf8");
  } catch {
    return { state: "unknown" };
  }
  const { major, minor } = devParts(st.dev);
  const lock = parseProcLocks(text).find((l) => l.kind === "WRITE" && l.inode === st.ino && l.major === major && l.minor === minor);
  return lock ? { state: "held", pid: lock.pid } : { state: "free" };
}
