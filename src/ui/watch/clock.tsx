// The 1 s tick lives in its own provider: only components that read the clock re-render on a
// tick; rows, sorting and layout are untouched unless the data changes.
import React, { createContext, useContext, useEffect, useState, type ReactNode } from "react";

const NowContext = createContext<number>(0);

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
  const [now, setNow] = useState(nowFn);
  useEffect(() => {
    const timer = setInterval(() => setNow(nowFn()), tickMs);
    return () => clearInterval(timer);
  }, [nowFn, tickMs]);
  useEffect(() => {
    setNow(nowFn());
  }, [dataVersion, nowFn]);
  return <NowContext.Provider value={frozenAt ?? now}>{children}</NowContext.Provider>;
}

export function useNow(): number {
  return useContext(NowContext);
}
