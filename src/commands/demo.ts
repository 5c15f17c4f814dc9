// `openclaw-sessions demo`: a simulated OpenClaw gateway writes a realistic store into a temp dir
// and `watch` shows it live; on exit the gateway and its runner processes stop and the temp dir
// goes. `demo --generate N --out DIR` writes a static store instead (benchmarks, bug reports).
import path from "node:path";
import { Command, Option } from "commander";
import { formatDuration, parseDurationFlag } from "../core/duration.js";
import { CliError, EXIT, UnreadableError } from "../core/errors.js";
import { runtimeMissing } from "../store/sqlite/runtime.js";
import { wholeNumberFlag } from "./options.js";
import { adviseCleanup, demoEnv, shellLine, type CleanupAdvice } from "../sim/demo-cleanup.js";
import { claimEmptyDir, makeDemoWorkspace, removeDemoWorkspace, type DemoWorkspace } from "../sim/demo-workspace.js";
import { SimulatedGateway } from "../sim/gateway.js";
import { generateStore, type Manifest } from "../sim/generate.js";
import { startServe, type RunningServe } from "./serve.js";
import { generateEraCStore, type EraCManifest } from "../sim/era-c/generate.js";
import { processIo, type CommandContext, type Io } from "./io.js";
import { runWatch, watchSettings } from "./watch.js";
import { stopSignals, type StopSignals } from "./stop-signals.js";

export const DEMO_DEFAULTS = {
  /** every scenario once, then a few from the realistic mix */
  sessions: 16,
  /** OpenClaw's 2 min stall warning after 12 s: every state and health within the first 15 s */
  speed: 10,
  seed: 1,
  /** without a terminal the demo must end by itself */
  plainDurationMs: 20_000,
  intervalMs: 3_000,
} as const;

const BIG_FILE_BYTES = 24 * 1024 * 1024;
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const EXIT_HELP = `
Without a terminal (CI, pipes) it prints a plain snapshot every --interval for --duration
(default ${DEMO_DEFAULTS.plainDurationMs / 1000}s); on a terminal it runs until you press q. SIGINT/SIGTERM stop it
cleanly: the simulator and its processes stop, the temp dir is removed, exit 0.

Exit codes:
  0   the demo ran and cleaned up (also after SIGINT/SIGTERM)
  3   --era C on a Node that cannot read OpenClaw 2026.8+'s SQLite store (it needs Node 24; nothing was written)
  4   --keep or --out names a directory that is not empty, or a file (nothing was written)
  64  bad usage (an unknown flag, a bad value)`;

export function register(program: Command, ctx: CommandContext = { io: processIo(), exit: (c) => (process.exitCode = c) }): void {
  program
    .command("demo")
    .description("a simulated OpenClaw gateway writing a realistic store in a temp dir, watched live; removed on exit")
    .option("--sessions <n>", `simulated sessions (default ${DEMO_DEFAULTS.sessions}: every scenario once, then a realistic mix)`)
    .option("--speed <x>", `timeline speed-up (default ${DEMO_DEFAULTS.speed}: OpenClaw's 2 min stall warning comes after ${120 / DEMO_DEFAULTS.speed}s)`)
    .option("--duration <duration>", "stop after this long (bare number = seconds; default 20s without a terminal, else until q)")
    .option("--interval <duration>", `time between plain snapshots without a terminal (bare number = seconds; default ${DEMO_DEFAULTS.intervalMs / 1000})`)
    .option("--keep <dir>", "write the demo's state dir here (a new or empty dir) and keep it")
    .option("--seed <n>", "simulation seed (same seed, same sessions)")
    .option("--generate <n>", "instead: write a static store of N sessions (with --out), for benchmarks and bug reports")
    .option("--out <dir>", "with --generate: the state dir to write (a new or empty dir)")
    .option("--big-files <n>", "with --generate: sessions with huge transcript + trajectory files (~30 MB each; default 1 per 100 sessions, none below 100)")
    .option("--era <era>", "B (default): OpenClaw 2026.7 files, a live simulated gateway; C: an OpenClaw 2026.9 SQLite store left by a killed gateway (needs Node 24)")
    .addOption(new Option("--no-color", "no colour (also: NO_COLOR=1)"))
    .addHelpText("after", EXIT_HELP)
    .action(async (opts) => {
      ctx.exit(await runDemo(demoRequest(opts, isInteractive(ctx.io)), ctx.io));
    });
}

/** On a terminal the live view runs until q; elsewhere the demo must end by itself. */
function isInteractive(io: Io): boolean {
  return Boolean(io.stdout.isTTY && io.stdin.isTTY);
}

export interface DemoSettings {
  sessions: number;
  speed: number;
  seed: number;
  /** undefined: until the user quits (terminal only) */
  durationMs: number | undefined;
  intervalMs: number;
  keep?: string;
}

function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

function duration(flag: string, text: unknown, minMs: number): number {
  return parseDurationFlag(flag, text, "period", { minMs });
}

export function demoSettings(opts: Record<string, any>, interactive: boolean): DemoSettings {
  for (const flag of ["out", "bigFiles"] as const) {
    if (opts[flag] !== undefined) throw usage(`--${flag === "out" ? "out" : "big-files"} goes with --generate`);
  }
  const speed = Number(opts.speed ?? DEMO_DEFAULTS.speed);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 1000) throw usage(`--speed takes a number above 0, at most 1000 (got "${opts.speed}")`);
  return {
    sessions: opts.sessions !== undefined ? wholeNumberFlag("--sessions", opts.sessions, 1, 2000) : DEMO_DEFAULTS.sessions,
    speed,
    seed: opts.seed !== undefined ? wholeNumberFlag("--seed", opts.seed, 0, 2 ** 31 - 1) : DEMO_DEFAULTS.seed,
    durationMs: opts.duration !== undefined ? duration("--duration", opts.duration, 100) : interactive ? undefined : DEMO_DEFAULTS.plainDurationMs,
    intervalMs: opts.interval !== undefined ? duration("--interval", opts.interval, 100) : DEMO_DEFAULTS.intervalMs,
    keep: opts.keep,
  };
}

export interface GenerateSettings {
  sessions: number;
  /** as given: claimed (made, or checked empty) only when the command runs */
  out: string;
  bigFiles: number;
  seed: number;
}

/** What `demo` was asked: the live demo of an era, or a static store to generate; checked once, before anything runs. */
export type DemoRequest = { era: "B" | "C"; live: DemoSettings; interactive: boolean } | { era: "B" | "C"; generate: GenerateSettings };

export function demoRequest(opts: Record<string, any>, interactive: boolean): DemoRequest {
  const era = demoEra(opts.era);
  if (opts.generate !== undefined) return { era, generate: generateSettings(opts, era) };
  return { era, live: demoSettings(opts, interactive), interactive };
}

export async function runDemo(req: DemoRequest, io: Io): Promise<number> {
  // before any directory is made or claimed: a retry on Node 24 then finds --out/--keep still empty
  const missing = req.era === "C" ? runtimeMissing() : undefined;
  if (missing) throw new UnreadableError(`demo --era C: ${missing}; nothing was written`);
  if ("generate" in req) return runGenerate(req.generate, io, req.era);
  const { live: s, interactive, era } = req;
  if (era === "C") return runEraCDemo(s, io, interactive);

  let ws: DemoWorkspace | undefined;
  let gateway: SimulatedGateway | undefined;
  let advicePid: number | undefined;
  // SIGINT / SIGTERM / SIGHUP: the first ends the demo the normal way
  const stop = stopSignals({
    signals: SIGNALS,
    onSecond: () => {
      // a second signal: no advice, no waiting; still leave nothing behind
      for (const pid of [...(gateway?.childPids() ?? []), ...(advicePid !== undefined ? [advicePid] : [])]) killQuietly(pid);
      if (ws) removeDemoWorkspace(ws);
      process.exit(EXIT.ok);
    },
  });
  // `demo | head`: a reader that went away ends the demo the normal way (and output stops)
  let outputClosed = false;
  io.stdout.on("error", () => {
    outputClosed = true;
    stop.request("SIGPIPE");
  });
  const write = (text: string) => {
    if (!outputClosed) io.stdout.write(text);
  };
  let runners: number[] = [];
  let api: RunningServe | undefined;
  try {
    ws = makeDemoWorkspace(s.keep);
    // the simulated gateway also speaks the WebSocket subset, so the view shows streaming and tools live
    const g = new SimulatedGateway({ stateDir: ws.stateDir, tmpDir: ws.tmpDir, sessions: s.sessions, speed: s.speed, seed: s.seed, loop: true, websocket: true });
    gateway = g;
    g.on("event", (e) => {
      if (e.type === "error") io.stderr.write(`demo: simulator: ${e.message}\n`);
    });
    await g.start();
    // `serve` beside it, on a free port: the same sessions over HTTP, WebSocket and SSE
    api = await startDemoServe(ws, io);
    write(intro(s, ws, g, interactive));
    if (api) write(serveUrls(api.url));
    await showLive(s, ws, io, stop, true);
    // judged while the gateway still runs: live sessions are left alone, dead ones are listed
    const advice = await adviseCleanup({ stateDir: ws.stateDir, tmpDir: ws.tmpDir, staleAfterMs: g.thresholds.stallAfterMs, env: io.env, onSpawn: (pid) => (advicePid = pid) });
    write(adviceText(advice, s, ws.kept));
  } finally {
    await api?.stop();
    runners = gateway?.childPids() ?? [];
    await gateway?.stop();
    if (ws) removeDemoWorkspace(ws);
    stop.dispose();
  }
  write(farewell(ws, runners, stop.signal));
  return EXIT.ok;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** `watch` on the demo's store, until the user quits, the duration ends or a signal comes; then it is asked to end. */
/** `gateway`: the era B demo's simulated gateway speaks the WebSocket subset; era C's was killed. */
async function showLive(s: DemoSettings, ws: DemoWorkspace, io: Io, stop: StopSignals, gateway: boolean): Promise<void> {
  // the overlay's device identity goes to the demo's temp dir, not the user's state dir
  const env = { ...demoEnv(io.env, ws.tmpDir), XDG_STATE_HOME: path.join(ws.root, "xdg") };
  const end = new AbortController();
  const settings = { ...watchSettings({ stateDir: ws.stateDir, gateway }, env), intervalMs: s.intervalMs, gatewayNotices: false };
  const done = runWatch(settings, { ...io, env, tmpDir: ws.tmpDir }, { stop: end.signal });
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<void>((resolve) => {
    if (s.durationMs !== undefined) timer = setTimeout(resolve, s.durationMs);
  });
  await Promise.race([done, stop.promise, timeUp]);
  clearTimeout(timer);
  // watch listens from its first line on: asked at any point, it ends
  end.abort();
  await done;
}

function intro(s: DemoSettings, ws: DemoWorkspace, g: SimulatedGateway, interactive: boolean): string {
  const until = s.durationMs === undefined ? "until you press q" : `for ${formatDuration(s.durationMs)}`;
  const view = interactive ? `watch runs ${until}` : `a snapshot every ${formatDuration(s.intervalMs)} ${until}`;
  return [
    `openclaw-sessions demo: a simulated OpenClaw gateway (pid ${process.pid}) runs ${g.sessions().length} sessions at ${s.speed}x speed`,
    `  state dir ${ws.stateDir} (${ws.kept ? "kept after the demo" : "removed on exit; --keep DIR keeps it"})`,
    `  at ${s.speed}x, OpenClaw's 2 min stall warning comes after ${formatDuration(g.thresholds.stallAfterMs)}; watch for quick turns, long tools,`,
    "  a model that never answers (stalled), crashed runners (unresponsive) and an index still saying running",
    `  ${view}`,
    "",
  ].join("\n");
}

/** serve on the demo's store; quiet (watch owns the terminal). A failure only costs the URLs. */
async function startDemoServe(ws: DemoWorkspace, io: Io): Promise<RunningServe | undefined> {
  try {
    return await startServe({ stateDir: ws.stateDir, tmpDir: ws.tmpDir, env: demoEnv(io.env, ws.tmpDir), port: "0", log: () => undefined });
  } catch (err) {
    io.stderr.write(`demo: serve did not start (${(err as Error).message}); the demo goes on without it\n`);
    return undefined;
  }
}

function serveUrls(url: string): string {
  return [
    `  serve answers at ${url} while the demo runs; try:`,
    `    curl -s ${url}/api/sessions/heartbeat`,
    `    curl -s '${url}/api/sessions/heartbeat?problems=true'`,
    `    curl -sN ${url}/api/sessions/events`,
    `    curl -s ${url}/metrics | grep '^openclaw_sessions_sessions'`,
    "",
  ].join("\n");
}

function adviceText(a: CleanupAdvice, s: DemoSettings, kept: boolean): string {
  const stale = a.args[a.args.indexOf("--stale-after") + 1];
  return [
    "",
    "What `cleanup` would repair in this store now (a dry run: nothing is written):",
    // a temp store is gone by the time anyone pastes the line: say so instead of offering it as a command
    kept ? `  $ ${a.commandLine}` : `  ran: ${a.commandLine}`,
    ...(kept ? [] : ["  (this temp store is removed when the demo ends: run `demo --keep DIR` to try the command on it yourself)"]),
    `  (--stale-after ${stale} is OpenClaw's 2 min stall warning on the demo's ${s.speed}x clock; on a real store keep the default 10m)`,
    "",
    a.output.trimEnd(),
    "",
  ].join("\n");
}

function farewell(ws: DemoWorkspace, runners: number[], signal: NodeJS.Signals | undefined): string {
  const why = signal ? ` (${signal})` : "";
  const procs = runners.length > 0 ? ` and ${runners.length} runner process${runners.length === 1 ? "" : "es"} (pid ${runners.join(", ")})` : "";
  // a removed path is not worth printing: nothing can be done with it
  const files = ws.kept ? `kept ${ws.stateDir}: openclaw-sessions status --state-dir ${shellLine([ws.stateDir])}` : "its temp store was removed (demo --keep DIR keeps it)";
  return `\ndemo stopped${why}: the simulated gateway${procs} stopped; ${files}\n`;
}

// ------------------------------------------------------------------ --generate

function demoEra(text: unknown): "B" | "C" {
  if (text === undefined) return "B";
  const era = String(text).toUpperCase();
  if (era !== "B" && era !== "C") throw usage(`--era takes B or C (got "${text}")`);
  return era;
}

/**
 * The era C demo: an OpenClaw 2026.9 SQLite store as a killed gateway leaves it (finished runs of
 * every outcome, `running` rows waiting for restart recovery), watched with `serve` beside it,
 * then what `cleanup` reports for it, run for real (it writes nothing on era C). Static: no
 * simulated gateway writes SQLite.
 */
async function runEraCDemo(s: DemoSettings, io: Io, interactive: boolean): Promise<number> {
  let ws: DemoWorkspace | undefined;
  let advicePid: number | undefined;
  const stop = stopSignals({
    signals: SIGNALS,
    onSecond: () => {
      if (advicePid !== undefined) killQuietly(advicePid);
      if (ws) removeDemoWorkspace(ws);
      process.exit(EXIT.ok);
    },
  });
  let api: RunningServe | undefined;
  try {
    ws = makeDemoWorkspace(s.keep);
    const m = await generateEraCStore({ outDir: ws.stateDir, sessions: s.sessions, seed: s.seed });
    api = await startDemoServe(ws, io);
    const until = s.durationMs === undefined ? "until you press q" : `for ${formatDuration(s.durationMs)}`;
    io.stdout.write(
      [
        `openclaw-sessions demo --era C: an OpenClaw 2026.9 SQLite store of ${m.sessions.length} sessions, its gateway killed`,
        `  state dir ${ws.stateDir} (${ws.kept ? "kept after the demo" : "removed on exit; --keep DIR keeps it"})`,
        "  `running` rows are unresponsive: OpenClaw's restart recovery resumes them on the next gateway start",
        `  ${interactive ? `watch runs ${until}` : `a snapshot every ${formatDuration(s.intervalMs)} ${until}`}`,
        "",
      ].join("\n"),
    );
    if (api) io.stdout.write(serveUrls(api.url));
    await showLive(s, ws, io, stop, false);
    const advice = await adviseCleanup({ stateDir: ws.stateDir, tmpDir: ws.tmpDir, env: io.env, onSpawn: (pid) => (advicePid = pid) });
    io.stdout.write(
      [
        "",
        "What `cleanup` reports for it (on era C it never writes: OpenClaw resumes or archives these rows itself):",
        ws.kept ? `  $ ${advice.commandLine}` : `  ran: ${advice.commandLine}`,
        ...(ws.kept ? [] : ["  (this temp store is removed when the demo ends: run `demo --era C --keep DIR` to try the command on it yourself)"]),
        "",
        advice.output.trimEnd(),
        "",
      ].join("\n"),
    );
  } finally {
    await api?.stop();
    if (ws) removeDemoWorkspace(ws);
    stop.dispose();
  }
  return EXIT.ok;
}

function generateSettings(opts: Record<string, any>, era: "B" | "C"): GenerateSettings {
  const n = wholeNumberFlag("--generate", opts.generate, 1, 1_000_000);
  if (opts.out === undefined) throw usage("--generate needs --out DIR (a new or empty directory)");
  for (const flag of ["keep", "duration", "interval", "sessions", "speed"] as const) {
    if (opts[flag] !== undefined) throw usage(`--${flag} is for the live demo, not --generate`);
  }
  if (era === "C" && opts.bigFiles !== undefined) throw usage("--big-files is for --era B stores");
  // one per 100 sessions: a small store (a bug report's) is not made tens of MB by default
  const bigFiles = opts.bigFiles !== undefined ? wholeNumberFlag("--big-files", opts.bigFiles, 0, n) : Math.floor(n / 100);
  const seed = opts.seed !== undefined ? wholeNumberFlag("--seed", opts.seed, 0, 2 ** 31 - 1) : DEMO_DEFAULTS.seed;
  return { sessions: n, out: opts.out, bigFiles, seed };
}

async function runGenerate(g: GenerateSettings, io: Io, era: "B" | "C"): Promise<number> {
  const outDir = claimEmptyDir(g.out, "--out");
  if (era === "C") {
    io.stdout.write(eraCSummary(await generateEraCStore({ outDir, sessions: g.sessions, seed: g.seed })));
    return EXIT.ok;
  }
  const manifest = await generateStore({ outDir, sessions: g.sessions, seed: g.seed, bigFiles: g.bigFiles, bigFileBytes: BIG_FILE_BYTES });
  io.stdout.write(generateSummary(manifest));
  return EXIT.ok;
}

function eraCSummary(m: EraCManifest): string {
  const kinds = new Map<string, number>();
  for (const s of m.sessions) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
  return [
    `wrote ${count(m.sessions.length, "session")} to ${m.stateDir} (OpenClaw 2026.9 SQLite: ${count(m.dbPaths.length, "agent database")})`,
    `  kinds: ${[...kinds].map(([k, c]) => `${k} ${c}`).join(", ")}`,
    `try: openclaw-sessions status --state-dir ${shellLine([m.stateDir])}`,
    "",
  ].join("\n");
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

function generateSummary(m: Manifest): string {
  const perAgent = new Map<string, number>();
  for (const s of m.sessions) perAgent.set(s.agentId, (perAgent.get(s.agentId) ?? 0) + 1);
  const agents = [...perAgent].map(([a, c]) => `${a} ${c}`).join(", ");
  const kinds = Object.entries(m.counts)
    .filter(([, c]) => c > 0)
    .map(([k, c]) => `${k} ${c}`)
    .join(", ");
  const big = m.sessions.filter((s) => s.big).length;
  const live = m.counts["running-live"];
  return [
    `wrote ${count(m.sessions.length, "session")} to ${m.stateDir} (${megabytes(m.totalBytes)} of transcripts and trajectories)`,
    `  agents: ${agents}`,
    `  kinds: ${kinds}`,
    ...(big > 0 ? [`  ${big} session${big === 1 ? "" : "s"} with huge files (~${megabytes(BIG_FILE_BYTES * 1.25)} each)`] : []),
    ...(live > 0 ? [`  the ${live} running-live lock${live === 1 ? "" : "s"} name this process (pid ${m.liveOwner.pid}), which has now exited: they read as unresponsive`] : []),
    `try: openclaw-sessions status --state-dir ${shellLine([m.stateDir])}`,
    "",
  ].join("\n");
}

/** "1 session", "2 sessions" */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
