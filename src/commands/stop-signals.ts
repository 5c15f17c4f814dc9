// Ending a long-running command on a signal: the first SIGTERM, SIGINT or SIGHUP (its terminal,
// tmux session or SSH connection going away) requests a clean stop, which the command finishes on its own terms (exit 0). Listening starts
// at once, so a signal during start-up is not lost. An AbortSignal (a caller in the same process,
// e.g. `demo` stopping its `watch`, or a test) and `request()` (our reader went away) count as a
// first signal. A second signal while stopping is someone who will not wait: `onSecond` (where
// given) leaves nothing of ours behind and exits at once.

/** Where signals come from: the process, or a test's emitter. */
export interface SignalSource {
  on(signal: NodeJS.Signals, handler: () => void): unknown;
  off(signal: NodeJS.Signals, handler: () => void): unknown;
}

export interface StopSignalsOptions {
  signals?: readonly NodeJS.Signals[];
  source?: SignalSource;
  abort?: AbortSignal;
  /** a signal after the first: the command exits at once (never returns to the caller) */
  onSecond?: (signal: NodeJS.Signals) => void;
}

export interface StopSignals {
  readonly requested: boolean;
  /** the signal that asked first; undefined when nothing did or the stop came from the caller */
  readonly signal: NodeJS.Signals | undefined;
  /** settles on the first request */
  readonly promise: Promise<void>;
  /** cb runs on the first request (at once if one already came) */
  onStop(cb: () => void): void;
  /** ask to stop as a first signal would, recording why (e.g. SIGPIPE: our reader went away) */
  request(signal?: NodeJS.Signals): void;
  /** resolves after ms, or at once when a stop is (or gets) requested */
  sleep(ms: number): Promise<void>;
  dispose(): void;
}

export const DEFAULT_STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP"];

export function stopSignals(options: StopSignalsOptions = {}): StopSignals {
  const { signals = DEFAULT_STOP_SIGNALS, source = process, abort, onSecond } = options;
  let requested = false;
  let signal: NodeJS.Signals | undefined;
  // a Set: a long loop's sleeps that ran out take their wake-up with them
  const callbacks = new Set<() => void>();
  let settle!: () => void;
  const promise = new Promise<void>((resolve) => (settle = resolve));
  const request = (sig?: NodeJS.Signals): void => {
    if (requested) return;
    requested = true;
    signal = sig;
    settle();
    const pending = [...callbacks];
    callbacks.clear();
    for (const cb of pending) cb();
  };
  const handlers = signals.map((sig) => {
    const h = (): void => {
      if (requested && onSecond) onSecond(sig);
      else request(sig);
    };
    source.on(sig, h);
    return [sig, h] as const;
  });
  const onAbort = (): void => request();
  if (abort?.aborted) request();
  else abort?.addEventListener("abort", onAbort, { once: true });
  return {
    get requested() {
      return requested;
    },
    get signal() {
      return signal;
    },
    promise,
    onStop(cb) {
      if (requested) cb();
      else callbacks.add(cb);
    },
    request,
    sleep(ms) {
      if (requested || ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          callbacks.delete(wake);
          resolve();
        }, ms);
        callbacks.add(wake);
      });
    },
    dispose() {
      for (const [sig, h] of handlers) source.off(sig, h);
      abort?.removeEventListener("abort", onAbort);
    },
  };
}
