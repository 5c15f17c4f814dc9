// npm run bench:era-c: `status --json` on era C (OpenClaw 2026.9 SQLite) stores of 10k and 50k
// sessions against the era C floor (floor-era-c.ts), both as whole processes, interleaved, median
// of --runs (default 3). Stores are generated once into bench/out/era-c-<N>/ by the simulator.
// Needs Node 24. Target (issue 12): within 2x the floor, < 100 MB at 10k, < 200 MB at 50k.
// A second row, "floor + JSON output" (floor-era-c-json.ts), adds what any `status --json` must
// write (a 22-field object with reasons per session): the part of the 2x left to a health model.
//
//   node dist/bench/era-c.js [--sizes 10000,50000] [--runs N] [--baseline <checkout>]
//
// --baseline: also runs <checkout>/bin/openclaw-sessions.js (another built checkout, e.g. a
// `git worktree` of main), interleaved with this one, for a before/after under the same load.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ERA_C_NOW as NOW, eraCStore as store, ROOT } from "./era-c-store.js";
import { timedRun, type RunResult } from "./spawn.js";
import { median } from "./stats.js";

const CLI = path.join(ROOT, "bin", "openclaw-sessions.js");
const FLOOR = fileURLToPath(new URL("./floor-era-c.js", import.meta.url));
const JSON_FLOOR = fileURLToPath(new URL("./floor-era-c-json.js", import.meta.url));

interface Row {
  what: string;
  n: number;
  ms: number;
  cpuMs?: number;
  mb?: number;
  exit: number | null;
}

async function measure(what: string, n: number, argv: string[], runs: number): Promise<Row> {
  const results: RunResult[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, OPENCLAW_SESSIONS_NOW: String(NOW), NO_COLOR: "1" };
  for (const k of Object.keys(env)) if (k.startsWith("OPENCLAW_") && k !== "OPENCLAW_SESSIONS_NOW") delete env[k];
  for (let i = 0; i < runs; i++) results.push(await timedRun({ argv, env }));
  const ms = median(results.map((r) => r.ms));
  const cpu = results.map((r) => r.cpuMs).filter((x): x is number => x !== undefined);
  const rss = results.map((r) => r.peakRss).filter((x): x is number => x !== undefined);
  return { what, n, ms, cpuMs: cpu.length ? median(cpu) : undefined, mb: rss.length ? Math.max(...rss) / 1048576 : undefined, exit: results[0]!.exitCode };
}

/** Single runs of one command as one row: medians of time and CPU, the highest peak. */
function merged(runs: Row[]): Row {
  const cpu = runs.map((r) => r.cpuMs).filter((x): x is number => x !== undefined);
  const mb = runs.map((r) => r.mb).filter((x): x is number => x !== undefined);
  return { ...runs[0]!, ms: median(runs.map((r) => r.ms)), cpuMs: cpu.length ? median(cpu) : undefined, mb: mb.length ? Math.max(...mb) : undefined };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizeArg = args[args.indexOf("--sizes") + 1];
  const sizes = args.includes("--sizes") && sizeArg ? sizeArg.split(",").map((s) => Number(s.replace(/k$/i, "000"))) : [10_000, 50_000];
  const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : 3;
  const baseline = args.includes("--baseline") ? path.resolve(args[args.indexOf("--baseline") + 1]!) : undefined;
  const rows: Row[] = [];
  for (const n of sizes) {
    const stateDir = await store(n);
    // warm the page cache once, untimed
    await timedRun({ argv: [process.execPath, FLOOR, stateDir], env: process.env });
    const floor = await measure("floor (node:sqlite)", n, [process.execPath, FLOOR, stateDir], runs);
    const argv = (cli: string) => [process.execPath, cli, "status", "--json", "--no-probe", "--state-dir", stateDir];
    rows.push(floor);
    // the floor plus the output status --json must write (floor-era-c-json.ts): a lower bound for any health model
    rows.push(await measure("floor + JSON output", n, [process.execPath, JSON_FLOOR, stateDir], runs));
    // one run of each in turn, so both see the same load
    const mine: Row[] = [];
    const theirs: Row[] = [];
    for (let i = 0; i < runs; i++) {
      if (baseline) theirs.push(await measure("status --json (baseline)", n, argv(path.join(baseline, "bin", "openclaw-sessions.js")), 1));
      mine.push(await measure("status --json", n, argv(CLI), 1));
    }
    if (baseline) rows.push(merged(theirs));
    rows.push(merged(mine));
  }
  const lines = ["| command | N | runs | median ms | x floor | CPU ms | x floor (CPU) | peak MB | exit |", "|---|---:|---:|---:|---:|---:|---:|---:|---|"];
  for (const r of rows) {
    const floor = rows.find((f) => f.n === r.n && f.what.startsWith("floor"))!;
    lines.push(`| ${r.what} | ${r.n / 1000}k | ${runs} | ${Math.round(r.ms)} | ${(r.ms / floor.ms).toFixed(2)} | ${r.cpuMs !== undefined ? Math.round(r.cpuMs) : "-"} | ${r.cpuMs !== undefined && floor.cpuMs ? (r.cpuMs / floor.cpuMs).toFixed(2) : "-"} | ${r.mb !== undefined ? Math.round(r.mb) : "-"} | ${r.exit} |`);
  }
  process.stdout.write(`node ${process.version}, SQLite ${process.versions.sqlite}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}\n${lines.join("\n")}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
