// The read path every command shares: find the stores, gather evidence, derive heartbeats; and
// the way their big outputs are written.
import { CliError, EXIT } from "../core/errors.js";
import { deriveHeartbeat } from "../core/health/index.js";
import type { Evidence, Heartbeat, Thresholds } from "../core/types.js";
import { thresholdsFor } from "../store/thresholds.js";
import { collectAfterSessions, collectGarbage } from "../store/heap.js";
import { readSnapshot, type Snapshot } from "../store/snapshot.js";
import type { Env } from "../store/locate.js";
import type { StoreOptions } from "./options.js";

export interface HeartbeatView {
  /** what was read, but the evidence: the heartbeats say what it meant */
  snapshot: Omit<Snapshot, "evidence">;
  thresholds: Thresholds;
  now: number;
  /** one per session read, in the stores' order */
  heartbeats: Heartbeat[];
}

export interface ReadViewOptions extends StoreOptions {
  stallAfter?: string[];
  probe?: boolean;
  now?: number;
  env?: Env;
  /** where the gateway keeps its singleton lock (default os.tmpdir()) */
  tmpDir?: string;
}

export async function readHeartbeatView(opts: ReadViewOptions): Promise<HeartbeatView> {
  // a bad override is a usage error: report it before reading anything
  const fixedNow = opts.now ?? clockOverride(opts.env);
  const heartbeats: Heartbeat[] = [];
  let thresholds: Thresholds | undefined;
  // each session is judged as soon as its evidence is read, and the evidence (about 1.3 KB a
  // session, and for era C the rows' text) is dropped at once: 50,000 sessions' worth never
  // stays alive together. A live clock is read after each session's evidence, never before it.
  const eachEvidence = (config: Snapshot["config"]) => {
    const th = (thresholds = thresholdsFor({ config }, opts.stallAfter));
    return (ev: Evidence) => {
      heartbeats.push(deriveHeartbeat(ev, fixedNow ?? Date.now(), th));
    };
  };
  const dropEvidence = (n: number) => void heartbeats.splice(heartbeats.length - n, n);
  const snapshot = await readSnapshot({ ...opts, probe: opts.probe ?? true, eachEvidence, dropEvidence });
  const now = fixedNow ?? Date.now();
  const { evidence: _none, ...rest } = snapshot;
  // a JSON store's evidence is read whole before it is judged, and leaves that much garbage; era C
  // rows are judged as they are read and leave none worth a full collection (measured at 50,000
  // era C sessions: 141 MB peak with it, 144 MB without, ~30 ms CPU at 10,000 for nothing)
  if (heartbeats.length >= collectAfterSessions(opts.env) && snapshot.stores.length > 0) collectGarbage();
  return { snapshot: rest, thresholds: thresholds ?? thresholdsFor(snapshot, opts.stallAfter), now, heartbeats };
}

/**
 * OPENCLAW_SESSIONS_NOW (epoch ms, or an ISO date-time) replaces the wall clock as `now` for every
 * verdict. Verdicts depend on the time (stall thresholds, "3m ago"), so a fixed clock makes e2e
 * tests reproducible and lets a user replay a bug report against a copied state dir exactly as it
 * was judged. It does not change which processes are alive: lock owners are checked as they are now.
 */
export const NOW_ENV = "OPENCLAW_SESSIONS_NOW";

export function clockOverride(env: Record<string, string | undefined> = process.env): number | undefined {
  const text = env[NOW_ENV]?.trim();
  if (!text) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new CliError(`${NOW_ENV}="${text}" is neither epoch milliseconds nor an ISO date-time (e.g. 2026-07-01T12:00:00Z)`, EXIT.usage);
  }
  return ms;
}

/** commander collector for repeatable options like --stall-after. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Characters gathered before one write: few syscalls, never more than this queued at once, and
 * each batch small enough to be a young (cheap to collect) string.
 */
export const WRITE_BATCH_CHARS = 1 << 15;

/**
 * Writes `chunks` to `out` in batches, waiting for 'drain' whenever the stream says it is full:
 * stdout to a pipe is asynchronous in Node, and without waiting every batch would pile up in
 * memory until the reader caught up. Resolves once everything is handed to the OS; false when the
 * reader went away (EPIPE: `status --json | head`), which ends the output quietly. Any other
 * write error rejects.
 */
export async function writeChunks(chunks: Iterable<string>, out: NodeJS.WritableStream = process.stdout): Promise<boolean> {
  let failure: NodeJS.ErrnoException | undefined;
  let wake: (() => void) | undefined;
  const onError = (err: NodeJS.ErrnoException): void => {
    failure ??= err;
    wake?.();
  };
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        out.off("drain", done);
        resolve();
      };
      wake = done;
      out.on("drain", done);
    });
  // the write callback runs once these bytes are handed to the OS (or the write failed)
  const flushed = (text: string) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      out.write(text, () => resolve());
    });
  out.on("error", onError);
  try {
    let parts: string[] = [];
    let size = 0;
    for (const chunk of chunks) {
      if (failure) break;
      parts.push(chunk);
      size += chunk.length;
      if (size < WRITE_BATCH_CHARS) continue;
      const text = parts.join("");
      parts = [];
      size = 0;
      if (!out.write(text) && !failure) await drained();
    }
    // the error listener stays until the last byte is out: a reader leaving late is an EPIPE too
    if (!failure) await flushed(parts.join(""));
  } finally {
    out.off("error", onError);
    // a failed stream may still report writes that were under way: they are known already
    if (failure) out.on("error", () => {});
  }
  if (failure && failure.code !== "EPIPE") throw failure;
  return !failure;
}
