// The columns every session view shows, in one place so `status` and `watch` agree on names,
// order, widths and which column goes first when the terminal is narrow.
import type { Heartbeat } from "../core/types.js";
import { DOTS, DOT_LABEL_WIDTH } from "./dots.js";
import { clean, displayName, displayWidth, distinctCuts, formatAgo, formatElapsed, indexDriftCell, stateWord, truncateEnd, truncateMiddle } from "./format.js";
import type { ColumnSpec } from "./columns.js";

export type ColumnId = "health" | "session" | "agent" | "state" | "outcome" | "model" | "tool" | "turn" | "last" | "index";

interface ColumnDef {
  id: ColumnId;
  header: string;
  min: number;
  drop?: number;
  align: "left" | "right";
  cut: (text: string, width: number) => string;
  cell: (hb: Heartbeat, now: number) => string;
}

export const COLUMNS: readonly ColumnDef[] = [
  { id: "health", header: "HEALTH", min: DOT_LABEL_WIDTH, align: "left", cut: truncateEnd, cell: (hb) => `${DOTS[hb.health].shape} ${DOTS[hb.health].word}` },
  { id: "session", header: "SESSION", min: 12, align: "left", cut: truncateMiddle, cell: (hb) => displayName(hb) },
  { id: "agent", header: "AGENT", min: 4, drop: 8, align: "left", cut: truncateEnd, cell: (hb) => clean(hb.agentId) },
  { id: "state", header: "STATE", min: 9, drop: 3, align: "left", cut: truncateEnd, cell: (hb) => stateWord(hb.state) },
  // how the last run ended: "idle complete" alone hides done / failed / timeout / killed / lost
  { id: "outcome", header: "OUTCOME", min: 4, drop: 5.5, align: "left", cut: truncateEnd, cell: (hb) => hb.outcome ?? "-" },
  { id: "model", header: "MODEL", min: 8, drop: 7, align: "left", cut: truncateMiddle, cell: (hb) => (hb.model ? clean(hb.model) : "-") },
  { id: "tool", header: "TOOL", min: 4, drop: 5, align: "left", cut: truncateEnd, cell: (hb) => (hb.toolName ? clean(hb.toolName) : "-") },
  { id: "turn", header: "TURN", min: 4, drop: 2, align: "right", cut: truncateEnd, cell: (hb, now) => formatElapsed(hb, now) },
  { id: "last", header: "ACTIVITY", min: 6, drop: 6, align: "right", cut: truncateEnd, cell: (hb, now) => formatAgo(hb.lastActivityAt, now) },
  { id: "index", header: "INDEX", min: 8, drop: 4, align: "left", cut: truncateEnd, cell: (hb) => indexDriftCell(hb) },
];

export const COLUMN_BY_ID: Readonly<Record<ColumnId, ColumnDef>> = Object.fromEntries(COLUMNS.map((c) => [c.id, c])) as Record<ColumnId, ColumnDef>;

/**
 * Whether two heartbeats of a session draw the same table row at every time: the same cell in
 * every column (the clock columns through the times they count from), health colour and drift
 * mark. Fields only the details pane shows (reasons, ids) do not count.
 */
export function sameCells(a: Heartbeat, b: Heartbeat): boolean {
  if (a.health !== b.health || Boolean(a.drift) !== Boolean(b.drift) || a.startedAt !== b.startedAt || a.lastActivityAt !== b.lastActivityAt) return false;
  return COLUMNS.every((c) => c.cell(a, Number.NaN) === c.cell(b, Number.NaN));
}

/** The index column earns its place only when some session's index disagrees with its evidence. */
export function hasDrift(list: readonly Heartbeat[]): boolean {
  return list.some((hb) => Boolean(hb.drift));
}

/** Each column's cell width for one session at `now`, in COLUMNS order. */
export function cellWidths(hb: Heartbeat, now: number): number[] {
  return COLUMNS.map((c) => displayWidth(c.cell(hb, now)));
}

/**
 * Column specs sized by the given rows. Clock columns get room for a few more characters than
 * they hold now, so a ticking clock ("59s" -> "1m00s") does not reflow the whole table.
 * `widths` measures one row (cellWidths at `now` unless given: the live view caches it per row).
 */
export function columnSpecs(rows: readonly Heartbeat[], now: number, opts: { drift: boolean; widths?: (hb: Heartbeat) => readonly number[] }): ColumnSpec<ColumnId>[] {
  const widthsOf = opts.widths ?? ((hb: Heartbeat) => cellWidths(hb, now));
  const natural = COLUMNS.map((c) => displayWidth(c.header));
  for (const hb of rows) {
    const w = widthsOf(hb);
    for (let i = 0; i < natural.length; i++) if (w[i]! > natural[i]!) natural[i] = w[i]!;
  }
  return COLUMNS.flatMap((c, i) => {
    if (c.id === "index" && !opts.drift) return [];
    let n = natural[i]!;
    if (c.id === "turn") n = Math.max(n, 6);
    if (c.id === "last") n = Math.max(n, 10);
    return [{ id: c.id, natural: n, min: Math.min(c.min, n), drop: c.drop }];
  });
}

/** Session names cut so that rows stay told apart (see distinctCuts); the column's own cut when nothing is cut. */
export function sessionCutter(list: readonly Heartbeat[], width: number | undefined): (text: string, width: number) => string {
  const def = COLUMN_BY_ID.session;
  if (width === undefined || list.every((hb) => displayWidth(def.cell(hb, 0)) <= width)) return def.cut;
  const cuts = distinctCuts(list.map((hb) => def.cell(hb, 0)), width);
  return (text, w) => (w === width ? (cuts.get(text) ?? def.cut(text, w)) : def.cut(text, w));
}
