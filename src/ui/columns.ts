// Fitting a row of columns into the terminal width: shrink the widest columns toward their
// minimum first, and only when that is not enough drop the least important column.

export interface ColumnSpec<Id extends string = string> {
  id: Id;
  /** width the widest cell wants */
  natural: number;
  /** narrowest useful width (a cut cell still says something) */
  min: number;
  /** dropped when the row cannot fit: higher goes first; undefined = never dropped */
  drop?: number;
}

export interface FittedColumn<Id extends string = string> {
  id: Id;
  width: number;
}

export function fitColumns<Id extends string>(specs: readonly ColumnSpec<Id>[], total: number, gap: number): FittedColumn<Id>[] {
  const kept = specs.filter((s) => s.natural > 0 || s.drop === undefined);
  for (;;) {
    const widths = kept.map((s) => Math.max(s.natural, 0));
    const need = (): number => widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, kept.length - 1);
    let excess = need() - total;
    const slack = kept.reduce((sum, s, i) => sum + Math.max(0, widths[i] - Math.min(s.min, s.natural)), 0);
    if (excess <= 0 || slack >= excess || !kept.some((s) => s.drop !== undefined)) {
      // shave one cell at a time off the currently widest shrinkable column: keeps columns balanced
      while (excess > 0) {
        let widest = -1;
        for (let i = 0; i < kept.length; i++) {
          if (widths[i] > Math.min(kept[i].min, kept[i].natural) && (widest < 0 || widths[i] > widths[widest])) widest = i;
        }
        if (widest < 0) break;
        widths[widest]--;
        excess--;
      }
      return kept.map((s, i) => ({ id: s.id, width: widths[i] }));
    }
    let victim = -1;
    for (let i = 0; i < kept.length; i++) {
      const d = kept[i].drop;
      if (d !== undefined && (victim < 0 || d > (kept[victim].drop as number))) victim = i;
    }
    kept.splice(victim, 1);
  }
}
