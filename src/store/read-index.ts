// Strict reader of sessions.json. OpenClaw era B reads a corrupt index as `{}` and its next write
// saves that, wiping every session: so anything we cannot parse is an error here, never an empty
// store, and nothing downstream may write after it.
import fs from "node:fs";
import { UnreadableError } from "../core/errors.js";
import type { IndexEntry } from "../core/types.js";
import { jsonErrorOffset, lineCol } from "./json-position.js";

export interface IndexStat {
  size: number;
  /** nanosecond mtime: the writer compares it (with size) to detect a concurrent change */
  mtimeNs: bigint;
}

export interface ReadIndex {
  path: string;
  /** the exact text read */
  raw: string;
  /** every readable entry, in file order */
  entries: Record<string, IndexEntry>;
  /** every key of the file, readable or not, in the file's order (even integer-like keys) */
  keys: string[];
  stat: IndexStat;
  warnings: string[];
}

export function readIndex(storePath: string): ReadIndex {
  let raw: string;
  let stat: IndexStat;
  const fd = openIndex(storePath);
  try {
    // stat and read through one descriptor: both describe the same file even if it is
    // replaced (renamed over) meanwhile.
    const st = fs.fstatSync(fd, { bigint: true });
    stat = { size: Number(st.size), mtimeNs: st.mtimeNs };
    raw = readAll(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { path: storePath, ...parseIndex(raw, storePath), raw, stat };
}

function openIndex(storePath: string): number {
  try {
    return fs.openSync(storePath, "r");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") throw new UnreadableError(`no session index at ${storePath}`);
    throw new UnreadableError(`cannot read session index ${storePath}: ${e.code ?? e.message}`);
  }
}

function readAll(fd: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 20);
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses index text; throws UnreadableError naming `label` (the file) and line:col. */
export function parseIndex(raw: string, label: string): Pick<ReadIndex, "entries" | "keys" | "warnings"> {
  if (raw.trim() === "") {
    throw new UnreadableError(`session index ${label} is empty at 1:1 (a torn write?); refusing to treat it as no sessions`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    const { line, col } = lineCol(raw, jsonErrorOffset(raw, err));
    throw new UnreadableError(`session index ${label} is not valid JSON at ${line}:${col}; nothing was read or written`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
    const { line, col } = lineCol(raw, raw.length - raw.trimStart().length);
    throw new UnreadableError(`session index ${label} holds ${kind} at ${line}:${col}, not an object of sessions; nothing was read or written`);
  }
  const entries: Record<string, IndexEntry> = {};
  const warnings: string[] = [];
  // Object.keys moves integer-like keys first; the file's own order is what a rewrite keeps.
  const keys = topLevelKeys(raw);
  for (const key of keys) {
    const value = (parsed as Record<string, unknown>)[key];
    const problem = entryProblem(value);
    if (problem) {
      warnings.push(`${label}: entry ${JSON.stringify(key)} ${problem}; skipped (kept in the file)`);
      continue;
    }
    entries[key] = value as IndexEntry;
  }
  return { entries, keys, warnings };
}

function entryProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "is not an object";
  const e = value as Record<string, unknown>;
  if (typeof e.sessionId !== "string" || e.sessionId === "") return "has no sessionId";
  if (typeof e.updatedAt !== "number" || !Number.isFinite(e.updatedAt)) return "has no numeric updatedAt";
  return undefined;
}

/** Top-level keys of a valid JSON object text, in text order, first occurrence of duplicates. */
function topLevelKeys(raw: string): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') {
      const start = i;
      for (i++; raw[i] !== '"'; i++) if (raw[i] === "\\") i++;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(raw.slice(start, i + 1)) as string;
        if (!seen.has(key)) keys.push(key);
        seen.add(key);
        expectKey = false;
      }
    } else if (c === "{" || c === "[") {
      depth++;
      expectKey = depth === 1 && c === "{";
    } else if (c === "}" || c === "]") depth--;
    else if (c === "," && depth === 1) expectKey = true;
  }
  return keys;
}
