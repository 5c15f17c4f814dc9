// Does a trajectory's size change what its session costs? The same one-session store three times,
// identical but for the trajectory file:
//   small      the session's own trajectory (a few runs, tens of KB)
//   huge       the same bytes at the end of a 500 MB sparse file: the reader must stop at the
//              previous run's last event and never touch the hole
//   huge-1run  a 500 MB sparse file whose tail holds ONLY the last run: no run boundary to stop
//              at, so the reader goes back until its byte cap (src/store/tail.ts, 4 MiB): the
//              worst case, bounded but not free
// Timed in-process (readTrajectoryTail, many interleaved iterations, median) and as whole
// `status --json` processes.
import { isDeepStrictEqual } from "node:util";
import fs from "node:fs";
import path from "node:path";
import { generateStore } from "../src/sim/generate.js";
import { readTrajectoryTail } from "../src/store/trajectory.js";
import { median } from "./stats.js";
import { timedRun } from "./spawn.js";
import { STORE_SEED } from "./stores.js";

export const HUGE_BYTES = 500 * 1024 * 1024;
const VARIANTS = ["small", "huge", "huge-1run"] as const;
type Variant = (typeof VARIANTS)[number];

export interface VariantResult {
  variant: Variant;
  fileBytes: number;
  /** blocks actually on disk (a sparse file's are few) */
  diskBytes: number;
  readerMedianUs: number;
  readerIterations: number;
  statusMedianMs?: number;
  statusPeakRss?: number;
  /** the run the reader found equals the small file's */
  sameRun: boolean;
}

export interface TrajectorySizeOptions {
  outDir: string;
  cli: string;
  env: NodeJS.ProcessEnv;
  iterations: number;
  processRuns: number;
  log: (line: string) => void;
}

export async function trajectorySizeExperiment(o: TrajectorySizeOptions): Promise<VariantResult[]> {
  const root = path.join(o.outDir, "trajectory");
  fs.rmSync(root, { recursive: true, force: true });
  const now = Date.now();
  const stores = new Map<Variant, { stateDir: string; trajectory: string }>();
  for (const v of VARIANTS) {
    const stateDir = path.join(root, v);
    // bigFiles with 0 filler bytes: the generator's "long-lived session" (3+ runs, recent)
    const m = await generateStore({ outDir: stateDir, sessions: 1, seed: STORE_SEED, now, bigFiles: 1, bigFileBytes: 0 });
    const trajectory = m.sessions[0]?.trajectoryPath;
    if (!trajectory) throw new Error("the generated session has no trajectory");
    stores.set(v, { stateDir, trajectory });
  }
  const own = fs.readFileSync(stores.get("small")!.trajectory);
  writeSparse(stores.get("huge")!.trajectory, own);
  writeSparse(stores.get("huge-1run")!.trajectory, lastRunOnly(own));

  const reference = await readTrajectoryTail(stores.get("small")!.trajectory);
  const samples = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  const same = new Map<Variant, boolean>();
  for (const v of VARIANTS) {
    const t = await readTrajectoryTail(stores.get(v)!.trajectory); // warm the page cache and the JIT
    same.set(v, isDeepStrictEqual(t?.run, reference?.run));
  }
  for (let i = 0; i < o.iterations; i++) {
    for (const v of VARIANTS) {
      const t0 = process.hrtime.bigint();
      await readTrajectoryTail(stores.get(v)!.trajectory);
      samples.get(v)!.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  const proc = new Map<Variant, { ms: number[]; rss: number[] }>(VARIANTS.map((v) => [v, { ms: [], rss: [] }]));
  for (let r = 0; r < o.processRuns; r++) {
    for (const v of VARIANTS) {
      const res = await timedRun({ argv: [process.execPath, o.cli, "status", "--json", "--no-probe", "--state-dir", stores.get(v)!.stateDir], env: o.env });
      if (res.exitCode !== 0) throw new Error(`status on the ${v} store exited ${res.exitCode}: ${res.stderr}`);
      proc.get(v)!.ms.push(res.ms);
      if (res.peakRss) proc.get(v)!.rss.push(res.peakRss);
    }
  }
  return VARIANTS.map((v) => {
    const st = fs.statSync(stores.get(v)!.trajectory);
    const p = proc.get(v)!;
    return {
      variant: v,
      fileBytes: st.size,
      diskBytes: st.blocks * 512,
      readerMedianUs: median(samples.get(v)!),
      readerIterations: o.iterations,
      statusMedianMs: p.ms.length > 0 ? median(p.ms) : undefined,
      statusPeakRss: p.rss.length > 0 ? Math.max(...p.rss) : undefined,
      sameRun: same.get(v)!,
    };
  });
}

/** `tail` at the very end of a HUGE_BYTES file; everything before it is a hole ending in "\n". */
function writeSparse(file: string, tail: Buffer): void {
  const mtime = fs.statSync(file).mtime;
  const fd = fs.openSync(file, "w");
  try {
    const body = Buffer.concat([Buffer.from("\n"), tail]);
    let off = 0;
    while (off < body.length) off += fs.writeSync(fd, body, off, body.length - off, HUGE_BYTES - body.length + off);
  } finally {
    fs.closeSync(fd);
  }
  // the reader judges age by the file's mtime too: keep the small file's
  fs.utimesSync(file, mtime, mtime);
}

/** The lines of the file's last runId only. */
function lastRunOnly(text: Buffer): Buffer {
  const lines = text.toString("utf8").split("\n").filter((l) => l !== "");
  const runOf = (l: string) => /"runId":"([^"]+)"/.exec(l)?.[1];
  const last = runOf(lines[lines.length - 1]!);
  return Buffer.from(`${lines.filter((l) => runOf(l) === last).join("\n")}\n`);
}
