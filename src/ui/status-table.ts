// The `status` table: one row per session, fitted to the terminal, plus a one-line summary.
// Pure: heartbeats in the order the caller chose, `now` and the width are parameters.
import Table from "cli-table3";
import chalk, { type ChalkInstance } from "chalk";
import type { Health, Heartbeat } from "../core/types.js";
import { COLUMN_BY_ID, columnSpecs, hasDrift, type ColumnId } from "./cells.js";
import { fitColumns } from "./columns.js";
import { DOTS, HEALTH_ORDER, paint } from "./dots.js";
import { fit } from "./format.js";

export interface StatusTableOptions {
  /** terminal width; omitted (a pipe) = never cut anything */
  columns?: number;
  /** colour source; defaults to chalk, whose level the bin set from NO_COLOR / --no-color / TTY */
  chalk?: ChalkInstance;
}

const GAP = 2;

const BORDERLESS = {
  top: "", "top-mid": "", "top-left": "", "top-right": "",
  bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
  left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "",
  middle: " ".repeat(GAP),
};

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
  const c = opts.chalk ?? chalk;
  if (list.length === 0) return `No sessions found.\n${summaryLine(list, c)}`;
  const width = opts.columns && opts.columns > 0 ? opts.columns : Number.POSITIVE_INFINITY;
  const fitted = fitColumns(columnSpecs(list, now, { drift: hasDrift(list) }), width, GAP);
  const head = fitted.map((col) => c.bold(fit(COLUMN_BY_ID[col.id].header, col.width, COLUMN_BY_ID[col.id].align)));
  const rows = list.map((hb) =>
    fitted.map((col) => styleCell(col.id, hb, fit(COLUMN_BY_ID[col.id].cell(hb, now), col.width, COLUMN_BY_ID[col.id].align, COLUMN_BY_ID[col.id].cut), c)),
  );
  const colWidths = fitted.map((col) => col.width);
  // cli-table3 lays out spans in time quadratic in the row count (9 s for 5,000 rows); with fixed
  // column widths and no borders, tables of CHUNK rows concatenate to the very same text.
  const parts: string[] = [];
  for (let i = 0; i < rows.length || i === 0; i += CHUNK) {
    parts.push(drawTable(i === 0 ? head : undefined, rows.slice(i, i + CHUNK), colWidths));
  }
  const body = parts
    .join("\n")
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
  return `${body}\n${summaryLine(list, c)}`;
}

const CHUNK = 200;

function drawTable(head: string[] | undefined, rows: string[][], colWidths: number[]): string {
  const table = new Table({
    ...(head ? { head } : {}),
    chars: BORDERLESS,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
    colWidths,
    wordWrap: false,
  });
  for (const row of rows) table.push(row);
  return table.toString();
}

function styleCell(id: ColumnId, hb: Heartbeat, text: string, c: ChalkInstance): string {
  if (id === "health") return paint(hb.health, text, c);
  if (id === "index" && hb.drift) return c.yellow(text);
  return text;
}
