// Temp files that are complete or do not exist: every byte is written (short writes are
// continued), fsynced, and read back before anyone may rename them over the index.
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { realWrite } from "./faults.js";
import type { FaultHooks } from "./types.js";

type WriteChunk = NonNullable<FaultHooks["writeChunk"]>;

/** OpenClaw's own temp naming: its maintenance removes such leftovers after 5 minutes. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `${path.basename(target)}.${process.pid}.${randomUUID()}.tmp`);
}

/**
 * Removes this process's temp files beside `target` (a write cut short by a forced exit): only
 * names with our pid, which no other process uses while we run.
 */
export function removeOurTempFiles(target: string): void {
  const prefix = `${path.basename(target)}.${process.pid}.`;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith(".tmp")) fs.rmSync(path.join(path.dirname(target), name), { force: true });
  }
}

export function writeAll(fd: number, data: Buffer, writeChunk: WriteChunk = realWrite): void {
  let done = 0;
  while (done < data.length) {
    const n = writeChunk(fd, data, done, data.length - done, done);
    // a write that makes no progress on a regular file means trouble (full disk, quota)
    if (!Number.isInteger(n) || n <= 0) {
      throw Object.assign(new Error(`short write: ${done} of ${data.length} bytes written`), { code: "EIO" });
    }
    done += n;
  }
}

export interface TempOptions {
  mode: number;
  /** owner and group the file must have (those of the file it replaces) */
  uid?: number;
  gid?: number;
  writeChunk?: WriteChunk;
}

/** Writes `data` to a new temp file beside `target`; returns its path. Leaves nothing on failure. */
export function writeVerifiedTemp(target: string, data: Buffer, opts: TempOptions): string {
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "wx+", opts.mode); // read-write: it is read back below
    fs.fchmodSync(fd, opts.mode); // the umask may have narrowed it
    keepOwner(fd, opts);
    writeAll(fd, data, opts.writeChunk);
    fs.fsyncSync(fd);
    verifyContent(fd, data);
    fs.closeSync(fd);
    fd = undefined;
    return tmp;
  } catch (err) {
    if (fd !== undefined) closeQuietly(fd);
    unlinkQuietly(tmp);
    throw Object.assign(err as Error, { tempPath: tmp });
  }
}

/**
 * Gives the new file the owner and group of the one it replaces, whoever we run as: root would
 * leave it root's, and anyone's new file takes their primary group (or a setgid directory's),
 * which can cut off a gateway reading it through its group. A non-root user may not give a file
 * away or to a group they are not in: then the write is refused rather than changing who may
 * read the index.
 */
function keepOwner(fd: number, opts: TempOptions): void {
  if (opts.uid === undefined || opts.gid === undefined) return;
  const st = fs.fstatSync(fd);
  if (st.uid === opts.uid && st.gid === opts.gid) return;
  try {
    fs.fchownSync(fd, opts.uid, opts.gid);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EPERM") throw err;
    const me = process.getuid?.();
    // we own it: only the group can be the trouble
    const [why, fix] =
      me === opts.uid
        ? [`this user (uid ${me}) is not in group ${opts.gid}`, `run as root, or as uid ${me} with group ${opts.gid} (sg, newgrp)`]
        : [`this user (uid ${me}) may not give a file to uid ${opts.uid}`, `run as uid ${opts.uid} or root`];
    throw Object.assign(
      new Error(
        `cannot keep the owner and group ${opts.uid}:${opts.gid} of the file it replaces (EPERM: ${why}), ` +
          `and writing it anyway would change who may read it; ${fix}`,
      ),
      { code },
    );
  }
}

/** Reads the file back: catches writers that report bytes they never wrote. */
function verifyContent(fd: number, data: Buffer): void {
  const size = fs.fstatSync(fd).size;
  const back = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const n = fs.readSync(fd, back, got, size - got, got);
    if (n <= 0) break;
    got += n;
  }
  if (size !== data.length || got !== size || !back.equals(data)) {
    throw Object.assign(new Error(`temp file verification failed: ${size} bytes on disk, ${data.length} expected`), {
      code: "EIO",
    });
  }
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function unlinkQuietly(file: string | undefined): void {
  if (!file) return;
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    /* nothing more to do */
  }
}
