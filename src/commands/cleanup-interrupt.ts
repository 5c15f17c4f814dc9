// `cleanup` on SIGINT / SIGTERM / SIGHUP. The first signal lets the store being written finish
// (its write holds the gateway's lock well under a second, and stopping it half way would leave
// a removal without its archive); no further store is read or written, our locks are released as
// every write releases them, one line says what was and was not written, and the exit code is
// 128 + the signal. A second signal exits at once, removing our temp file and locks
// (forced-exit.ts).
import type { Interrupted } from "../ui/cleanup-report.js";
import { exitAtOnce, signalExitCode } from "./forced-exit.js";
import { stopSignals, type SignalSource } from "./stop-signals.js";

export interface CleanupInterrupt {
  readonly requested: boolean;
  /** the index a write (or undo) is in progress on */
  writing: string | undefined;
  /** the indexes written before the stop */
  readonly written: string[];
  /** the indexes never read or written because of the stop */
  readonly skipped: string[];
  /** true, and `storePath` recorded as skipped, once a stop was asked: the caller goes no further with it */
  skip(storePath: string): boolean;
  /** undefined when no signal came; else the exit code (128 + signal) and the line for stderr */
  outcome(): { exitCode: number; line: string; signal: NodeJS.Signals } | undefined;
  dispose(): void;
}

export function cleanupInterrupt(source?: SignalSource): CleanupInterrupt {
  let writing: string | undefined;
  const stop = stopSignals({ source, onSecond: (sig) => exitAtOnce(sig, writing) });
  const written: string[] = [];
  const skipped: string[] = [];
  return {
    get requested() {
      return stop.requested;
    },
    get writing() {
      return writing;
    },
    set writing(p) {
      writing = p;
    },
    written,
    skipped,
    skip(storePath) {
      if (!stop.requested) return false;
      skipped.push(storePath);
      return true;
    },
    outcome() {
      const signal = stop.signal;
      if (!signal) return undefined;
      return { signal, exitCode: signalExitCode(signal), line: interruptedLine(signal, written, skipped) };
    },
    dispose: () => stop.dispose(),
  };
}

/** `--json`'s `interrupted`, present only when a stop signal came. */
export function interruptedField(i: CleanupInterrupt): { interrupted?: Interrupted } {
  const signal = i.outcome()?.signal;
  return signal ? { interrupted: { signal, written: [...i.written], skipped: [...i.skipped] } } : {};
}

export function interruptedLine(signal: NodeJS.Signals, written: readonly string[], skipped: readonly string[]): string {
  const wrote = written.length > 0 ? `wrote ${written.join(", ")}` : "wrote nothing";
  const rest = skipped.length > 0 ? `; did not read or write ${skipped.join(", ")}` : "";
  return `openclaw-sessions: interrupted by ${signal}: ${wrote}${rest}`;
}
