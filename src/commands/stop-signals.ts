// Ending a long-running command on a signal: the first SIGTERM/SIGINT (and SIGHUP where asked)
// requests a clean stop, which the command finishes on its own terms (exit 0). Listening starts
// at once, so a signal during start-up is not lost. An AbortSignal (a caller in the same process,
// e.g. `demo` stopping its `watch`, or a test) counts as the first signal.

export interface StopSignals {
  readonly requested: boolean;
  /** cb runs on the first signal (at once if one already came) */
  onStop(cb: () => void): void;
  dispose(): void;
}

export function stopSignals(
  signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP"],
  abort?: AbortSignal,
): StopSignals {
  let requested = false;
  let callback: (() => void) | undefined;
  const handler = (): void => {
    if (requested) return;
    requested = true;
    callback?.();
  };
  for (const s of signals) process.on(s, handler);
  if (abort?.aborted) requested = true;
  else abort?.addEventListener("abort", handler, { once: true });
  return {
    get requested() {
      return requested;
    },
    onStop(cb) {
      callback = cb;
      if (requested) cb();
    },
    dispose() {
      for (const s of signals) process.off(s, handler);
      abort?.removeEventListener("abort", handler);
    },
  };
}
