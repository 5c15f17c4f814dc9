// The O_EXCL pid-file protocol shared by the era A gateway lock (`sessions.json.lock`) and our
// keepalive loop lock: create the file exclusively with the whole body, read what a rival left,
// and remove a file judged stale only if it is still the very one judged (not a racer's new one).
import fs from "node:fs";
import { WriteRefusedError } from "../core/errors.js";
import { writeAll } from "./writer/atomic-write.js";

export interface FoundPidFile {
  text: string;
  mtimeMs: number;
  ino: number;
}

/**
 * Creates `file` with O_EXCL holding `body`; false when it exists already. A file that could not
 * be written whole is removed, and the failure is a WriteRefusedError naming `what` and `forPath`.
 */
export function createPidFile(file: string, body: string, opts: { mode: number; fsync?: boolean; what: string; forPath: string }): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, "wx", opts.mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new WriteRefusedError(`cannot create ${opts.what} for ${opts.forPath}: ${(err as Error).message}`);
  }
  try {
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

/** The pid file as found, or undefined when it is gone. */
export function readPidFile(file: string): FoundPidFile | undefined {
  try {
    const st = fs.statSync(file);
    return { text: fs.readFileSync(file, "utf8"), mtimeMs: st.mtimeMs, ino: st.ino };
  } catch {
    return undefined;
  }
}

/** Removes the file only if it is still the one judged stale (same inode, same body). */
export function removeIfUnchanged(file: string, judged: FoundPidFile): void {
  const now = readPidFile(file);
  if (!now || now.ino !== judged.ino || now.text !== judged.text) return;
  try {
    fs.unlinkSync(file);
  } catch {
    /* someone else removed it */
  }
}
