// Borderless text tables whose columns are as wide as their widest cell (the `cleanup` action
// table). Drawn by padding instead of cli-table3, whose layout is quadratic in the row count:
// `cleanup --dry-run` at 50,000 sessions spent 150 s in it.
import { displayWidth } from "./format.js";

const GAP = "  ";
/**
 * The widest a column is padded to in a table not fitted to a terminal (status on a pipe,
 * cleanup's action table anywhere): a longer cell (a 100 KB session key) is printed whole and
 * shifts only its own row.
 */
export const PAD_CAP = 160;

/**
 * One line per row, cells left-aligned and padded to their column's width (at most PAD_CAP), no trailing spaces.
 * `paint` styles a cell's text (never its padding), so widths are measured on the plain text.
 */
export function textTableLines(rows: readonly (readonly string[])[], paint?: (text: string, row: number, col: number) => string): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, col) => {
      widths[col] = Math.max(widths[col] ?? 0, Math.min(displayWidth(cell), PAD_CAP));
    });
  }
  return rows.map((row, r) =>
    row
      .map((cell, col) => (paint ? paint(cell, r, col) : cell) + " ".repeat(Math.max(0, widths[col] - displayWidth(cell))))
      .join(GAP)
      .trimEnd(),
  );
}
