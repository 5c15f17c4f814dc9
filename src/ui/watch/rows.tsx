// Table rows of the live view. A row re-renders when its heartbeat, the widths or the selection
// change; its clock cells alone follow the tick, and only when their text moves.
import React, { Fragment, memo } from "react";
import { Text } from "ink";
import type { Heartbeat } from "../../core/types.js";
import { COLUMN_BY_ID, type ColumnId } from "../cells.js";
import type { FittedColumn } from "../columns.js";
import { DOTS } from "../dots.js";
import { fit, truncateEnd } from "../format.js";
import type { SortState } from "./arrange.js";
import { useNow } from "./clock.js";
import { GAP } from "./layout.js";

const SEP = " ".repeat(GAP);
const CLOCK_COLUMNS = new Set<ColumnId>(["turn", "last"]);

const SORT_COLUMN: Record<SortState["field"], ColumnId> = {
  health: "health",
  session: "session",
  agent: "agent",
  state: "state",
  elapsed: "turn",
  activity: "last",
  model: "model",
};

type Cut = (text: string, width: number) => string;

function cellText(id: ColumnId, hb: Heartbeat, width: number, now: number, cut?: Cut): string {
  const col = COLUMN_BY_ID[id];
  return fit(col.cell(hb, now), width, col.align, cut ?? col.cut);
}

function ClockCell({ id, hb, width }: { id: ColumnId; hb: Heartbeat; width: number }): React.JSX.Element {
  const now = useNow((t) => cellText(id, hb, width, t));
  return <Text>{cellText(id, hb, width, now)}</Text>;
}

function Cell({ id, hb, width, cut }: { id: ColumnId; hb: Heartbeat; width: number; cut?: Cut }): React.JSX.Element {
  if (CLOCK_COLUMNS.has(id)) return <ClockCell id={id} hb={hb} width={width} />;
  const text = cellText(id, hb, width, 0, cut);
  if (id === "health") {
    const style = DOTS[hb.health];
    return (
      <Text color={style.dim ? undefined : style.color} dimColor={style.dim}>
        {text}
      </Text>
    );
  }
  if (id === "index" && hb.drift) return <Text color="yellow">{text}</Text>;
  return <Text>{text}</Text>;
}

export interface RowProps {
  hb: Heartbeat;
  columns: readonly FittedColumn<ColumnId>[];
  selected: boolean;
  /** cuts session names so that visible rows stay told apart (cells.ts sessionCutter) */
  sessionCut?: Cut;
}

/** The gutter marker keeps the selection visible without colour (NO_COLOR drops inverse too). */
export const Row = memo(function Row({ hb, columns, selected, sessionCut }: RowProps): React.JSX.Element {
  return (
    <Text wrap="truncate-end" inverse={selected} bold={selected}>
      {selected ? "› " : "  "}
      {columns.map((col, i) => (
        <Fragment key={col.id}>
          {i > 0 ? SEP : ""}
          <Cell id={col.id} hb={hb} width={col.width} cut={col.id === "session" ? sessionCut : undefined} />
        </Fragment>
      ))}
    </Text>
  );
});

export function ColumnHeadings({ columns, sort }: { columns: readonly FittedColumn<ColumnId>[]; sort: SortState }): React.JSX.Element {
  const sorted = SORT_COLUMN[sort.field];
  const text = columns
    .map((col) => {
      const def = COLUMN_BY_ID[col.id];
      // the arrow survives a narrow column: the header word is cut instead
      const label = col.id === sorted ? `${truncateEnd(def.header, col.width - 2)} ${sort.dir === "asc" ? "↑" : "↓"}` : def.header;
      return fit(label, col.width, def.align);
    })
    .join(SEP);
  return (
    <Text wrap="truncate-end" bold>
      {"  "}
      {text}
    </Text>
  );
}
