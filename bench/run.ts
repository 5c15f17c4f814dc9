// npm run bench:files (and the first part of npm run bench): how the read commands scale with the number of sessions, against the floor.
//
//   node dist/bench/run.js [--sizes 1000,10000,50000] [--runs N] [--quick] [--profile]
//                          [--skip-trajectory] [--out DIR] [--cli PATH] [--slow S] [--timeout S]
//
// Every command runs as a whole process (node startup included) on stores generated once into
// bench/out/<N>/ (see stores.ts), several runs each, interleaved with the floor (floor.ts) so that
// drift in the machine hits both; the median is quoted. Commands the CLI does not have yet are
// skipped with a line saying so; one whose first run takes over --slow seconds (30) is timed
// once, and a run over --timeout seconds (120) is stopped and reported as failed.
// Results: stdout, bench/out/results.md and bench/out/results.json.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveCommands, type Resolved } from "./commands.js";
import { describeMachine, machineLine } from "./machine.js";
import { formatSummary, readProfile, summarizeProfile } from "./profile.js";
import { FLOOR, growthTable, mainTable, medianMs, STATUS, targetList, targets, trajectoryTable, type Measure } from "./report.js";
import { hasGnuTime, timedRun, type RunResult } from "./spawn.js";
import { ensureStore, indexFingerprint, invalidateStore, type BenchStore } from "./stores.js";
import { trajectorySizeExperiment, type VariantResult } from "./trajectory-size.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let CLI = path.join(ROOT, "bin", "openclaw-sessions.js");
const FLOOR_JS = fileURLToPath(new URL("./floor.js", import.meta.url));

interface Args {
  sizes: number[];
  runs?: number;
  quick: boolean;
  profile: boolean;
  skipTrajectory: boolean;
  outDir: string;
  /** another build of the CLI to time (e.g. a patched copy), default this repo's bin */
  cli?: string;
  /** a command whose first (warm-up) run takes longer is not repeated: that run is its sample */
  slowMs: number;
  /** a run taking longer is stopped and the command reported as failed at that size */
  timeoutMs: number;
}

const USAGE = "usage: npm run bench:files -- [--sizes 1000,10000,50000] [--runs N] [--quick] [--profile] [--skip-trajectory] [--out DIR] [--cli PATH] [--slow SECONDS] [--timeout SECONDS]";

export function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: [1000, 10_000, 50_000], quick: false, profile: false, skipTrajectory: false, outDir: path.join(ROOT, "bench", "out"), slowMs: 30_000, timeoutMs: 120_000 };
  let sizesGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === "--sizes") {
      a.sizes = value()
        .split(",")
        .map((s) => Number(s.trim().replace(/k$/i, "000")));
      if (a.sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`--sizes wants positive whole numbers, e.g. 1000,10000\n${USAGE}`);
      sizesGiven = true;
    } else if (flag === "--runs") {
      a.runs = Number(value());
      if (!Number.isInteger(a.runs) || a.runs <= 0) throw new Error(`--runs wants a positive whole number\n${USAGE}`);
    } else if (flag === "--quick") a.quick = true;
    else if (flag === "--profile") a.profile = true;
    else if (flag === "--skip-trajectory") a.skipTrajectory = true;
    else if (flag === "--out") a.outDir = path.resolve(value());
    else if (flag === "--cli") a.cli = path.resolve(value());
    else if (flag === "--slow") a.slowMs = seconds(flag, value());
    else if (flag === "--timeout") a.timeoutMs = seconds(flag, value());
    else if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (a.quick && !sizesGiven) a.sizes = [1000, 10_000];
  a.sizes = [...new Set(a.sizes)].sort((x, y) => x - y);
  return a;
}

function seconds(flag: string, v: string): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new Error(`${flag} wants seconds, e.g. 30\n${USAGE}`);
  return x * 1000;
}

/** 5 runs up to 10k sessions, 3 above; --quick: 3 and 2. */
function runsFor(n: number, a: Args): number {
  if (a.runs !== undefined) return a.runs;
  if (a.quick) return n <= 10_000 ? 3 : 2;
  return n <= 10_000 ? 5 : 3;
}

/** The children's environment: no OpenClaw variables of this shell, a fixed clock, no colour. */
function childEnv(now: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OPENCLAW_")) env[k] = v;
  env.OPENCLAW_SESSIONS_NOW = String(now);
  env.FORCE_COLOR = "0";
  env.NO_COLOR = "1";
  return env;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function failure(r: RunResult, timeoutMs: number): string | undefined {
  if (r.timedOut) return `timed out: stopped after ${timeoutMs / 1000} s (--timeout)`;
  if (r.signal) return `killed by ${r.signal}`;
  if (r.exitCode === null || r.exitCode >= 3 || (r.exitCode === 2 && r.stdoutBytes === 0)) return `exit ${r.exitCode}: ${r.stderr.split("\n")[0] ?? ""}`;
  return undefined;
}

async function benchSize(store: BenchStore, commands: Resolved[], runs: number, slowMs: number, timeoutMs: number): Promise<Measure[]> {
  const n = store.meta.sessions;
  const env = childEnv(store.meta.now);
  const jobs: { name: string; argv: string[] }[] = [
    { name: FLOOR, argv: [process.execPath, FLOOR_JS, store.stateDir] },
    ...commands.filter((c) => c.args).map((c) => ({ name: c.cmd.name, argv: [process.execPath, CLI, ...c.args!, "--state-dir", store.stateDir] })),
  ];
  const measures = new Map<string, Measure>(jobs.map((j) => [j.name, { name: j.name, n, runs: [] }]));
  const before = indexFingerprint(store.stateDir);
  // untimed: the floor and the first command warm the page cache for every timed run (the
  // commands read the same files); the floor also proves it saw the whole store
  for (const j of jobs.slice(0, 2)) {
    const r = await timedRun({ argv: j.argv, env, timeoutMs });
    if (j.name === FLOOR) {
      let seen: number | undefined;
      try {
        seen = (JSON.parse(r.stdoutHead) as { sessions?: number }).sessions;
      } catch {
        seen = undefined;
      }
      if (seen !== n) log(`WARNING: the floor saw ${seen ?? "no"} sessions, not ${n} (exit ${r.exitCode}: ${r.stderr.split("\n")[0] ?? ""})`);
    }
  }
  for (let r = 0; r < runs; r++) {
    for (const j of jobs) {
      const m = measures.get(j.name)!;
      if (m.failed || m.note) continue;
      const res = await timedRun({ argv: j.argv, env, timeoutMs });
      const why = failure(res, timeoutMs);
      if (why) {
        m.failed = why;
        log(`${j.name} at ${n}: FAILED on run ${r + 1} (${why}); not timed again`);
        continue;
      }
      m.runs.push(res);
      if (r === 0 && runs > 1 && res.ms > slowMs) {
        // repeating a run this slow would blow the bench's time budget: one sample it is
        m.note = `timed once: took ${(res.ms / 1000).toFixed(0)} s (> --slow ${slowMs / 1000} s)`;
        log(`${j.name} at ${n}: ${m.note}`);
      }
    }
    log(`N=${n} run ${r + 1}/${runs}: ${jobs.map((j) => `${j.name.split(" ")[0]} ${measures.get(j.name)!.runs[r]?.ms.toFixed(0) ?? "-"} ms`).join(", ")}`);
  }
  if (indexFingerprint(store.stateDir) !== before) {
    log(`ERROR: an index or lock file under ${store.stateDir} changed during the runs: a --dry-run wrote. The store is invalidated and will be regenerated next time.`);
    invalidateStore(store);
  }
  return [...measures.values()];
}

/** One `status --json` under --cpu-prof; the summary of where its time went. */
async function profileStatus(store: BenchStore, outDir: string): Promise<string> {
  const dir = path.join(outDir, "profile", String(store.meta.sessions));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const r = await timedRun({
    argv: [process.execPath, "--cpu-prof", "--cpu-prof-dir", dir, CLI, "status", "--json", "--no-probe", "--state-dir", store.stateDir],
    env: childEnv(store.meta.now),
  });
  const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) return `no profile written (exit ${r.exitCode}: ${r.stderr})`;
  return `status --json at ${store.meta.sessions} under --cpu-prof: ${r.ms.toFixed(0)} ms wall; ${path.join(dir, file)}\n${formatSummary(summarizeProfile(readProfile(path.join(dir, file))))}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.cli) {
    if (!fs.existsSync(args.cli)) throw new Error(`--cli ${args.cli}: no such file`);
    CLI = args.cli;
  }
  const started = Date.now();
  fs.mkdirSync(args.outDir, { recursive: true });
  const machine = describeMachine(args.outDir);
  log(machineLine(machine));
  if (!hasGnuTime()) log("no /usr/bin/time: peak RSS is polled from /proc/<pid>/status VmHWM every 10 ms (may miss short peaks)");
  const commands = resolveCommands(CLI);
  const skipped = commands.filter((c) => c.skip).map((c) => `SKIPPED ${c.cmd.name}: ${c.skip}`);
  for (const s of skipped) log(s);

  const measures: Measure[] = [];
  const stores: BenchStore[] = [];
  for (const n of args.sizes) {
    const store = await ensureStore(args.outDir, n, log);
    if (store.reused) log(`store ${n}: reusing ${store.stateDir} (generator ${store.meta.version}, ${store.meta.generatedAt})`);
    stores.push(store);
    measures.push(...(await benchSize(store, commands, runsFor(n, args), args.slowMs, args.timeoutMs)));
  }

  let traj: VariantResult[] | undefined;
  if (!args.skipTrajectory) {
    log("trajectory-size experiment ...");
    traj = await trajectorySizeExperiment({
      outDir: args.outDir,
      cli: CLI,
      env: childEnv(Date.now()),
      iterations: args.quick ? 200 : 1000,
      processRuns: args.quick ? 3 : 7,
      log,
    });
  }

  const ts = targets(measures, traj);
  const statusMissed = ts.some((t) => t.met === false && t.text.startsWith(STATUS));
  let profile: string | undefined;
  const profStore = stores.find((s) => s.meta.sessions === 10_000) ?? stores.at(-1);
  if ((args.profile || statusMissed) && profStore && medianMs(measures.find((m) => m.name === STATUS)) !== undefined) {
    log(`profiling status --json at ${profStore.meta.sessions}${statusMissed ? " (a target was missed)" : ""} ...`);
    profile = await profileStatus(profStore, args.outDir);
  }

  const names = [FLOOR, ...commands.filter((c) => c.args).map((c) => c.cmd.name)];
  const doc = [
    `## Results`,
    ``,
    `Machine: ${machineLine(machine)}`,
    `CLI: ${CLI}`,
    `Sizes: ${args.sizes.join(", ")} sessions (3 agents; ${stores.map((s) => `${s.meta.sessions}: ${(s.meta.totalBytes / 2 ** 20).toFixed(0)} MiB`).join(", ")}); runs: ${args.sizes
      .map((n) => `${runsFor(n, args)} at ${n}`)
      .join(", ")}; whole processes, median; peak = max RSS over the runs (${hasGnuTime() ? "GNU time %M" : "VmHWM polled"}).`,
    ...(skipped.length > 0 ? ["", ...skipped.map((s) => `- ${s}`)] : []),
    ``,
    mainTable(measures),
    ``,
    `### Growth`,
    ``,
    growthTable(measures, names),
    ``,
    ...(traj ? [`### Trajectory size`, ``, trajectoryTable(traj), ``] : []),
    `### Targets`,
    ``,
    targetList(ts),
    ...(profile ? ["", "### Profile", "", "```", profile, "```"] : []),
    ``,
    `(bench took ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${os.loadavg()[0]!.toFixed(2)} at the end)`,
  ].join("\n");
  process.stdout.write(`${doc}\n`);
  fs.writeFileSync(path.join(args.outDir, "results.md"), `${doc}\n`);
  fs.writeFileSync(
    path.join(args.outDir, "results.json"),
    `${JSON.stringify({ machine, args, skipped, measures: measures.map((m) => ({ ...m, runs: m.runs.map(({ stdoutHead: _, ...r }) => r) })), trajectory: traj, targets: ts }, null, 2)}\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
