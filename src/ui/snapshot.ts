// What `watch` prints when stdout or stdin is not a terminal: a plain table per interval, or one
// NDJSON document per interval with --json. Both are pure strings; the command writes them.
import { Chalk } from "chalk";
import type { Heartbeat, ModelSource, Outcome } from "../core/types.js";
import { isTurnInProgress } from "./format.js";
import { statusTableLines } from "./status-table.js";

export const SNAPSHOT_SCHEMA_VERSION = 1;

/** One session in --json output: every field present (null when unknown), times in epoch ms. */
export interface HeartbeatJson {
  sessionKey: string;
  agentId: string;
  sessionId: string;
  label: string | null;
  health: Heartbeat["health"];
  state: Heartbeat["state"];
  turnId: string | null;
  model: string | null;
  /** run | override | agent-config | default-config; null when the model is unknown */
  modelSource: ModelSource | null;
  toolName: string | null;
  startedAt: number | null;
  /** ms the current turn has run; null when no turn is in progress */
  turnElapsedMs: number | null;
  lastActivityAt: number | null;
  lastTokenAt: number | null;
  updatedAt: number;
  storeStatus: string | null;
  drift: string | null;
  /** how the last run ended (done, failed, timeout, killed, lost); null while a run is in progress or nothing is known */
  outcome: Outcome | null;
  outcomeReason: string | null;
  reasons: string[];
  /** the store's era; null when the reader did not say */
  era: NonNullable<Heartbeat["era"]> | null;
  /** which evidence set this verdict: files (eras A/B), db (era C), gateway (the live overlay) */
  source: NonNullable<Heartbeat["source"]>;
}

export interface SnapshotDocument {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  generatedAt: number;
  sessions: HeartbeatJson[];
}

export function heartbeatJson(hb: Heartbeat, now: number): HeartbeatJson {
  return {
    sessionKey: hb.sessionKey,
    agentId: hb.agentId,
    sessionId: hb.sessionId,
    label: hb.label ?? null,
    health: hb.health,
    state: hb.state,
    turnId: hb.turnId ?? null,
    model: hb.model ?? null,
    modelSource: hb.modelSource ?? null,
    toolName: hb.toolName ?? null,
    startedAt: hb.startedAt ?? null,
    turnElapsedMs: isTurnInProgress(hb.state) && hb.startedAt !== undefined ? Math.max(0, now - hb.startedAt) : null,
    lastActivityAt: hb.lastActivityAt ?? null,
    lastTokenAt: hb.lastTokenAt ?? null,
    updatedAt: hb.updatedAt,
    storeStatus: hb.storeStatus ?? null,
    drift: hb.drift ?? null,
    outcome: hb.outcome ?? null,
    outcomeReason: hb.outcomeReason ?? null,
    reasons: [...hb.reasons],
    era: hb.era ?? null,
    source: hb.source ?? (hb.era === "C" ? "db" : "files"),
  };
}

export function snapshotDocument(list: readonly Heartbeat[], now: number): SnapshotDocument {
  return { schemaVersion: SNAPSHOT_SCHEMA_VERSION, generatedAt: now, sessions: list.map((hb) => heartbeatJson(hb, now)) };
}

/** One NDJSON line (with its newline): a stream of these is one document per interval. */
export function ndjsonSnapshot(list: readonly Heartbeat[], now: number): string {
  return `${JSON.stringify(snapshotDocument(list, now))}\n`;
}

/** ndjsonSnapshot in pieces (see jsonChunks): the same line, never held whole. */
export function ndjsonSnapshotChunks(list: readonly Heartbeat[], now: number): Generator<string, void, void> {
  return jsonLine({ schemaVersion: SNAPSHOT_SCHEMA_VERSION, generatedAt: now, sessions: new MappedItems(list, (hb) => heartbeatJson(hb, now)) }, 0);
}

const NO_COLOR = new Chalk({ level: 0 });

/** A timestamped, colourless table: readable in a log file, diffable between intervals. */
export function plainSnapshot(list: readonly Heartbeat[], now: number, opts: { columns?: number } = {}): string {
  return [...plainSnapshotChunks(list, now, opts)].join("");
}

/** plainSnapshot in pieces (a line each), never held whole. */
export function plainSnapshotChunks(list: readonly Heartbeat[], now: number, opts: { columns?: number } = {}): Generator<string, void, void> {
  return textLines([`# ${new Date(now).toISOString()}`, statusTableLines(list, now, { columns: opts.columns, chalk: NO_COLOR })]);
}

/** Lines (and iterables of lines) as text, each line ended by a newline, in pieces. */
export function* textLines(parts: Iterable<string | Iterable<string>>): Generator<string, void, void> {
  for (const part of parts) {
    if (typeof part === "string") yield `${part}\n`;
    else for (const line of part) yield `${line}\n`;
  }
}

// ------------------------------------------------------------------ big documents, in pieces

/** An array longer than this is written item by item (and so is whatever holds one). */
const STREAM_ITEMS = 64;

/**
 * JSON.stringify(value, null, space) in pieces, byte for byte: 50,000 sessions make a 41 MB
 * document, and building it whole (then its Buffer for the pipe) cost more memory than reading
 * the sessions. Long arrays, and the objects and arrays that hold them, are walked; anything
 * else is stringified whole and re-indented (JSON text has newlines only between tokens, so
 * indenting is a replace). `space` is 2 (pretty) or 0 (one line, NDJSON). One difference no
 * caller here can see: the items of a long array are stringified in batches, so a toJSON(key)
 * method among them is handed its index within the batch.
 */
export function* jsonChunks(value: unknown, space: 0 | 2 = 2): Generator<string, void, void> {
  if (!jsonable(value)) return; // JSON.stringify gives undefined: no text at all
  yield* walk(value, "", space === 0 ? "" : " ".repeat(space));
}

/** jsonChunks, then the newline that ends the document (the commands' `${JSON.stringify(...)}\n`). */
export function* jsonLine(value: unknown, space: 0 | 2 = 2): Generator<string, void, void> {
  yield* jsonChunks(value, space);
  yield "\n";
}

/**
 * An array for jsonChunks whose items are made as they are written (`map` of each), so a big
 * document never holds every item's JSON form at once. Written exactly as `items.map(map)` is,
 * when it sits within three levels of the document's top (deeper, only JSON.stringify sees it).
 */
export class MappedItems<T> {
  constructor(
    readonly items: readonly T[],
    readonly map: (item: T) => unknown,
  ) {}
}

/**
 * An array for jsonChunks whose items are produced while it is written (a generator that reads
 * and plans one store at a time). Like MappedItems, only within three levels of the top.
 */
export class StreamedItems {
  constructor(readonly items: Iterable<unknown>) {}
}

/**
 * A value for jsonChunks computed when the writing reaches it, e.g. a list that StreamedItems
 * earlier in the same document fills. Within three levels of the top, as an object's property.
 */
export class Later {
  constructor(readonly value: () => unknown) {}
}

function* mapped<T>(items: readonly T[], map: (item: T) => unknown): Generator<unknown, void, void> {
  for (const item of items) yield map(item);
}

function* walk(value: unknown, indent: string, gap: string): Generator<string, void, void> {
  if (value instanceof Later) value = value.value();
  if (value instanceof MappedItems) {
    yield* walkArray(mapped(value.items, value.map), indent, gap);
    return;
  }
  if (value instanceof StreamedItems) {
    yield* walkArray(value.items, indent, gap);
    return;
  }
  if (!heavy(value, 3)) {
    const text = JSON.stringify(value, null, gap);
    yield gap && indent ? text.replaceAll("\n", `\n${indent}`) : text;
    return;
  }
  if (Array.isArray(value)) {
    yield* walkArray(value, indent, gap);
    return;
  }
  const inner = indent + gap;
  const nl = gap ? `\n${inner}` : "";
  const obj = value as Record<string, unknown>;
  let first = true;
  yield "{";
  for (const key of Object.keys(obj)) {
    const raw = obj[key];
    const v = raw instanceof Later ? raw.value() : raw;
    if (!jsonable(v)) continue; // ... and leaves it out of an object
    yield `${first ? nl : `,${nl}`}${JSON.stringify(key)}:${gap ? " " : ""}`;
    first = false;
    yield* walk(v, inner, gap);
  }
  yield first ? "}" : gap ? `\n${indent}}` : "}";
}

/** Light items of a long array are stringified this many at a time (one call, not one each). */
const BATCH_ITEMS = 64;

function* walkArray(items: Iterable<unknown>, indent: string, gap: string): Generator<string, void, void> {
  const inner = indent + gap;
  const nl = gap ? `\n${inner}` : "";
  const close = gap ? `\n${indent}]` : "]";
  // A batch is stringified wrapped in as many arrays as this one is deep, so JSON.stringify
  // itself indents the items as they sit here; the wrapping's own text (measured once, on a
  // probe) is cut off both ends.
  const depth = gap ? indent.length / gap.length : 0;
  const wrap = (v: unknown): unknown => {
    for (let k = 0; k < depth; k++) v = [v];
    return v;
  };
  const probe = JSON.stringify(wrap([0]), null, gap);
  const at0 = probe.lastIndexOf("0");
  const from = at0 - nl.length;
  const tail = probe.length - at0 - 1;
  let batch: unknown[] = [];
  let first = true;
  const flush = (): string => {
    const text = JSON.stringify(wrap(batch), null, gap);
    const part = text.slice(from, text.length - tail);
    batch = [];
    const out = first ? part : `,${part}`;
    first = false;
    return out;
  };
  let opened = false;
  for (let item of items) {
    if (!opened) yield "[";
    opened = true;
    if (item instanceof Later) item = item.value();
    // JSON.stringify writes what has no JSON form as null inside an array
    if (!jsonable(item)) item = null;
    if (!heavy(item, 3)) {
      batch.push(item);
      if (batch.length === BATCH_ITEMS) yield flush();
      continue;
    }
    if (batch.length > 0) yield flush();
    yield first ? nl : `,${nl}`;
    first = false;
    yield* walk(item, inner, gap);
  }
  if (!opened) {
    yield "[]";
    return;
  }
  if (batch.length > 0) yield flush();
  yield close;
}

function jsonable(v: unknown): boolean {
  return v !== undefined && typeof v !== "function" && typeof v !== "symbol";
}

/**
 * Holds a long array within `depth` levels. Only decides how a value is written (walked, or
 * stringified whole), never what: the text is the same either way.
 */
function heavy(v: unknown, depth: number): boolean {
  if (v instanceof MappedItems || v instanceof StreamedItems || v instanceof Later) return true;
  if (typeof v !== "object" || v === null || typeof (v as { toJSON?: unknown }).toJSON === "function") return false;
  if (Array.isArray(v)) {
    if (v.length > STREAM_ITEMS) return true;
    if (depth === 0) return false;
    for (let i = 0; i < v.length; i++) if (typeof v[i] === "object" && heavy(v[i], depth - 1)) return true;
    return false;
  }
  if (depth === 0) return false;
  for (const key in v) {
    const x = (v as Record<string, unknown>)[key];
    if (typeof x === "object" && heavy(x, depth - 1)) return true;
  }
  return false;
}
