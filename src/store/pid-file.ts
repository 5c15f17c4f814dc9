// The O_EXCL pid-file protocol shared by the era A gateway lock (`sessions.json.lock`) and our
// keepalive loop lock: create the file exclusively with the whole body, read what a rival left,
// and remove a file judged stale only if it is still the very one judged (not a racer's new one).
import fs from "node:fs";
import { WriteRefusedError } from "../core/errors.js";
import { writeAll } from "./writer/atomic-write.js";
import { giveTo, type Owner } from "./writer/ownership.js";

export interface FoundPidFile {
  text: string;
  mtimeMs: number;
  ino: number;
}

/**
 * Creates `file` with O_EXCL holding `body` (given to `owner`, see ownership.ts); false when it
 * exists already. A file that could not be written whole is removed, and the failure is a
 * WriteRefusedError naming `what` and `forPath`.
 */
export function createPidFile(
  file: string,
  body: string,
  opts: { mode: number; fsync?: boolean; what: string; forPath: string; owner?: Owner },
): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, "wx", opts.mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new WriteRefusedError(`cannot create ${opts.what} for ${opts.forPath}: ${(err as Error).message}`);
  }
  try {
    giveTo(file, opts.owner);
    writeAll(fd, Buffer.from(body));
    if (opts.fsync) fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(file, { force: true });
    throw new WriteRefusedError(`cannot write ${opts.what} for ${opts.forPath}: ${(err as Error).message}`);
  }
  return true;
}

/**
 * Something is at the pid file's path but its body cannot be read: a directory (proper-lockfile
 * makes one), a symlink to nothing (O_EXCL refuses to create through it, stat finds nothing), or
 * a file this user may not read (another user's 0600 lock). None ever goes away by retrying at
 * once, so callers must wait or refuse, never loop on it.
 */
export interface UnreadablePidFile {
  unreadable: true;
  /** not a file anyone can hold as a lock: only a person can clear it */
  notALock?: "directory" | "dangling symlink";
  uid: number;
  why: string;
}

/** The pid file as found, what is there instead of a readable one, or undefined when it is gone. */
export function inspectPidFile(file: string): FoundPidFile | UnreadablePidFile | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    return danglingSymlink(file, (err as NodeJS.ErrnoException).code);
  }
  const unreadable = (why: string): UnreadablePidFile => ({ unreadable: true, uid: st.uid, why });
  if (st.isDirectory()) return { ...unreadable("it is a directory"), notALock: "directory" };
  try {
    return { text: fs.readFileSync(file, "utf8"), mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    return unreadable((err as Error).message);
  }
}

function danglingSymlink(file: string, code: string | undefined): UnreadablePidFile | undefined {
  try {
    const lst = fs.lstatSync(file);
    if (!lst.isSymbolicLink()) return undefined;
    const target = fs.readlinkSync(file);
    const why = code === "ENOENT" ? `it is a symlink to ${target}, which does not exist` : `it is a symlink to ${target}, which cannot be followed (${code ?? "unknown error"})`;
    return { unreadable: true, notALock: "dangling symlink", uid: lst.uid, why };
  } catch {
    return undefined;
  }
}

/** The pid file as found, or undefined when it is gone or cannot be read. */
export function readPidFile(file: string): FoundPidFile | undefined {
  const found = inspectPidFile(file);
  return found && !("unreadable" in found) ? found : undefined;
}

/**
 * Removes the file only if it is still the one judged stale (same inode, same body). False when
 * it is still there and could not be removed (no permission): retrying would only spin.
 */
export function removeIfUnchanged(file: string, judged: FoundPidFile): boolean {
  const now = readPidFile(file);
  if (!now || now.ino !== judged.ino || now.text !== judged.text) return true;
  try {
    fs.unlinkSync(file);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT";
  }
  return true;
}
