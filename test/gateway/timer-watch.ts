// Which timers the code under test leaves pending. Vitest keeps its own copies of the timer
// functions, so wrapping the globals sees only the timers the test and the code it drives start
// (its thread's resource count also holds vitest's own, which come and go). Timers started from a
// test file itself (its sleeps, a fake gateway's) are left out: they are not the client's.
export interface TimerWatch {
  /** pending timers that keep the event loop alive, each as "where it was started (delay)" */
  pending(): string[];
  stop(): void;
}

type Timer = ReturnType<typeof setTimeout>;

export function watchTimers(): TimerWatch {
  const live = new Map<Timer, string>();
  const real = { setTimeout, setInterval, clearTimeout, clearInterval };
  // [0] Error, [1] caller(), [2] the wrapper, [3] whoever started the timer
  const caller = (): string => (new Error().stack ?? "").split("\n")[3]?.trim() ?? "?";
  const track = (t: Timer, where: string, ms: number | undefined): void => {
    if (!where.includes("/test/")) live.set(t, `${where} (${ms ?? 0} ms)`);
  };
  globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const where = caller();
    const t: Timer = real.setTimeout((...a: unknown[]) => {
      live.delete(t);
      fn(...a);
    }, ms, ...args);
    track(t, where, ms);
    return t;
  }) as typeof setTimeout;
  globalThis.setInterval = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const where = caller();
    const t = real.setInterval(fn, ms, ...args);
    track(t, where, ms);
    return t;
  }) as typeof setInterval;
  // either clears either kind, as Node's do
  const clear = (t: Timer | string | number | undefined): void => {
    if (t !== undefined && typeof t === "object") live.delete(t);
    real.clearTimeout(t);
  };
  globalThis.clearTimeout = clear as typeof clearTimeout;
  globalThis.clearInterval = clear as typeof clearInterval;
  return {
    pending: () => [...live].filter(([t]) => t.hasRef()).map(([, where]) => where),
    stop: () => Object.assign(globalThis, real),
  };
}
