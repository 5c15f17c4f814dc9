// Summarizes a V8 .cpuprofile (node --cpu-prof): where the samples landed, by function and by file.
// Usage: node dist/bench/profile.js <file.cpuprofile> [top] [--from US --to US]
// --from/--to keep only the samples taken in that window, in the profile's clock (CLOCK_MONOTONIC
// microseconds, the clock of process.hrtime in any process on the machine): `npm run bench:serve
// -- --profile DIR` prints the idle window that way.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: ProfileRow[];
  byFile: ProfileRow[];
}

/** node_modules/x/..., dist/src/store/tail.js, node:internal/... : short enough to read. */
function shortUrl(url: string): string {
  if (url === "") return "(native/vm)";
  const p = url.replace(/^file:\/\//, "");
  const nm = p.lastIndexOf("node_modules/");
  if (nm >= 0) return p.slice(nm);
  const dist = p.lastIndexOf("/dist/");
  if (dist >= 0) return p.slice(dist + 1);
  return p.startsWith("/") ? path.basename(p) : p;
}

/** Samples taken in [fromUs, toUs) of the profile's clock (its startTime's); all when omitted. */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

export function summarizeProfile(profile: CpuProfile, top = 15, window?: ProfileWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time BEFORE sample i; attributing it to sample i is V8's convention
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.fromUs || t >= window.toUs)) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const f = n.callFrame;
    const where = shortUrl(f.url);
    const name = f.url ? `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}` : f.functionName || "(anonymous)";
    fn.set(name, (fn.get(name) ?? 0) + us);
    file.set(where, (file.get(where) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: total > 0 ? us / total : 0 }));
  return { totalMs: total / 1000, byFunction: rows(fn), byFile: rows(file) };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
}

export function formatSummary(s: ProfileSummary): string {
  const table = (title: string, rows: ProfileRow[]) => [
    `${title}:`,
    ...rows.map((r) => `  ${r.selfMs.toFixed(1).padStart(8)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}`),
  ];
  return [`sampled ${s.totalMs.toFixed(0)} ms`, ...table("self time by function", s.byFunction), ...table("self time by file", s.byFile)].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : Number(args.splice(i, 2)[1]);
  };
  const [fromUs, toUs] = [flag("--from"), flag("--to")];
  const [file, top] = args;
  if (!file || (fromUs === undefined) !== (toUs === undefined)) {
    process.stderr.write("usage: node dist/bench/profile.js <file.cpuprofile> [top] [--from US --to US]\n");
    process.exitCode = 2;
  } else {
    const window = fromUs !== undefined && toUs !== undefined ? { fromUs, toUs } : undefined;
    process.stdout.write(`${formatSummary(summarizeProfile(readProfile(file), Number(top ?? 15), window))}\n`);
  }
}
