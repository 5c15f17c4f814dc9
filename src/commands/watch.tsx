import { Command, Option } from "commander";
import { CliError, EXIT } from "../core/errors.js";
import { gatewayWanted, openGatewayOverlay } from "../gateway/open-overlay.js";
import { withGatewayOverlay } from "../gateway/with-overlay.js";
import { parseDurationFlag } from "../core/duration.js";
import { deriveHeartbeat } from "../core/health/index.js";
import { filterHeartbeats, parseSort, sortHeartbeats, type SortSpec } from "../core/order.js";
import type { Heartbeat } from "../core/types.js";
import type { Env } from "../store/locate.js";
import { openLiveSource } from "../store/live-source.js";
import { openState, readSnapshot } from "../store/snapshot.js";
import { unreadStoreMessage } from "../ui/messages.js";
import { ndjsonSnapshot, ndjsonSnapshotChunks, plainSnapshot, plainSnapshotChunks } from "../ui/snapshot.js";
import { clockOverride, collect, thresholdsFor, writeChunks } from "./heartbeats.js";
import { addStoreOptions, pickStoreOptions } from "./options.js";
import { stopSignals, type StopSignals } from "./stop-signals.js";

export function register(program: Command): void {
  const cmd = program
    .command("watch")
    .description("live view of every session's health, pushed by file changes (plain snapshots when not on a terminal)")
    .option("--interval <duration>", "without a terminal: print a snapshot this often (bare number = seconds, e.g. 2 or 1m)", seconds, 2)
    .option("--once", "print one snapshot and exit")
    .option("--json", "NDJSON: one snapshot document (schemaVersion 1) per line, instead of the live view")
    .option("--problems", "only stalled and unresponsive sessions (p toggles it in the live view)")
    .option("--sort <field[:dir]>", "activity|elapsed|session|agent|state|health|model, :asc or :desc", "activity:desc")
    .option("--stall-after <duration|state=duration>", "stall threshold (default diagnostics.stuckSessionWarnMs, else 2m); repeatable", collect, [])
    .addOption(new Option("--no-probe", "do not probe the gateway's /healthz"))
    .option("--gateway", "live streaming/tool states from the gateway's own events (read-only operator; pairs this tool on first use; also OPENCLAW_SESSIONS_GATEWAY=1)")
    .addHelpText(
      "after",
      "\nKeys: ↑↓ or j/k select, enter details, s sort, r reverse, / filter, p problems only, space pause, ? help, q/esc/ctrl-c quit",
    );
  addStoreOptions(cmd).action(async (opts) => {
    process.exitCode = await runWatch(opts);
  });
}

export interface WatchOptions extends Record<string, any> {
  /** `demo` points the view at its simulated state dir and gateway lock dir */
  stateDir?: string;
  tmpDir?: string;
  env?: Env;
  /** runs once the view or the snapshot stream has stopped */
  onExit?: () => void;
  /** with --gateway: print the first pairing and refusals (default true; `demo` pairs with its own simulator) */
  gatewayNotices?: boolean;
}

/** Resolves with the exit code once the view is closed (q, esc, ctrl-c, SIGTERM) or --once printed. */
export async function runWatch(opts: WatchOptions): Promise<number> {
  // listening from the start: a SIGTERM during the first read still ends with exit 0
  const stop = stopSignals();
  try {
    const sort = parseSort(opts.sort ?? "activity:desc");
    const env = opts.env ?? process.env;
    // a bad OPENCLAW_SESSIONS_NOW is a usage error, reported before anything is read
    const fixedNow = clockOverride(env);
    const now = fixedNow !== undefined ? () => fixedNow : Date.now;
    const read = { ...pickStoreOptions(opts), env, tmpDir: opts.tmpDir, probe: opts.probe !== false };
    const problemsOnly = Boolean(opts.problems);
    const useGateway = gatewayWanted(opts.gateway, env);
    if (opts.once && opts.gateway) throw new CliError("--gateway with --once: use `status --gateway` for one refined read", EXIT.usage);
    if (opts.once) return await printOnce(read, opts, sort, problemsOnly, now);
    const interactive = !opts.json && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY);
    const files = await openLiveSource({
      ...read,
      stallAfter: opts.stallAfter,
      now,
      // the live view draws the warnings that hold now in its banner: a line printed above it
      // would stay after its warning cleared
      onWarning: interactive ? undefined : (w) => process.stderr.write(`warning: ${w}\n`),
    });
    const notices = opts.gatewayNotices === false ? "quiet" : interactive ? "console" : "stderr";
    const source = useGateway ? withGatewayOverlay(files, openWatchOverlay(read, opts.stallAfter, env, now, notices)) : files;
    // a JSON store's warning (and, in the live view, the banner) names it already
    if (!interactive) for (const store of source.unread()) if (store.era === "C") process.stderr.write(`${unreadStoreMessage(store)}\n`);
    try {
      if (stop.requested) return EXIT.ok;
      if (!interactive) return await streamSnapshots(source, stop, opts, sort, problemsOnly, now);
      return await runInteractive(source, stop, sort, problemsOnly, now);
    } finally {
      source.close();
    }
  } finally {
    stop.dispose();
    opts.onExit?.();
  }
}

type Source = Awaited<ReturnType<typeof openLiveSource>>;

/** The overlay on the gateway of this state dir's lock; its notices go where warnings go. */
function openWatchOverlay(read: NonNullable<Parameters<typeof readSnapshot>[0]>, stallAfter: string[] | undefined, env: Env, now: () => number, notices: "console" | "stderr" | "quiet") {
  const state = openState(read, env);
  return openGatewayOverlay({
    configPath: state.configPath,
    config: state.config,
    openclawStateDir: state.stateDir,
    thresholds: thresholdsFor(state, stallAfter),
    tmpDir: read.tmpDir,
    env,
    now,
    // while Ink draws, console output is placed above the view instead of tearing it
    onNotice: (line) => (notices === "console" ? console.warn(line) : notices === "stderr" ? process.stderr.write(`${line}\n`) : undefined),
  });
}

function arrange(list: readonly Heartbeat[], sort: SortSpec, problemsOnly: boolean, now: number): Heartbeat[] {
  return sortHeartbeats(filterHeartbeats(list, { problemsOnly, now }), sort);
}

function snapshotText(list: Heartbeat[], now: number, json: boolean): string {
  return json ? ndjsonSnapshot(list, now) : plainSnapshot(list, now, { columns: process.stdout.isTTY ? process.stdout.columns : undefined });
}

async function printOnce(
  read: Parameters<typeof readSnapshot>[0],
  opts: WatchOptions,
  sort: SortSpec,
  problemsOnly: boolean,
  now: () => number,
): Promise<number> {
  const { list, at, warnings, unread } = await readOnce(read, opts.stallAfter, now);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const arranged = arrange(list, sort, problemsOnly, at);
  // written in pieces as the pipe takes them
  await writeChunks(opts.json ? ndjsonSnapshotChunks(arranged, at) : plainSnapshotChunks(arranged, at, { columns: process.stdout.isTTY ? process.stdout.columns : undefined }));
  // a JSON store's warning above already named it and said why
  for (const store of unread) if (store.era === "C") process.stderr.write(`${unreadStoreMessage(store)}\n`);
  return unread.length > 0 ? EXIT.unknown : EXIT.ok;
}

/** The heartbeats of one snapshot; its evidence is not kept once they are derived. */
async function readOnce(read: Parameters<typeof readSnapshot>[0], stallAfter: string[] | undefined, now: () => number) {
  const snapshot = await readSnapshot(read);
  const thresholds = thresholdsFor(snapshot, stallAfter);
  const at = now();
  const list = snapshot.evidence.map((ev) => deriveHeartbeat(ev, at, thresholds));
  return { list, at, warnings: snapshot.warnings, unread: snapshot.unread };
}

/** No terminal on one side: a log-friendly snapshot per interval, until a signal or a closed pipe. */
function streamSnapshots(source: Source, signals: StopSignals, opts: WatchOptions, sort: SortSpec, problemsOnly: boolean, now: () => number): Promise<number> {
  const json = Boolean(opts.json);
  const intervalMs = Math.max(50, Math.round((opts.interval ?? 2) * 1000));
  return new Promise((resolve) => {
    let done = false;
    const stop = (): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      process.stdout.off("error", onError);
      resolve(EXIT.ok);
    };
    // `watch --json | head -1`: a reader that went away ends the stream, quietly
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code !== "EPIPE") process.stderr.write(`openclaw-sessions: cannot write to stdout: ${err.code ?? err.message}\n`);
      stop();
    };
    const print = (): void => {
      const at = now();
      process.stdout.write(snapshotText(arrange(source.get(), sort, problemsOnly, at), at, json));
    };
    process.stdout.on("error", onError);
    const timer = setInterval(print, intervalMs);
    print();
    signals.onStop(stop);
  });
}

async function runInteractive(source: Source, signals: StopSignals, sort: SortSpec, problemsOnly: boolean, now: () => number): Promise<number> {
  // React's development build costs several times the CPU of every frame: an idle view must stay
  // near zero. React reads NODE_ENV once, when first loaded, so the view is loaded only here (and
  // the other commands never load React or Ink at all).
  process.env.NODE_ENV ??= "production";
  const [{ createElement }, { render }, { WatchApp }] = await Promise.all([import("react"), import("ink"), import("../ui/watch/watch-app.js")]);
  const app = render(createElement(WatchApp, { source, now, initial: { problemsOnly, sort } }), {
    // the view quits on ctrl-c itself, so it always unmounts (and restores the terminal) first
    exitOnCtrlC: false,
    // Ink 6.8's incremental mode misplaces lines when a frame spans the terminal's full width
    // (seen in tmux: footers stacked, rows repeated); the full redraw of <= rows-1 lines is cheap
    incrementalRendering: false,
  });
  // unmounting restores the cursor and the terminal's line mode before the process ends
  signals.onStop(() => app.unmount());
  await app.waitUntilExit();
  return EXIT.ok;
}

function seconds(value: string): number {
  return parseDurationFlag("--interval", value, "period") / 1000;
}
