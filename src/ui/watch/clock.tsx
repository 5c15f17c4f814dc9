// The 1 s tick lives in its own provider, and a tick only re-renders when some clock text on
// screen changes: each reader registers what it shows of the time ("3m ago", the footer's feed
// age), and a tick that changes none of them costs no render and no frame. On an idle screen of
// hour-old sessions that is most ticks.
import React, { createContext, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";

/** One reader of the clock: what it makes of a time, and what it drew last. */
interface Reader {
  view: (now: number) => string;
  drawn: string;
}

/** The time readers draw with, and who reads it. Kept out of React state: a tick that changes nothing must not render. */
class Clock {
  readonly readers = new Set<Reader>();
  constructor(
    public now: number,
    public frozenAt?: number,
  ) {}
  read(): number {
    return this.frozenAt ?? this.now;
  }
  /** Whether some reader would draw something else now. */
  moved(): boolean {
    const now = this.read();
    for (const r of this.readers) if (r.view(now) !== r.drawn) return true;
    return false;
  }
}

const ClockContext = createContext<{ clock: Clock; version: number }>({ clock: new Clock(0), version: 0 });

export interface ClockProps {
  nowFn: () => number;
  tickMs: number;
  /** set while paused: every clock shows this instant */
  frozenAt?: number;
  /** changes when the data changes, so fresh rows are never compared with a stale tick */
  dataVersion: unknown;
  children: ReactNode;
}

export function ClockProvider({ nowFn, tickMs, frozenAt, dataVersion, children }: ClockProps): React.JSX.Element {
  const [clock] = useState(() => new Clock(nowFn(), frozenAt));
  const [version, setVersion] = useState(0);
  // written before the children render, so rows drawn in this render use the fresh time; the
  // readers that do not re-render now are checked right after (below)
  const seen = useRef(dataVersion);
  if (seen.current !== dataVersion) {
    seen.current = dataVersion;
    clock.now = nowFn();
  }
  clock.frozenAt = frozenAt;
  useLayoutEffect(() => {
    if (clock.moved()) setVersion((v) => v + 1);
  }, [clock, dataVersion, frozenAt]);
  useEffect(() => {
    const timer = setInterval(() => {
      clock.now = nowFn();
      if (clock.moved()) setVersion((v) => v + 1);
    }, tickMs);
    return () => clearInterval(timer);
  }, [clock, nowFn, tickMs]);
  // a new value only when a reader must redraw: the view's own renders leave the clock readers be
  const value = useMemo(() => ({ clock, version }), [clock, version]);
  return <ClockContext.Provider value={value}>{children}</ClockContext.Provider>;
}

/**
 * The time to draw with. `view` says what the caller shows of it (the cell's text): the caller
 * re-renders on a tick only when that changes.
 */
export function useNow(view: (now: number) => string): number {
  const { clock } = useContext(ClockContext);
  const reader = useRef<Reader>({ view, drawn: "" });
  const now = clock.read();
  reader.current.view = view;
  reader.current.drawn = view(now);
  useLayoutEffect(() => {
    const r = reader.current;
    clock.readers.add(r);
    return () => {
      clock.readers.delete(r);
    };
  }, [clock]);
  return now;
}
