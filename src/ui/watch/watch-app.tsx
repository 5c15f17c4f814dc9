// The live view. Data arrives from a HeartbeatSource (pushed by the store watcher); the view
// sorts, filters, selects and lays out, and renders only the rows that fit the terminal.
import React, { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Box, Text, useApp, useInput, useStdout, type Key } from "ink";
import type { Heartbeat } from "../../core/types.js";
import { DEFAULT_SORT } from "../../core/order.js";
import { arrangedAlike, arrangeHeartbeats, type Arrange, type SortState } from "./arrange.js";
import { ClockProvider } from "./clock.js";
import { Details, detailLines, wrapDetailLines } from "./details.js";
import { Banner, bannerLines, useWarnings } from "./banner.js";
import { Footer } from "./footer.js";
import { gatewayMarkText, Header } from "./header.js";
import { Help, HELP_LINES } from "./help.js";
import { planColumns, planFrame, rowId, rowIds, sameColumnsOr, scrollOffset } from "./layout.js";
import { clearAfterResize } from "./clear-on-resize.js";
import { ColumnHeadings, Row } from "./rows.js";
import { sameCells, sessionCutter } from "../cells.js";
import { drawsAlike, useFeed } from "./feed.js";
import { reduceKey, type ViewState } from "./keys.js";
import type { HeartbeatSource } from "./source.js";

export interface WatchAppProps {
  source: HeartbeatSource;
  now?: () => number;
  initial?: { problemsOnly?: boolean; sort?: SortState; filter?: string };
  onExit?: () => void;
  /** sorting and filtering; defaults to problems first, then the sort column, ties by key */
  arrange?: Arrange;
  /** the footer turns yellow when the source has not refreshed for this long */
  staleAfterMs?: number;
  /** clock tick; 1 s in real use */
  tickMs?: number;
  /** terminal size overrides (tests, or a caller that knows better than stdout) */
  rows?: number;
  columns?: number;
}

function useTerminalSize(rowsOverride?: number, columnsOverride?: number): { rows: number; columns: number } {
  const { stdout, write } = useStdout();
  const read = useCallback(
    () => ({ rows: rowsOverride ?? (stdout.rows || 24), columns: columnsOverride ?? (stdout.columns || 80) }),
    [stdout, rowsOverride, columnsOverride],
  );
  const [size, setSize] = useState(read);
  useEffect(() => {
    setSize(read());
    const onResize = (): void => setSize(read());
    stdout.on("resize", onResize);
    const stopClearing = clearAfterResize(stdout, write);
    return () => {
      stdout.off("resize", onResize);
      stopClearing();
    };
  }, [stdout, read, write]);
  return size;
}

/**
 * Ink hands over a run of plain keys typed faster than it reads them (key repeat, "jj", a paste
 * ending in enter) as ONE string; replayed key by key, none is lost.
 */
export function splitBurst(input: string): Array<[string, Partial<Key>]> {
  const out: Array<[string, Partial<Key>]> = [];
  for (const ch of input) {
    if (ch === "\r" || ch === "\n") out.push(["", { return: true }]);
    else if (ch === "\u007f" || ch === "\b") out.push(["", { backspace: true }]);
    else if (ch === "\t") out.push(["", { tab: true }]);
    else if (ch === "\u0003") out.push(["c", { ctrl: true }]);
    else if (ch >= " ") out.push([ch, {}]);
  }
  return out;
}

export function WatchApp(props: WatchAppProps): React.JSX.Element {
  const { source, onExit } = props;
  const nowFn = props.now ?? Date.now;
  const arrange = props.arrange ?? arrangeHeartbeats;
  const { exit } = useApp();
  const size = useTerminalSize(props.rows, props.columns);

  const [view, setView] = useState<ViewState>(() => ({
    sort: props.initial?.sort ?? DEFAULT_SORT,
    problemsOnly: props.initial?.problemsOnly ?? false,
    filterText: props.initial?.filter ?? "",
    filterMode: false,
    filterDraft: "",
    details: false,
    detailsFull: false,
    help: false,
    paused: false,
  }));
  // the latest state, ahead of rendering: see keys.ts
  const viewRef = useRef(view);
  const { sort, problemsOnly, filterText, filterMode, filterDraft, details, detailsFull, help, paused, frozenAt } = view;
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);

  const isPaused = useCallback(() => viewRef.current.paused, []);
  // set below, once this render knows what it draws
  const drawn = useRef<(prev: readonly Heartbeat[], next: readonly Heartbeat[]) => boolean>(() => false);
  const { warnings, refresh: refreshWarnings } = useWarnings(source, props.tickMs ?? 1_000);
  const { list, held } = useFeed(source, paused, isPaused, (prev, next) => drawn.current(prev, next), refreshWarnings);
  const lastUpdateAt = useCallback(() => source.lastUpdateAt(), [source]);

  const rows = useMemo(
    () => arrange(list, { sort, problemsOnly, text: filterText, now: nowFn() }),
    // `now` only matters to time-window filters, which must not re-sort on every tick
    [arrange, list, sort, problemsOnly, filterText],
  );
  const ids = useMemo(() => rowIds(rows), [rows]);
  const indexById = useMemo(() => new Map(ids.map((id, i) => [id, i])), [ids]);
  // the same widths keep the same array: memoized rows need not redraw
  const lastColumns = useRef<ReturnType<typeof sameColumnsOr>>(undefined);
  const columns = useMemo(() => sameColumnsOr(lastColumns.current, planColumns(rows, Math.max(10, size.columns - 2))), [rows, size.columns]);
  lastColumns.current = columns;
  const sessionCut = useMemo(() => sessionCutter(rows, columns.find((c) => c.id === "session")?.width), [rows, columns]);

  // the selection follows the session, not the position; when its session leaves the list the
  // selection stays at the same position
  const lastIndex = useRef(0);
  const found = selectedId === undefined ? undefined : indexById.get(selectedId);
  const index = rows.length === 0 ? -1 : found ?? Math.min(lastIndex.current, rows.length - 1);
  if (index >= 0) lastIndex.current = index;
  const selected = index >= 0 ? rows[index] : undefined;
  const selectedRowId = index >= 0 ? ids[index] : undefined;
  useEffect(() => {
    if (selectedRowId !== undefined && selectedRowId !== selectedId) setSelectedId(selectedRowId);
  }, [selectedRowId, selectedId]);

  const detailsWidth = Math.max(10, size.columns - 1);
  const detailsWanted = details && selected ? wrapDetailLines(detailLines(selected, 0), detailsWidth).length : 0;
  const frame = planFrame(size.rows, detailsWanted, warnings.length, detailsFull);
  const banner = frame.banner > 0 ? bannerLines(warnings, frame.banner) : [];

  const offsetRef = useRef(0);
  const offset = scrollOffset(offsetRef.current, Math.max(0, index), frame.body, rows.length);
  offsetRef.current = offset;
  const visible = rows.slice(offset, offset + frame.body);

  const exited = useRef(false);
  const quit = useCallback(() => {
    if (exited.current) return;
    exited.current = true;
    onExit?.();
    exit();
  }, [exit, onExit]);
  // Ink's own ctrl-c handling unmounts without asking us: still tell the caller
  useEffect(
    () => () => {
      if (!exited.current) {
        exited.current = true;
        onExit?.();
      }
    },
    [onExit],
  );

  // moves read the latest rows through a ref: two keys before a re-render must both count
  const current = useRef({ rows, ids, indexById });
  current.current = { rows, ids, indexById };
  const move = (to: (from: number, total: number) => number): void => {
    setSelectedId((prev) => {
      const { rows: list, ids: rowIdsNow, indexById: byId } = current.current;
      if (list.length === 0) return prev;
      const from = (prev !== undefined ? byId.get(prev) : undefined) ?? Math.min(lastIndex.current, list.length - 1);
      const next = Math.max(0, Math.min(list.length - 1, to(from, list.length)));
      lastIndex.current = next;
      return rowIdsNow[next];
    });
  };

  const onInput = (input: string, key: Partial<Key>): void => {
    // by code point: one emoji is two UTF-16 units, and one key
    if ([...input].length > 1 && !key.ctrl && !key.meta) {
      for (const [k, flags] of splitBurst(input)) onInput(k, flags);
      return;
    }
    const { state, effect } = reduceKey(viewRef.current, input, key, { now: nowFn(), page: frame.body });
    if (state !== viewRef.current) {
      viewRef.current = state;
      setView(state);
    }
    if (effect?.kind === "quit") quit();
    else if (effect?.kind === "move") move(effect.to);
  };
  useInput(onInput);

  // what an update must change to need a new frame: a session's place or cells, the open details,
  // the gateway mark (a custom `arrange` is not known: then every update is drawn)
  const gateway = source.gateway?.();
  const gatewayText = gateway ? gatewayMarkText(gateway) : "";
  const detailsOf = details && selected ? rowId(selected) : undefined;
  drawn.current = (prev, next) => {
    const g = source.gateway?.();
    if ((g ? gatewayMarkText(g) : "") !== gatewayText) return false;
    if (props.arrange) return drawsAlike(prev, next);
    const view = { sort, problemsOnly, text: filterText, now: nowFn() };
    return drawsAlike(prev, next, (a, b) => rowId(b) !== detailsOf && arrangedAlike(a, b, view) && sameCells(a, b));
  };

  const range = rows.length > frame.body ? `${offset + 1}-${offset + visible.length}/${rows.length}` : undefined;
  const bodyHeight = help ? Math.min(frame.body + frame.details, HELP_LINES.length) : frame.body;

  return (
    <ClockProvider nowFn={nowFn} tickMs={props.tickMs ?? 1_000} frozenAt={frozenAt} dataVersion={list}>
      <Box flexDirection="column" width={size.columns}>
        {frame.chrome ? <Header all={list} shown={rows.length} gateway={gateway} /> : null}
        <Banner lines={banner} />
        {frame.chrome && !help ? <ColumnHeadings columns={columns} sort={sort} /> : null}
        {help ? (
          <Help height={bodyHeight} />
        ) : rows.length === 0 ? (
          <Text dimColor wrap="truncate-end">{list.length === 0 ? "No sessions." : "No sessions match (p: problems only, /: filter, esc clears)."}</Text>
        ) : (
          visible.map((hb, i) => <Row key={ids[offset + i]} hb={hb} columns={columns} selected={offset + i === index} sessionCut={sessionCut} />)
        )}
        {!help && frame.details > 0 && selected ? <Details hb={selected} height={frame.details} width={detailsWidth} full={detailsFull} /> : null}
        <Footer
          lastUpdateAt={lastUpdateAt}
          staleAfterMs={props.staleAfterMs ?? 10_000}
          paused={paused}
          held={held}
          filterMode={filterMode}
          filterDraft={filterDraft}
          filterText={filterText}
          problemsOnly={problemsOnly}
          sort={sort}
          range={range}
          width={size.columns}
        />
      </Box>
    </ClockProvider>
  );
}
