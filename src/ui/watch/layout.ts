// Pure layout decisions for the live view: how many lines each part gets, which rows are in the
// viewport, and the column widths. Kept apart from React so they are tested as plain functions.
import type { Heartbeat } from "../../core/types.js";
import { cellWidths, columnSpecs, hasDrift, type ColumnId } from "../cells.js";
import { fitColumns, type FittedColumn } from "../columns.js";

export const GAP = 2;

/** Identity of a row: session keys are unique per agent store, not across agents. */
export function rowId(hb: Pick<Heartbeat, "agentId" | "sessionKey">): string {
  return `${hb.agentId}\u0000${hb.sessionKey}`;
}

/**
 * Each row's id, unique within the list: one session key in two stores (an agent dir copied
 * beside its original holds the same agent:<id>:... keys) gets "#2", "#3" in list order, so the
 * view never draws two rows under one React key.
 */
export function rowIds(rows: readonly Pick<Heartbeat, "agentId" | "sessionKey">[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((hb) => {
    const id = rowId(hb);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? id : `${id}\u0000#${n}`;
  });
}

export interface Frame {
  /** header, column headings */
  chrome: boolean;
  /** lines for the table body (or the help overlay) */
  body: number;
  /** lines for the details pane (0 = closed or no room) */
  details: number;
  /** lines for the warnings banner (0 = none, or no room) */
  banner: number;
}

/**
 * Split the terminal height. One line is kept free: Ink clears the whole terminal (scrollback
 * included) when a frame reaches the terminal's height, and that is what we must never do.
 */
export function planFrame(terminalRows: number, detailsWanted: number, banner = 0, detailsFull = false): Frame {
  const avail = Math.max(2, Math.floor(terminalRows) - 1);
  const footer = 1;
  if (avail < 5) return { chrome: false, body: Math.max(1, avail - footer), details: 0, banner: 0 };
  // warnings take at most a third of the room: the table stays the view
  const bannerRows = Math.min(banner, Math.floor((avail - footer - 2) / 3));
  const rest = avail - footer - 2 - bannerRows;
  // full: all but the one table row that shows which session the details are of
  const details = Math.min(detailsWanted, Math.max(0, detailsFull ? rest - 1 : Math.floor(rest / 2)));
  return { chrome: true, body: Math.max(1, rest - details), details, banner: bannerRows };
}

/** Scroll as little as possible to keep `index` inside a window of `height` rows. */
export function scrollOffset(prev: number, index: number, height: number, total: number): number {
  let offset = prev;
  if (index < offset) offset = index;
  if (index >= offset + height) offset = index - height + 1;
  return Math.max(0, Math.min(offset, Math.max(0, total - height)));
}

/**
 * Each row's cell widths, measured once per heartbeat: a heartbeat is never changed once made (an
 * update brings a new one), so an update re-measures only the rows it replaced.
 */
const WIDTHS = new WeakMap<Heartbeat, readonly number[]>();

function noClockWidths(hb: Heartbeat): readonly number[] {
  let w = WIDTHS.get(hb);
  // measured at "no clock" time: clock widths are covered by the fixed minimums in columnSpecs
  if (!w) WIDTHS.set(hb, (w = cellWidths(hb, Number.NaN)));
  return w;
}

/**
 * Column widths from ALL rows (not just the visible ones) so widths do not change while
 * scrolling. Clock columns have fixed room, so a ticking clock never reflows the table.
 */
export function planColumns(rows: readonly Heartbeat[], width: number): FittedColumn<ColumnId>[] {
  return fitColumns(columnSpecs(rows, Number.NaN, { drift: hasDrift(rows), widths: noClockWidths }), width, GAP);
}

/** `next` when it differs from `prev`, else `prev` itself: rows given the same widths need not redraw. */
export function sameColumnsOr(prev: readonly FittedColumn<ColumnId>[] | undefined, next: FittedColumn<ColumnId>[]): readonly FittedColumn<ColumnId>[] {
  if (prev && prev.length === next.length && prev.every((c, i) => c.id === next[i]!.id && c.width === next[i]!.width)) return prev;
  return next;
}
