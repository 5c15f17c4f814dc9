// Every file this tool reads from a store (index, config, transcript, trajectory, lock) must be a
// regular file. A FIFO planted at one of those names would block open(2) until a writer appears,
// and a blocked open holds the main thread, so not even SIGINT or SIGTERM is handled. The open is
// non-blocking (O_NONBLOCK returns at once for a FIFO and changes nothing for a regular file) and
// what was opened is checked with fstat before a byte is read, so the refusal names what is
// really there.
import fs from "node:fs";
import { UnreadableError } from "../core/errors.js";

export const READ_NONBLOCK = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** Something other than a regular file is at a name we read. */
export class NotRegularFileError extends UnreadableError {
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file`);
    this.name = "NotRegularFileError";
  }
}

/** What a stat describes, in words for a message. */
export function kindOf(st: fs.Stats | fs.BigIntStats): string {
  if (st.isFile()) return "a regular file";
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "not a file";
}

export interface OpenedFile {
  fd: number;
  stat: fs.Stats;
}

/**
 * Opens `path` for reading, without blocking, and keeps it open only when it is a regular file
 * (symlinks are followed: a link to a regular file is one). undefined when nothing is there;
 * NotRegularFileError for a FIFO, directory, socket or device.
 */
export function openRegularSync(path: string): OpenedFile | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, READ_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    // O_RDONLY opens a directory on Linux; elsewhere it may fail with EISDIR: the same refusal
    if (code === "EISDIR") throw new NotRegularFileError(path, "a directory");
    // ENXIO: a socket, or a device with nothing behind it
    if (code === "ENXIO") {
      const st = fs.statSync(path, { throwIfNoEntry: false });
      if (st && !st.isFile()) throw new NotRegularFileError(path, kindOf(st));
    }
    throw err;
  }
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw new NotRegularFileError(path, kindOf(stat));
  }
  return { fd, stat };
}

/** Every byte of a regular file, read through the descriptor it was checked on. */
export function readRegularFileSync(path: string): Buffer | undefined {
  const opened = openRegularSync(path);
  if (!opened) return undefined;
  try {
    return readAllSync(opened.fd, opened.stat.size);
  } finally {
    fs.closeSync(opened.fd);
  }
}

/** Every byte up to the end of the file (which may have grown or shrunk since the stat). */
export function readAllSync(fd: number, sizeHint: number): Buffer {
  // one buffer of the stat's size (plus a byte to see growth) instead of chunks concatenated
  let buf = Buffer.allocUnsafe(Math.max(1, sizeHint + 1));
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    // from the start, whatever was read through this descriptor before
    const n = fs.readSync(fd, buf, len, buf.length - len, len);
    if (n === 0) break;
    len += n;
  }
  return buf.subarray(0, len);
}

/** A UTF-8 byte-order mark at the start: JSON.parse (and so OpenClaw's index reader) fails on it. */
export function startsWithBom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}
