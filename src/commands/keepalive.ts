// `openclaw-sessions keepalive`: keep genuinely working sessions from expiring under OpenClaw's
// idle reset and pruneAfter, without the damage of a naive loop (see docs/keepalive.md). Each
// tick is in keepalive-tick.ts; this file is options, the one-loop-per-store lock, the clock and
// the signals.
import { Command, Option } from "commander";
import { parseDurationFlag } from "../core/duration.js";
import { CliError, EXIT, WriteRefusedError } from "../core/errors.js";
import { DEFAULT_ACTIVITY_THRESHOLD_MS, type TouchField } from "../core/plan/keepalive.js";
import { refreshWindow } from "../core/keepalive-schedule.js";
import { onOutputClosed } from "../ui/closed-pipe.js";
import { formatLine, KEEPALIVE_SCHEMA_VERSION, type LogRecord } from "../ui/keepalive-log.js";
import { clockOverride } from "./heartbeats.js";
import { eraCKeepaliveNotice } from "./keepalive-era-c.js";
import { runtimeMissing } from "../store/sqlite/runtime.js";
import { importPendingMessage } from "../store/era.js";
import { nothingToActOn } from "../ui/messages.js";
import { ensureLoopLock, KeepaliveState, locateStores, onceExitCode, runTick, storeChanges, type KeepaliveSettings } from "./keepalive-tick.js";
import { exitAtOnce } from "./forced-exit.js";
import { processIo, type CommandContext, type Io } from "./io.js";
import { addStoreOptions, pickStoreOptions } from "./options.js";
import { stopSignals } from "./stop-signals.js";

const FIELDS: readonly TouchField[] = ["updatedAt", "lastInteractionAt"];
const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 86_400_000;

const EXIT_HELP = `
Exit codes:
  0    stopped by SIGINT, SIGTERM or SIGHUP (the tick in progress is finished or abandoned first);
       --once: every store was handled; only OpenClaw 2026.8+ (SQLite) stores: said once why
       nothing is kept alive there (they are never written)
  3    a state dir or config that cannot be read at start; --once: a JSON-era store could not be
       read (nothing written; era C stores are never read by keepalive, so never make it 3), or
       nothing to check (no session store found: an empty state dir, --agent naming no agent)
  4    --once: a write was refused or failed (that index is unchanged): OpenClaw's own
       sessions.json.lock held by its gateway (the lock and its holder are named), a touch due in
       a store whose pid file this user cannot create (read-only, another user's directory)
  5    another keepalive already runs on a selected store (its pid is named); --once: another
       openclaw-sessions process (cleanup) was writing a store
  64   bad usage (a bad value, contradicting flags)
  129, 130, 143  a second SIGHUP, SIGINT or SIGTERM while stopping: exits at once, our locks and
       temp files removed

A missing or corrupt index, a config error, a store this user cannot write (its pid file cannot
be created) or a lost write race in the loop is logged and retried (races back off); it never
stops the loop. See docs/keepalive.md.`;

export function register(program: Command, ctx: CommandContext = { io: processIo(), exit: (c) => (process.exitCode = c) }): void {
  const cmd = program
    .command("keepalive")
    .description("keep sessions that are really working from expiring (idle reset, pruneAfter): touches only those, only when needed, through the safe writer")
    .option("--interval <duration>", "time between ticks (bare number = seconds, fractions allowed, e.g. 0.5 or 2m; at least 0.1s)", "60")
    .option("--activity-threshold <duration>", "a session whose files changed this recently counts as active (bare number = minutes)", "10m")
    .option("--refresh-after <duration>", "rewrite a kept-alive field once it is this old (bare number = minutes; default: the activity threshold, at most half of idle reset and of pruneAfter)")
    .option("--fields <list>", "fields a touch sets, comma-separated: updatedAt,lastInteractionAt", FIELDS.join(","))
    .option("--dry-run", "plan and log, never write (takes no lock)")
    .option("--once", "run one tick and exit (exit 3 unreadable, 4 refused or OpenClaw's lock held, 5 another openclaw-sessions on the store)")
    .option("--json", "one NDJSON record per line (schemaVersion 1, epoch ms)")
    .addOption(new Option("--no-probe", "do not probe the gateway's /healthz"))
    .addHelpText("after", EXIT_HELP);
  addStoreOptions(cmd).action(async (opts) => {
    ctx.exit(await runKeepalive(keepaliveSettings(opts, ctx.io.env), { ...ctx.io, stop: ctx.stop }));
  });
}

function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

export function parseInterval(text: string): number {
  return parseDurationFlag("--interval", text, "period", { minMs: MIN_INTERVAL_MS, maxMs: MAX_INTERVAL_MS });
}

export function parsePositiveDuration(flag: string, text: string): number {
  return parseDurationFlag(flag, text, "age");
}

export function parseFields(text: string): TouchField[] {
  const names = String(text)
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  const bad = names.filter((f) => !(FIELDS as readonly string[]).includes(f));
  if (names.length === 0 || bad.length > 0) {
    throw usage(`--fields takes ${FIELDS.join(", ")} (comma-separated; got "${text}")`);
  }
  return [...new Set(names)] as TouchField[];
}

/** What `keepalive` was asked, checked once: the loop never sees commander's options. */
export interface KeepaliveCommandSettings extends KeepaliveSettings {
  /** --once: one tick, its outcome as the exit code */
  once: boolean;
  json: boolean;
}

/** commander's options and the env -> settings; a bad value or a contradiction is a usage error (64) before anything is read. */
export function keepaliveSettings(opts: Record<string, any>, env: Io["env"]): KeepaliveCommandSettings {
  return { ...settingsFrom(opts, env), once: Boolean(opts.once), json: Boolean(opts.json) };
}

export function settingsFrom(opts: Record<string, any>, env: NodeJS.ProcessEnv = process.env): KeepaliveSettings {
  const intervalMs = parseInterval(opts.interval);
  return {
    store: pickStoreOptions(opts),
    intervalMs,
    activityThresholdMs: opts.activityThreshold !== undefined ? parsePositiveDuration("--activity-threshold", opts.activityThreshold) : DEFAULT_ACTIVITY_THRESHOLD_MS,
    refreshAfterMs: opts.refreshAfter !== undefined ? parsePositiveDuration("--refresh-after", opts.refreshAfter) : undefined,
    fields: parseFields(opts.fields ?? FIELDS.join(",")),
    dryRun: Boolean(opts.dryRun),
    probe: opts.probe !== false,
    env,
    fixedNow: clockOverride(env),
    // an era A gateway holds its lock for milliseconds; longer means trouble: back off instead
    gatewayLockWaitMs: Math.min(Math.max(intervalMs, 1_000), 3_000),
    maxBackoffMs: Math.max(intervalMs, 5 * 60_000),
    random: Math.random,
  };
}

/** The streams and env of every command, and where the loop's stop signals come from (default: the process). */
export interface KeepaliveIo extends Io {
  /** the command context's stop (tests, `demo`): asks the loop to stop as a first SIGTERM does */
  stop?: AbortSignal;
}

export async function runKeepalive(settings: KeepaliveCommandSettings, io: KeepaliveIo = processIo()): Promise<number> {
  const s = { ...settings, tmpDir: settings.tmpDir ?? io.tmpDir };
  const json = s.json;
  const log = (rec: LogRecord) => void io.stdout.write(`${formatLine(rec, json)}\n`);
  const state = new KeepaliveState();

  // the stores as they are now: a usage error (--store with --agent), a state dir or --store that
  // is not there, stops here, before any lock
  const first = locateStores(s, true);
  // what is there at start: its era C stores are said by the notice below, not as a change
  storeChanges(first, state);
  // nothing to loop over (only era C stores, or indexes awaiting OpenClaw 2026.8+'s import): each
  // is said once, and that is a successful run
  const nothingToLoop = first.stores.length === 0 && (first.eraC.length > 0 || first.importPending.length > 0);
  if (nothingToLoop) {
    for (const store of first.importPending) {
      const message = importPendingMessage(store);
      io.stdout.write(`${json ? JSON.stringify({ schemaVersion: KEEPALIVE_SCHEMA_VERSION, type: "importPending", agentId: store.agentId, storePath: store.storePath, message }) : `keepalive: ${message}`}\n`);
    }
  }
  if (first.eraC.length > 0) {
    const unreadableOn = runtimeMissing() === undefined ? undefined : process.versions.node;
    const notice = eraCKeepaliveNotice(first.eraC, first.config, s.fixedNow ?? Date.now(), first.stores.length > 0, unreadableOn);
    io.stdout.write(`${json ? JSON.stringify({ schemaVersion: KEEPALIVE_SCHEMA_VERSION, ...notice }) : `keepalive: ${notice.message}`}\n`);
  }
  if (nothingToLoop) return EXIT.ok;
  // SIGINT / SIGTERM / SIGHUP: the first asks the loop to stop after (or instead of) the tick in progress
  const stopper = stopSignals({
    source: io.signals,
    abort: io.stop,
    onSecond: (sig) => {
      // a second signal: leave nothing behind that is ours, then go
      state.releaseAll();
      exitAtOnce(sig, state.writing);
    },
  });
  // nobody reads the log any more (`keepalive | head -1`): stop as the first SIGTERM would
  const unsubscribeOutput = onOutputClosed(() => stopper.request());
  try {
    // stores whose loop lock this user cannot create: logged and skipped, not fatal
    const unlockable: string[] = [];
    if (!s.dryRun) {
      for (const store of first.stores) {
        try {
          // one loop per store: a second keepalive says who holds it and exits (busy, 5)
          ensureLoopLock(state, store.storePath);
        } catch (err) {
          // a read-only mount or another user's directory is one failing agent, not a reason to
          // leave every other agent to expire: each tick reads it and says why it is not written
          if (!(err instanceof WriteRefusedError)) throw err;
          unlockable.push(`agent ${store.agentId}: ${err.message}; its sessions are read every tick but not written until this can be created`);
        }
      }
    }
    if (s.once) return await once(s, state, log);

    const window = refreshWindow({
      intervalMs: s.intervalMs,
      activityThresholdMs: s.activityThresholdMs,
      overrideMs: s.refreshAfterMs,
      fields: s.fields,
      config: first.config,
    });
    log({
      type: "start",
      at: s.fixedNow ?? Date.now(),
      pid: process.pid,
      intervalMs: s.intervalMs,
      activityThresholdMs: s.activityThresholdMs,
      freshWithinMs: window.freshWithinMs,
      fields: s.fields,
      dryRun: s.dryRun,
      once: false,
      // the stores the loop keeps alive: those it holds the loop lock of (a dry run takes none, and writes none)
      stores: s.dryRun ? first.stores.map((st) => st.storePath) : [...state.locks.values()].map((l) => l.storePath),
      warnings: state.fresh([...first.warnings, ...unlockable, ...window.warnings]),
    });
    while (!stopper.requested) {
      const started = Date.now();
      log(await runTick(s, state, () => stopper.requested));
      // a slow tick (a write waits for locks, then checks it survived) is still followed by a
      // rest, so a user's own `cleanup` is never starved of the store's lock by back-to-back ticks
      await stopper.sleep(Math.max(s.intervalMs - (Date.now() - started), s.intervalMs / 4));
    }
    log({ type: "stop", at: s.fixedNow ?? Date.now(), ticks: state.ticks, writes: state.writes, signal: stopper.signal });
    return EXIT.ok;
  } finally {
    state.releaseAll();
    unsubscribeOutput();
    stopper.dispose();
  }

  async function once(settings: KeepaliveSettings, st: KeepaliveState, write: (rec: LogRecord) => void): Promise<number> {
    const rec = await runTick(settings, st, () => stopper.requested);
    // one tick: there is no next one to retry in, so none is promised
    for (const store of rec.stores) delete store.retryInMs;
    write(rec);
    if (stopper.requested) return EXIT.ok;
    // exit 3 with no store to keep alive: one line on stderr says why, as status --check and cleanup do
    if (rec.stores.length === 0) io.stderr.write(`openclaw-sessions: ${nothingToActOn("keep alive", rec.warnings, first.stateDir)}\n`);
    return onceExitCode(rec);
  }
}
