// A signal the user will not wait out (a second one while stopping) ends the process at once;
// what the writer holds for us on the index being written (our temp file, our lock, the era A
// gateway lock naming our pid) is removed first, synchronously, so nothing of ours is left.
import os from "node:os";
import { removeOurWriterLocks } from "../store/loop-lock.js";
import { removeOurTempFiles } from "../store/writer/atomic-write.js";
import { realIndexPath } from "../store/writer/real-path.js";

/** The shell's convention: 128 + the signal's number (SIGHUP 129, SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

/** `writing`: the index a write is in progress on, if any. Never returns. */
export function exitAtOnce(signal: NodeJS.Signals, writing: string | undefined): never {
  if (writing) {
    // temp files sit beside the real index, where the writer made them
    removeOurTempFiles(realIndexPath(writing));
    removeOurWriterLocks(writing);
  }
  process.exit(signalExitCode(signal));
}
