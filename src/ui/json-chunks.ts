// Big JSON documents written in pieces (status --json, cleanup --json, watch's NDJSON): no
// terminal code here, so `status --json` loads no chalk.

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
