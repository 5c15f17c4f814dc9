// Bounded backward line reader for append-only JSONL files (transcripts, trajectories).
// Trajectories reach 50 MiB and transcripts more, and we read hundreds of them per refresh:
// reading from the end in growing windows keeps the cost independent of the file size.
import fs from "node:fs";

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
  /** after iteration: every byte back to the start of the file was read */
  reachedStart(): boolean;
  close(): Promise<void>;
}

export const DEFAULT_INITIAL_BYTES = 64 * 1024;
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const NL = 0x0a;

/** Opens a file for tail reading; undefined when it does not exist (or is not a regular file). */
export async function openTail(path: string, opts: TailOptions = {}): Promise<TailFile | undefined> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
    throw err;
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    return undefined;
  }
  const initial = Math.max(1, opts.initialBytes ?? DEFAULT_INITIAL_BYTES);
  const max = Math.max(initial, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  let size = st.size;
  let atStart = false;
  let closed = false;

  async function* lines(): AsyncGenerator<TailLine, void, void> {
    let end = size;
    let window = initial;
    let total = 0;
    let carry = Buffer.alloc(0);
    let first = true;
    let yielded = false;
    for (let attempts = 0; ; ) {
      if (end === 0) {
        atStart = true;
        const text = decode(carry, 0, carry.length);
        if (text) yield { text, partial: first };
        return;
      }
      if (total >= max) return; // the oldest fragment is a partial line: dropped
      const len = Math.min(window, end, max - total);
      const start = end - len;
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, start);
      if (bytesRead < len) {
        // The file shrank under us (OpenClaw rewrites capped trajectories keeping the tail).
        // Before anything was yielded, start over at its new end; later, stop cleanly.
        if (yielded || ++attempts > 3) return;
        size = Math.min(size, (await fh.stat()).size);
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

  return {
    get size() {
      return size;
    },
    mtimeMs: st.mtimeMs,
    lines,
    reachedStart: () => atStart,
    close: async () => {
      if (!closed) {
        closed = true;
        await fh.close();
      }
    },
  };
}

function decode(buf: Buffer, from: number, to: number): string {
  if (to <= from) return "";
  const text = buf.toString("utf8", from, to);
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

/** Parsed JSON objects newest-first; garbage and a torn last line are skipped. */
export async function* tailJson(file: TailFile): AsyncGenerator<Record<string, unknown>, void, void> {
  for await (const line of file.lines()) {
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      continue;
    }
    if (typeof value === "object" && value !== null && !Array.isArray(value)) yield value as Record<string, unknown>;
  }
}
