// A full garbage collection on request, for commands that work through big stores one at a time.
// On a machine with 8 GB of RAM or more, V8 lets the old generation grow to four times its live
// size before it collects: 50,000 sessions read store by store then peak at 330 MB although no
// more than one store (about 80 MB) is ever alive. Collecting once between two big stores keeps
// the peak at what is alive (about 250 MB). `--expose-gc` may be set at run time: it only makes
// the `gc` function available to contexts created after it, which is all it is used for here.
import v8 from "node:v8";
import vm from "node:vm";

/** A store smaller than this leaves too little garbage to be worth a full collection. */
export const COLLECT_AFTER_SESSIONS = 5_000;

/**
 * A lower threshold for tests (a positive integer; anything else is ignored): the same collection
 * path, between the same stores, proven with stores of tens of sessions instead of thousands.
 */
export const COLLECT_AFTER_ENV = "OPENCLAW_SESSIONS_COLLECT_AFTER";

export function collectAfterSessions(env: Record<string, string | undefined> = process.env): number {
  const text = env[COLLECT_AFTER_ENV]?.trim() ?? "";
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : COLLECT_AFTER_SESSIONS;
}

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    const own = (globalThis as { gc?: () => void }).gc;
    if (own) {
      gc = own;
    } else {
      v8.setFlagsFromString("--expose-gc");
      gc = vm.runInNewContext("gc") as () => void;
    }
  }
  gc();
}

/**
 * Keeps V8's young generation at its starting size. V8 doubles it (up to 2 x 32 MB) whenever
 * more bytes survive its scavenges than it holds, and every session this tool keeps (a heartbeat,
 * a watched entry) survives one: at 10,000 sessions the young generation alone was 64 MB of a
 * 152 MB peak. Collections stay cheap at the small size (they copy only what survives, and most
 * of what is read dies young): measured 101-110 MB peak at 10,000 era C sessions, no more CPU.
 * The flag is read at each growth, so setting it at start-up is enough; V8 has had it since 2014.
 */
export function keepYoungGenerationSmall(): void {
  v8.setFlagsFromString("--semi-space-growth-factor=1");
}
