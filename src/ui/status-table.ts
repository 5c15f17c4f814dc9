// The `status` table: one row per session, fitted to the terminal, plus a one-line summary.
// Pure: heartbeats in the order the caller chose, `now` and the width are parameters.
import chalk, { type ChalkInstance } from "chalk";
import type { Health, Heartbeat } from "../core/types.js";
import { COLUMN_BY_ID, columnSpecs, hasDrift, sessionCutter, type ColumnId } from "./cells.js";
import { fitColumns } from "./columns.js";
import { DOTS, HEALTH_ORDER, paint } from "./dots.js";
import { fit } from "./format.js";
import { PAD_CAP } from "./text-table.js";

export interface StatusTableOptions {
  /** terminal width; omitted (a pipe) = never cut anything */
  columns?: number;
  /** colour source; defaults to chalk, whose level the bin set from NO_COLOR / --no-color / TTY */
  chalk?: ChalkInstance;
  /** sessions before --problems / --active / --limit left some out: says how many were left out, and by what */
  omitted?: OmittedSessions;
  /** stores that could not be read (their warnings say why): their sessions are not in the list */
  unread?: number;
  /** what the filters kept before --limit cut the rows: the summary counts these (default: the rows) */
  matched?: readonly Heartbeat[];
}

export interface OmittedSessions {
  /** every session read */
  total: number;
  /** the flags that left sessions out, e.g. ["--problems", "--limit 5"] */
  by: readonly string[];
}

/** "showing 5 of 12 sessions: 7 left out by --limit 5"; undefined when nothing was left out. */
export function omittedLine(shown: number, omitted: OmittedSessions | undefined): string | undefined {
  if (!omitted || omitted.total <= shown) return undefined;
  const by = omitted.by.length > 0 ? ` by ${omitted.by.join(", ")}` : "";
  return `showing ${shown} of ${omitted.total} session${omitted.total === 1 ? "" : "s"}: ${omitted.total - shown} left out${by}`;
}

const GAP = " ".repeat(2);
const whole = (text: string): string => text;

export function countByHealth(list: readonly Heartbeat[]): Record<Health, number> {
  const counts: Record<Health, number> = { active: 0, waiting: 0, stalled: 0, unresponsive: 0, idle: 0 };
  for (const hb of list) counts[hb.health] = (counts[hb.health] ?? 0) + 1;
  return counts;
}

/** "3 sessions: ✖ 1 unresponsive  ▲ 0 stalled ..." — zeros stay visible (dim) so the shape never changes. */
export function summaryLine(list: readonly Heartbeat[], c: ChalkInstance = chalk): string {
  const counts = countByHealth(list);
  const parts = HEALTH_ORDER.map((h) => {
    const text = `${DOTS[h].shape} ${counts[h]} ${DOTS[h].word}`;
    return counts[h] === 0 ? c.dim(text) : paint(h, text, c);
  });
  return `${list.length} session${list.length === 1 ? "" : "s"}: ${parts.join("  ")}`;
}

export function renderStatusTable(list: readonly Heartbeat[], now: number, opts: StatusTableOptions = {}): string {
  return [...statusTableLines(list, now, opts)].join("\n");
}

/** renderStatusTable line by line (no newlines), so 50,000 rows are written without one big string. */
export function* statusTableLines(list: readonly Heartbeat[], now: number, opts: StatusTableOptions = {}): Generator<string, void, void> {
  const c = opts.chalk ?? chalk;
  const unread = unreadLine(opts.unread);
  if (list.length === 0) {
    // a store not read may hold sessions: never "none found" then
    yield opts.omitted && opts.omitted.total > 0 ? "No sessions to show." : unread ? "No sessions shown." : "No sessions found.";
    yield summaryLine(opts.matched ?? list, c);
    const left = omittedLine(0, opts.omitted);
    if (left) yield left;
    if (unread) yield unread;
    return;
  }
  const pipe = !(opts.columns && opts.columns > 0);
  const width = pipe ? Number.POSITIVE_INFINITY : opts.columns!;
  // On a pipe nothing is cut (a key stays whole for grep), but a column is padded to at most
  // PAD_CAP: one 100 KB session key must not pad every other row to 100 KB
  const specs = columnSpecs(list, now, { drift: hasDrift(list) });
  const fitted = fitColumns(pipe ? specs.map((s) => ({ ...s, natural: Math.min(s.natural, PAD_CAP) })) : specs, width, GAP.length);
  const head = fitted.map((col) => c.bold(fit(COLUMN_BY_ID[col.id].header, col.width, COLUMN_BY_ID[col.id].align)));
  // Every cell is already exactly its column's width, so a row is its cells joined. (cli-table3
  // drew this before: its layout is quadratic in the row count and left ~330 MB of garbage at 50k.)
  yield head.join(GAP).trimEnd();
  const sessionCut = pipe ? whole : sessionCutter(list, fitted.find((col) => col.id === "session")?.width);
  for (const hb of list) {
    const cells = fitted.map((col) => {
      const def = COLUMN_BY_ID[col.id];
      return styleCell(col.id, hb, fit(def.cell(hb, now), col.width, def.align, pipe ? whole : col.id === "session" ? sessionCut : def.cut), c);
    });
    yield cells.join(GAP).trimEnd();
  }
  yield summaryLine(opts.matched ?? list, c);
  const left = omittedLine(list.length, opts.omitted);
  if (left) yield left;
  if (unread) yield unread;
}

/** "1 store could not be read (see the warning above)": status lists none of its sessions, watch its last good read */
function unreadLine(n: number | undefined): string | undefined {
  if (!n) return undefined;
  return `${n} store${n === 1 ? "" : "s"} could not be read (see the warning${n === 1 ? "" : "s"} above)`;
}

function styleCell(id: ColumnId, hb: Heartbeat, text: string, c: ChalkInstance): string {
  if (id === "health") return paint(hb.health, text, c);
  if (id === "index" && hb.drift) return c.yellow(text);
  return text;
}
