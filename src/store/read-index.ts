// Strict reader of sessions.json. OpenClaw era B reads a corrupt index as `{}` and its next write
// saves that, wiping every session: so anything we cannot parse is an error here, never an empty
// store, and nothing downstream may write after it.
import fs from "node:fs";
import { UnreadableError } from "../core/errors.js";
import type { IndexEntry } from "../core/types.js";
import { jsonErrorOffset, lineCol } from "./json-position.js";
import { openRegularSync, readAllSync } from "./regular-file.js";

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
  const { bytes, stat } = readIndexBytes(storePath);
  const raw = bytes.toString("utf8");
  return { path: storePath, ...parseIndex(raw, storePath), raw, stat };
}

/** What the readers of a store need from its index: no raw text, entries cut to what is read. */
export type IndexSummary = Omit<ReadIndex, "raw">;

/**
 * readIndex for the evidence readers: the same keys, warnings and errors, but each entry holds
 * only the fields the tool reads (slimEntry), and neither the text nor the full parse is kept.
 * 2026.7.1 entries carry kilobytes each (skillsSnapshot, systemPromptReport ...): kept whole for
 * every session, 50,000 of them held 150 MB. Each entry is parsed on its own and cut at once, so
 * its objects die young; the writer re-reads the file itself, so nothing it keeps is lost.
 */
export function readIndexSummary(storePath: string): IndexSummary {
  const fd = openIndex(storePath);
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    const stat = { size: Number(st.size), mtimeNs: st.mtimeNs };
    // the file is read in windows (an index of 50,000 sessions is 28 MB); only when the quick
    // scan meets something unexpected is the whole text read, for parseIndex's exact error
    let position = 0;
    const source = (buf: Buffer, offset: number, length: number): number => {
      const n = fs.readSync(fd, buf, offset, length, position);
      position += n;
      return n;
    };
    const parsed = scanEntries(source, storePath) ?? strictSlim(readAllSync(fd, stat.size).toString("utf8"), storePath);
    return { path: storePath, ...parsed, stat };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The fields of an entry the health model, the plans and the UI read (IndexEntry's declared
 * fields; `origin` only for its chatType, read by core/plan/protect.ts). A new reader of another
 * field must add it here: test/store/read-index.test.ts checks every IndexEntry field is kept.
 */
export const READ_FIELDS = [
  "sessionId",
  "updatedAt",
  "status",
  "startedAt",
  "endedAt",
  "runtimeMs",
  "abortedLastRun",
  "lastInteractionAt",
  "sessionStartedAt",
  "model",
  "modelProvider",
  "modelOverride",
  "chatType",
  "label",
  "displayName",
  "sessionFile",
  "spawnedBy",
  "parentSessionKey",
] as const;

/** A copy of `entry` with only READ_FIELDS (and origin.chatType). */
export function slimEntry(entry: IndexEntry): IndexEntry {
  const out = { sessionId: entry.sessionId, updatedAt: entry.updatedAt } as IndexEntry;
  for (let i = 2; i < READ_FIELDS.length; i++) {
    const f = READ_FIELDS[i];
    if (Object.hasOwn(entry, f)) (out as Record<string, unknown>)[f] = entry[f];
  }
  const origin = entry.origin;
  if (typeof origin === "object" && origin !== null && Object.hasOwn(origin, "chatType")) {
    out.origin = { chatType: (origin as { chatType?: unknown }).chatType };
  }
  return out;
}

function readIndexBytes(storePath: string): { bytes: Buffer; stat: IndexStat } {
  const fd = openIndex(storePath);
  try {
    // stat and read through one descriptor: both describe the same file even if it is
    // replaced (renamed over) meanwhile.
    const st = fs.fstatSync(fd, { bigint: true });
    return { bytes: readAllSync(fd, Number(st.size)), stat: { size: Number(st.size), mtimeNs: st.mtimeNs } };
  } finally {
    fs.closeSync(fd);
  }
}

function openIndex(storePath: string): number {
  try {
    const opened = openRegularSync(storePath);
    if (!opened) throw new UnreadableError(`no session index at ${storePath}`);
    return opened.fd;
  } catch (err) {
    if (err instanceof UnreadableError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new UnreadableError(`cannot read session index ${storePath}: ${e.code ?? e.message}`);
  }
}

/** Parses index text; throws UnreadableError naming `label` (the file) and line:col. */
export function parseIndex(raw: string, label: string): Pick<ReadIndex, "entries" | "keys" | "warnings"> {
  // not raw.trim(): that copies the whole text to look at its ends
  if (/^\s*$/.test(raw)) {
    throw new UnreadableError(`session index ${label} is empty at 1:1 (a torn write?); refusing to treat it as no sessions`);
  }
  if (raw.charCodeAt(0) === 0xfeff) {
    throw new UnreadableError(
      `session index ${label} starts with a byte-order mark (UTF-8 BOM): OpenClaw's own reader cannot parse it and sees no sessions; ` +
        `remove the first 3 bytes; nothing was read or written`,
      true,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    const { line, col } = lineCol(raw, jsonErrorOffset(raw, err));
    throw new UnreadableError(`session index ${label} is not valid JSON at ${line}:${col}; nothing was read or written`, true);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
    const { line, col } = lineCol(raw, raw.length - raw.trimStart().length);
    throw new UnreadableError(`session index ${label} holds ${kind} at ${line}:${col}, not an object of sessions; nothing was read or written`, true);
  }
  // Object.keys moves integer-like keys first; the file's own order is what a rewrite keeps.
  const keys = topLevelKeys(raw);
  const values = new Map<string, IndexEntry | string>();
  for (const key of keys) {
    const value = (parsed as Record<string, unknown>)[key];
    values.set(key, entryProblem(value) ?? (value as IndexEntry));
  }
  return finish(values, label);
}

const NOT_AN_OBJECT = "is not an object";
const NO_SESSION_ID = "has no sessionId";

function entryProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return NOT_AN_OBJECT;
  const e = value as Record<string, unknown>;
  if (typeof e.sessionId !== "string" || e.sessionId === "") return NO_SESSION_ID;
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

// ------------------------------------------------------------------ entry by entry

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** First window of the scan; a single entry bigger than it grows it. */
const WINDOW_BYTES = 1 << 20;

/** Reads up to `length` bytes into buf at offset; 0 at the end of the input. */
type ByteSource = (buf: Buffer, offset: number, length: number) => number;

/**
 * parseIndex over the file's bytes, one top-level entry at a time, each cut with slimEntry. The
 * scan accepts only the strict grammar of a JSON object (whitespace, keys, colons, commas) and
 * hands every key and value to JSON.parse; anything unexpected falls back to parseIndex over the
 * whole text, so errors and their line:col stay exactly those of the strict reader.
 */
export function parseIndexBytes(bytes: Buffer, label: string, windowBytes = WINDOW_BYTES): Pick<ReadIndex, "entries" | "keys" | "warnings"> {
  let at = 0;
  const source: ByteSource = (buf, offset, length) => {
    const n = bytes.copy(buf, offset, at, Math.min(bytes.length, at + length));
    at += n;
    return n;
  };
  return scanEntries(source, label, windowBytes) ?? strictSlim(bytes.toString("utf8"), label);
}

function strictSlim(raw: string, label: string): Pick<ReadIndex, "entries" | "keys" | "warnings"> {
  const parsed = parseIndex(raw, label);
  for (const key of Object.keys(parsed.entries)) parsed.entries[key] = slimEntry(parsed.entries[key]);
  return parsed;
}

/** The bytes of the input not consumed yet, refilled on demand. */
class ByteWindow {
  private buf: Buffer;
  /** buf[0, view.length) holds input bytes */
  view: Buffer;
  private ended = false;

  constructor(
    private readonly source: ByteSource,
    windowBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(1, windowBytes));
    this.view = this.buf.subarray(0, 0);
  }

  /** Drops the bytes before `from`, reads more after the rest; false at the end of the input. */
  more(from: number): boolean {
    if (this.ended) return false;
    let len = this.view.length - from;
    if (from > 0) this.buf.copy(this.buf, 0, from, this.view.length);
    if (len === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, len);
      this.buf = bigger;
    }
    const n = this.source(this.buf, len, this.buf.length - len);
    if (n === 0) this.ended = true;
    len += n;
    this.view = this.buf.subarray(0, len);
    return n > 0;
  }
}

/** Where the scan is in the object's grammar. */
const At = { Start: 0, Open: 1, Key: 2, Value: 3, End: 4 } as const;

function scanEntries(source: ByteSource, label: string, windowBytes = WINDOW_BYTES): Pick<ReadIndex, "entries" | "keys" | "warnings"> | undefined {
  // the last value of each key (JSON.parse keeps the last duplicate), in first-occurrence order
  const values = new Map<string, IndexEntry | string>();
  const w = new ByteWindow(source, windowBytes);
  let b = w.view;
  let pos = 0;
  let at: number = At.Start;
  // a token runs past the window: keep it, read on, and scan it again from its start
  const more = (): boolean => {
    if (!w.more(pos)) return false;
    b = w.view;
    pos = 0;
    return true;
  };
  for (;;) {
    pos = skipWs(b, pos);
    if (pos === b.length) {
      if (more()) continue;
      return at === At.End ? finish(values, label) : undefined;
    }
    const c = b[pos];
    if (at === At.Start) {
      if (c !== 0x7b /* { */) return undefined;
      pos++;
      at = At.Open;
    } else if (at === At.Value) {
      if (c === 0x2c /* , */) at = At.Key;
      else if (c === 0x7d /* } */) at = At.End;
      else return undefined;
      pos++;
    } else if (at === At.Open && c === 0x7d) {
      pos++;
      at = At.End;
    } else if (at === At.Open || at === At.Key) {
      if (c !== QUOTE) return undefined;
      // key, colon and value are scanned as one token: if the window ends inside, read on
      const keyEnd = stringEnd(b, pos);
      const colon = keyEnd < 0 ? b.length : skipWs(b, keyEnd + 1);
      if (colon < b.length && b[colon] !== 0x3a /* : */) return undefined;
      const start = colon < b.length ? skipWs(b, colon + 1) : colon;
      const end = start < b.length ? valueEnd(b, start) : -1;
      if (end < 0) {
        if (more()) continue;
        return undefined; // the text ends inside an entry
      }
      let key: string;
      let value: unknown;
      try {
        key = JSON.parse(b.toString("utf8", pos, keyEnd + 1)) as string;
        value = JSON.parse(b.toString("utf8", start, end));
      } catch {
        return undefined;
      }
      const problem = entryProblem(value);
      values.set(key, problem ?? slimEntry(value as IndexEntry));
      pos = end;
      at = At.Value;
    } else {
      return undefined; // something after the closing brace
    }
  }
}

function finish(values: Map<string, IndexEntry | string>, label: string): Pick<ReadIndex, "entries" | "keys" | "warnings"> {
  // no prototype: a `__proto__` key (kept in the file by every write) is an entry like any other.
  // In a plain object its assignment set the object's prototype instead, so `status` dropped the
  // session without a word (and `in` saw Object.prototype's names as sessions)
  const entries: Record<string, IndexEntry> = Object.create(null);
  const warnings: string[] = [];
  const keys = [...values.keys()];
  refuseNonIndex(values, label);
  for (const key of keys) {
    const v = values.get(key)!;
    if (typeof v === "string") warnings.push(`${label}: entry ${JSON.stringify(key)} ${v}; skipped (kept in the file)`);
    else entries[key] = v;
  }
  return { entries, keys, warnings };
}

/**
 * An object none of whose values is a session (no sessionId anywhere) and none of whose keys is a
 * session key is some other JSON file (`--store ~/.openclaw/openclaw.json`, the config): read as
 * an index it showed "0 sessions" and a warning per key. Refused (exit 3), so nothing is ever
 * planned or written for it. `{}` is an index with no sessions, and an index whose only entries
 * are broken (`"agent:work:main": {"updatedAt": 1}`, hand-edited) is still one: warned about
 * entry by entry, as before.
 */
function refuseNonIndex(values: Map<string, IndexEntry | string>, label: string): void {
  if (values.size === 0) return;
  for (const [key, v] of values) if ((v !== NOT_AN_OBJECT && v !== NO_SESSION_ID) || looksLikeSessionKey(key)) return;
  const keys = [...values.keys()];
  const shown = keys.slice(0, 5).map((k) => JSON.stringify(k)).join(", ") + (keys.length > 5 ? ", ..." : "");
  throw new UnreadableError(`${label} is not a session index: none of its ${keys.length} top-level entries is a session (no sessionId; its keys: ${shown}); nothing was read or written`);
}

/** OpenClaw's keys: `agent:<id>:<rest>`, and the bare `main` / `global` of older indexes. */
function looksLikeSessionKey(key: string): boolean {
  return key.startsWith("agent:") || key === "main" || key === "global";
}

/** JSON whitespace only (the grammar's four characters). */
function skipWs(b: Buffer, i: number): number {
  while (i < b.length) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Index of the quote closing the string that opens at `i`, or -1 when the bytes end first. */
function stringEnd(b: Buffer, i: number): number {
  for (let j = i + 1; ; j++) {
    j = b.indexOf(QUOTE, j);
    if (j < 0) return -1;
    let slashes = 0;
    while (b[j - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return j;
  }
}

/** What a byte does to the bracket depth outside strings: +1 { [, -1 } ], a quote opens a string. */
const IN_STRING = 2;
const STRUCTURE = new Int8Array(256);
STRUCTURE[0x7b] = STRUCTURE[0x5b] = 1;
STRUCTURE[0x7d] = STRUCTURE[0x5d] = -1;
STRUCTURE[QUOTE] = IN_STRING;

/**
 * Index just past the value starting at `i`, found by bracket depth outside strings; -1 when the
 * bytes end first. Whether the value is valid JSON is JSON.parse's to say.
 */
function valueEnd(b: Buffer, i: number): number {
  const n = b.length;
  const c = b[i];
  if (c === QUOTE) {
    const e = stringEnd(b, i);
    return e < 0 ? -1 : e + 1;
  }
  if (c === 0x7b || c === 0x5b /* [ */) {
    let depth = 0;
    for (let j = i; j < n; j++) {
      const k = STRUCTURE[b[j]];
      if (k === 0) continue;
      if (k === IN_STRING) {
        j = stringEnd(b, j);
        if (j < 0) return -1;
      } else if ((depth += k) === 0) return j + 1;
    }
    return -1;
  }
  // a number, true, false, null (or garbage): up to the next delimiter, which must be there
  let j = i;
  while (j < n) {
    const d = b[j];
    if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
    j++;
  }
  return j === n ? -1 : j;
}
