// Bounded backward line reader for append-only JSONL files (transcripts, trajectories).
// Trajectories reach 50 MiB and transcripts more, and we read hundreds of them per refresh:
// reading from the end in growing windows keeps the cost independent of the file size.
//
// The reads are synchronous fd calls on purpose: a tail is one or two small page-cached reads,
// and the promise API (FileHandle, four round trips through the libuv pool per file) cost over
// ten times the reads themselves (bench/RESULTS.md: 16k tails, ~890 ms against ~71 ms). Each
// read is bounded (64 KiB first, at most maxBytes in all), so the event loop is never held long.
import fs from "node:fs";
import { openRegularSync } from "./regular-file.js";

export interface TailOptions {
  /** first window, bytes (default 64 KiB); later windows grow x4 */
  initialBytes?: number;
  /** never read more than this many bytes in total (default 4 MiB) */
  maxBytes?: number;
}

export interface TailLine {
  text: string;
  /** the file's last line had no newline yet: the writer may be mid-append (parse may fail) */
  partial: boolean;
}

export interface TailFile {
  size: number;
  mtimeMs: number;
  /** newest line first; stop iterating whenever you have enough */
  lines(): AsyncGenerator<TailLine, void, void>;
  /** the same lines, for a caller that reads the whole tail at once (no promise per line) */
  linesSync(): Generator<TailLine, void, void>;
  /** after iteration: every byte back to the start of the file was read */
  reachedStart(): boolean;
  /**
   * after iteration: the reader stopped at maxBytes inside a line it could not read whole (that
   * line is dropped). `lastLine`: it is the file's newest line, so nothing at all was yielded.
   */
  cutAtCap(): { bytes: number; lastLine: boolean } | undefined;
  close(): Promise<void>;
  closeSync(): void;
}

export const DEFAULT_INITIAL_BYTES = 64 * 1024;
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const NL = 0x0a;
/** Opens a file for tail reading; undefined when it does not exist. NotRegularFileError for a FIFO, directory, device. */
export async function openTail(path: string, opts: TailOptions = {}): Promise<TailFile | undefined> {
  return openTailSync(path, opts);
}

/** openTail without the promise. */
export function openTailSync(path: string, opts: TailOptions = {}): TailFile | undefined {
  const opened = openRegularSync(path);
  if (!opened) return undefined;
  const { fd, stat: st } = opened;
  const initial = Math.max(1, opts.initialBytes ?? DEFAULT_INITIAL_BYTES);
  const max = Math.max(initial, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  let size = st.size;
  let atStart = false;
  let cut: { bytes: number; lastLine: boolean } | undefined;
  let closed = false;

  function* linesSync(): Generator<TailLine, void, void> {
    let end = size;
    let window = initial;
    let total = 0;
    let carry = Buffer.alloc(0);
    let first = true;
    let yielded = false;
    cut = undefined;
    for (let attempts = 0; ; ) {
      if (end === 0) {
        atStart = true;
        const text = decode(carry, 0, carry.length);
        if (text) yield { text, partial: first };
        return;
      }
      if (total >= max) {
        // the oldest fragment is a partial line: dropped, and said so (a caller that found
        // nothing must not read that as an empty file)
        if (carry.length > 0) cut = { bytes: total, lastLine: !yielded };
        return;
      }
      const len = Math.min(window, end, max - total);
      const start = end - len;
      // every line handed out is a decoded copy, so the window's bytes need not be zeroed
      const buf = Buffer.allocUnsafe(len);
      const bytesRead = readFully(fd, buf, len, start);
      if (bytesRead < len) {
        // The file shrank under us (OpenClaw rewrites capped trajectories keeping the tail).
        // Before anything was yielded, start over at its new end; later, stop cleanly.
        if (yielded || ++attempts > 3) return;
        size = Math.min(size, fs.fstatSync(fd).size);
        end = size;
        total = 0;
        carry = Buffer.alloc(0);
        continue;
      }
      total += len;
      const data = carry.length > 0 ? Buffer.concat([buf, carry]) : buf;
      const prevNl = (before: number) => (before > 0 ? data.lastIndexOf(NL, before - 1) : -1);
      // lineEnd: index of the newline ending the next line to emit (data.length = the newline
      // right after the carried fragment, which an earlier, later-in-file window held)
      let lineEnd = data.length;
      if (first) {
        if (data[data.length - 1] === NL) lineEnd = data.length - 1;
        else {
          const nl = prevNl(data.length);
          if (nl < 0 && start > 0) {
            // the unterminated last line starts before this window: widen first
            carry = Buffer.from(data);
            end = start;
            window *= 4;
            continue;
          }
          const text = decode(data, nl + 1, data.length);
          if (text) {
            yielded = true;
            yield { text, partial: true };
          }
          if (nl < 0) {
            atStart = true;
            return;
          }
          lineEnd = nl;
        }
        first = false;
      }
      // data[lineEnd] is a newline: emit the complete lines before it, newest-first.
      for (let nl = prevNl(lineEnd); nl >= 0; nl = prevNl(lineEnd)) {
        const text = decode(data, nl + 1, lineEnd);
        if (text) {
          yielded = true;
          yield { text, partial: false };
        }
        lineEnd = nl;
      }
      carry = Buffer.from(data.subarray(0, Math.max(0, lineEnd)));
      end = start;
      window *= 4;
    }
  }

  const closeSync = (): void => {
    if (!closed) {
      closed = true;
      fs.closeSync(fd);
    }
  };

  return {
    get size() {
      return size;
    },
    mtimeMs: st.mtimeMs,
    async *lines() {
      yield* linesSync();
    },
    linesSync,
    reachedStart: () => atStart,
    cutAtCap: () => cut,
    close: async () => closeSync(),
    closeSync,
  };
}

/** pread until `len` bytes or end of file (a short read is not the end of the file). */
function readFully(fd: number, buf: Buffer, len: number, position: number): number {
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, buf, got, len - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

function decode(buf: Buffer, from: number, to: number): string {
  if (to <= from) return "";
  const text = buf.toString("utf8", from, to);
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

/** Parsed JSON objects newest-first; garbage and a torn last line are skipped. */
export async function* tailJson(file: TailFile): AsyncGenerator<Record<string, unknown>, void, void> {
  yield* tailJsonSync(file);
}

/** tailJson without a promise per line. */
export function* tailJsonSync(file: TailFile): Generator<Record<string, unknown>, void, void> {
  for (const line of file.linesSync()) {
    const value = parseObject(line.text);
    if (value) yield value;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  // every JSONL record is an object: a line starting with anything else (JSON whitespace aside)
  // is garbage, and costs no parse
  const c = text.charCodeAt(0);
  if (c !== 0x7b /* { */ && c !== 0x20 && c !== 0x09 && c !== 0x0d) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
