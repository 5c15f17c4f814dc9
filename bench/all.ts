// npm run bench: every benchmark, one after the other (never side by side: they would measure each
// other on 2 cores). The file-era read commands against their floor (run.js), era C `status
// --json` against the node:sqlite floor (era-c.js, Node 24 only), and `serve` at 10,000 sessions
// and 100 WebSocket clients (serve.js). Each keeps its own flags: run it alone for those
// (npm run bench:files / bench:era-c / bench:serve).
//
//   node dist/bench/all.js [--only files,era-c,serve]
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const BENCHES = { files: "run.js", "era-c": "era-c.js", serve: "serve.js" } as const;
type Bench = keyof typeof BENCHES;

export function selected(argv: string[]): Bench[] {
  const i = argv.indexOf("--only");
  if (i === -1) return Object.keys(BENCHES) as Bench[];
  const names = (argv[i + 1] ?? "").split(",").map((s) => s.trim());
  const bad = names.filter((n) => !(n in BENCHES));
  if (names.length === 0 || bad.length > 0) throw new Error(`--only takes ${Object.keys(BENCHES).join(", ")} (got "${argv[i + 1] ?? ""}")`);
  return names as Bench[];
}

const eraCRuntime = (): boolean => Number(process.versions.node.split(".")[0]) >= 24;

function main(argv: string[]): number {
  let benches: Bench[];
  try {
    benches = selected(argv);
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  let failed = 0;
  for (const bench of benches) {
    if (bench === "era-c" && !eraCRuntime()) {
      console.log(`bench era-c: skipped, needs Node 24 for node:sqlite and zstd (this is ${process.version})`);
      continue;
    }
    console.log(`\n=== bench ${bench} ===`);
    const r = spawnSync(process.execPath, [fileURLToPath(new URL(`./${BENCHES[bench]}`, import.meta.url))], { stdio: "inherit" });
    if (r.status !== 0) {
      failed++;
      console.log(`bench ${bench}: exit ${r.status ?? r.signal}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
