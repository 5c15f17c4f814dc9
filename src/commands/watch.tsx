import { Command, Option } from "commander";
import { CliError, EXIT } from "../core/errors.js";
import { gatewayWanted, openGatewayOverlay } from "../gateway/open-overlay.js";
import { withGatewayOverlay, type OverlaidSource } from "../gateway/with-overlay.js";
import { parseDurationFlag } from "../core/duration.js";
import { deriveHeartbeat } from "../core/health/index.js";
import { filterHeartbeats, parseSort, sortHeartbeats, type SortSpec } from "../core/order.js";
import type { Heartbeat } from "../core/types.js";
import { openLiveSource } from "../store/live-source.js";
import { openState, readSnapshot } from "../store/snapshot.js";
import { errorDocument } from "./json-failure.js";
import { ndjsonSnapshot, ndjsonSnapshotChunks, plainSnapshot, plainSnapshotChunks } from "../ui/snapshot.js";
import { thresholdsFor } from "../store/thresholds.js";
import { clockOverride, collect, writeChunks } from "./heartbeats.js";
import { processIo, terminalColumns, type CommandContext, type Io, type OutStream } from "./io.js";
import { addStoreOptions, pickStoreOptions, type StoreOptions } from "./options.js";
import { stopSignals, type StopSignals } from "./stop-signals.js";

export function register(program: Command, ctx: CommandContext = { io: processIo(), exit: (c) => (process.exitCode = c) }): void {
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
    .option("--gateway", "live streaming/tool states from the gateway's own events (read-only operator; pairs this tool on first use; also OPENCLAW_SESSIONS_GATEWAY=1; not with --once)")
    .addHelpText(
      "after",
      "\nKeys: ↑↓ or j/k select, enter details, f details at full height, s sort, r reverse, / filter, p problems only, space pause, ? help, q/esc/ctrl-c quit" +
        "\n\nExit codes:" +
        "\n  0   stopped (q, SIGINT, SIGTERM, SIGHUP); --once: every store was read" +
        "\n  3   a state dir or config that cannot be read at start; --once: a store that could not be" +
        "\n      read (the others are shown; nothing is written). In the live view an unreadable store" +
        "\n      is a warning, and a gateway refusing --gateway a notice: neither stops it" +
        "\n  64  bad usage (an unknown flag, a bad value, --gateway with --once)" +
        "\n  69  --gateway: our device identity cannot be read or written (its dir inside OpenClaw's state" +
        "\n      dir, an unreadable identity file)",
    );
  addStoreOptions(cmd).action(async (opts) => {
    ctx.exit(await runWatch(watchSettings(opts, ctx.io.env), ctx.io, { stop: ctx.stop }));
  });
}

/** What `watch` was asked, checked once at the edge. */
export interface WatchSettings {
  store: StoreOptions;
  json: boolean;
  once: boolean;
  problems: boolean;
  sort: SortSpec;
  /** without a terminal: a snapshot this often */
  intervalMs: number;
  stallAfter: string[];
  probe: boolean;
  gateway: boolean;
  /** OPENCLAW_SESSIONS_NOW: every verdict judged at this time instead of the wall clock */
  fixedNow?: number;
  /** with --gateway: print the first pairing and refusals (`demo` pairs with its own simulator, quietly) */
  gatewayNotices: boolean;
}

/** commander's options and the env -> settings; a bad OPENCLAW_SESSIONS_NOW or a contradiction is a usage error, before anything is read. */
export function watchSettings(opts: Record<string, any>, env: Io["env"]): WatchSettings {
  const fixedNow = clockOverride(env);
  const gateway = gatewayWanted(opts.gateway, env);
  if (opts.once && opts.gateway) throw new CliError("--gateway with --once: use `status --gateway` for one refined read", EXIT.usage);
  return {
    store: pickStoreOptions(opts),
    json: Boolean(opts.json),
    once: Boolean(opts.once),
    problems: Boolean(opts.problems),
    sort: parseSort(opts.sort ?? "activity:desc"),
    intervalMs: Math.max(50, Math.round((opts.interval ?? 2) * 1000)),
    stallAfter: opts.stallAfter ?? [],
    probe: opts.probe !== false,
    gateway,
    fixedNow,
    gatewayNotices: true,
  };
}

export interface WatchControl {
  /** ends the view or the stream as SIGTERM does */
  stop?: AbortSignal;
  /** runs once the view or the snapshot stream has stopped */
  onExit?: () => void;
}

/** Resolves with the exit code once the view is closed (q, esc, ctrl-c, SIGTERM, `stop`) or --once printed. */
export async function runWatch(s: WatchSettings, io: Io, control: WatchControl = {}): Promise<number> {
  // listening from the start: a SIGTERM during the first read still ends with exit 0
  const stop = stopSignals({ abort: control.stop });
  try {
    const env = io.env;
    const now = s.fixedNow !== undefined ? () => s.fixedNow! : Date.now;
    const read = { ...s.store, env, tmpDir: io.tmpDir, probe: s.probe };
    if (s.once) return await printOnce(read, s, io, now);
    const interactive = !s.json && Boolean(io.stdout.isTTY) && Boolean(io.stdin.isTTY);
    const files = await openLiveSource({
      ...read,
      stallAfter: s.stallAfter,
      now,
      // the live view draws the warnings that hold now in its banner: a line printed above it
      // would stay after its warning cleared
      onWarning: interactive ? undefined : (w) => io.stderr.write(`warning: ${w}\n`),
    });
    const notices = !s.gatewayNotices ? "quiet" : interactive ? "console" : "stderr";
    let source: Source;
    try {
      source = s.gateway ? withGatewayOverlay(files, openWatchOverlay(read, s.stallAfter, io, now, notices)) : files;
    } catch (err) {
      // our device identity cannot be kept (exit 69): the file watchers must not keep us running
      files.close();
      throw err;
    }
    try {
      if (stop.requested) return EXIT.ok;
      if (!interactive) return await streamSnapshots(source, stop, s, io, now);
      return await runInteractive(source, stop, s, io, now);
    } finally {
      source.close();
    }
  } finally {
    stop.dispose();
    control.onExit?.();
  }
}

type Source = Awaited<ReturnType<typeof openLiveSource>>;

/** The overlay on the gateway of this state dir's lock; its notices go where warnings go. */
function openWatchOverlay(read: NonNullable<Parameters<typeof readSnapshot>[0]>, stallAfter: string[] | undefined, io: Io, now: () => number, notices: "console" | "stderr" | "quiet") {
  const env = io.env;
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
    onNotice: (line) => (notices === "console" ? console.warn(line) : notices === "stderr" ? io.stderr.write(`${line}\n`) : undefined),
  });
}

function arrange(list: readonly Heartbeat[], sort: SortSpec, problemsOnly: boolean, now: number): Heartbeat[] {
  return sortHeartbeats(filterHeartbeats(list, { problemsOnly, now }), sort);
}

function snapshotText(list: Heartbeat[], now: number, json: boolean, out: OutStream, unread: number): string {
  return json ? ndjsonSnapshot(list, now) : plainSnapshot(list, now, { columns: terminalColumns(out), unread });
}

async function printOnce(read: Parameters<typeof readSnapshot>[0], s: WatchSettings, io: Io, now: () => number): Promise<number> {
  const { list, at, warnings, unread } = await readOnce(read, s.stallAfter, now);
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
  const arranged = arrange(list, s.sort, s.problems, at);
  // written in pieces as the pipe takes them
  await writeChunks(s.json ? ndjsonSnapshotChunks(arranged, at) : plainSnapshotChunks(arranged, at, { columns: terminalColumns(io.stdout), unread: unread.length }), io.stdout);
  // each store not read is named once, by its warning above (with why); a script reading --json
  // gets the reason after the snapshot, as the error record of a failed --json run
  if (unread.length > 0 && s.json) io.stdout.write(errorDocument(EXIT.unknown, unreadStoresMessage(unread)));
  return unread.length > 0 ? EXIT.unknown : EXIT.ok;
}

function unreadStoresMessage(unread: readonly { storePath: string; why: string }[]): string {
  return `${unread.length} store${unread.length === 1 ? "" : "s"} could not be read: ${unread.map((u) => u.why).join("; ")}`;
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
function streamSnapshots(source: Source, signals: StopSignals, s: WatchSettings, io: Io, now: () => number): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    const stop = (): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      io.stdout.off("error", onError);
      resolve(EXIT.ok);
    };
    // `watch --json | head -1`: a reader that went away ends the stream, quietly
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code !== "EPIPE") io.stderr.write(`openclaw-sessions: cannot write to stdout: ${err.code ?? err.message}\n`);
      stop();
    };
    // --gateway: why the overlay is not refining anything, said once per reason (the live view
    // shows it in its header; status --gateway says it the same way)
    let gatewayNote: string | undefined;
    const print = (): void => {
      const at = now();
      const g = (source as Partial<OverlaidSource>).gateway?.();
      const note = g && !g.connected && g.reason ? g.reason : undefined;
      if (note && note !== gatewayNote) io.stderr.write(`warning: --gateway: ${note}; showing what the files say\n`);
      gatewayNote = note;
      io.stdout.write(snapshotText(arrange(source.get(), s.sort, s.problems, at), at, s.json, io.stdout, source.unread().length));
    };
    io.stdout.on("error", onError);
    const timer = setInterval(print, s.intervalMs);
    print();
    signals.onStop(stop);
  });
}

async function runInteractive(source: Source, signals: StopSignals, s: WatchSettings, io: Io, now: () => number): Promise<number> {
  // React's development build costs several times the CPU of every frame: an idle view must stay
  // near zero. React reads NODE_ENV once, when first loaded, so the view is loaded only here (and
  // the other commands never load React or Ink at all).
  process.env.NODE_ENV ??= "production";
  const [{ createElement }, { render }, { WatchApp }] = await Promise.all([import("react"), import("ink"), import("../ui/watch/watch-app.js")]);
  const app = render(createElement(WatchApp, { source, now, initial: { problemsOnly: s.problems, sort: s.sort } }), {
    // interactive only when both are terminals: the process's own, or ones a caller opened
    stdout: io.stdout as NodeJS.WriteStream,
    stdin: io.stdin as NodeJS.ReadStream,
    stderr: io.stderr as NodeJS.WriteStream,
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
