// The bench's tables and verdicts, as markdown (readable in a terminal, pasteable in RESULTS.md).
import type { RunResult } from "./spawn.js";
import { growth, LINEAR_TOLERANCE, median, slopeRatio, type Point } from "./stats.js";
import type { VariantResult } from "./trajectory-size.js";

export const FLOOR = "floor (index + stat)";

export interface Measure {
  name: string;
  n: number;
  runs: RunResult[];
  failed?: string;
  /** why this measure has fewer runs than asked */
  note?: string;
}

export interface Target {
  text: string;
  /** undefined: not measured in this run */
  met?: boolean;
  detail: string;
}

const mb = (bytes: number | undefined) => (bytes === undefined ? "n/a" : (bytes / 2 ** 20).toFixed(0));
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const kn = (n: number) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

export function medianMs(m: Measure | undefined): number | undefined {
  return m && m.runs.length > 0 && !m.failed ? median(m.runs.map((r) => r.ms)) : undefined;
}

export function medianCpu(m: Measure | undefined): number | undefined {
  const xs = (m?.runs ?? []).map((r) => r.cpuMs).filter((x): x is number => x !== undefined);
  return xs.length > 0 && !m?.failed ? median(xs) : undefined;
}

export function peakRss(m: Measure | undefined): number | undefined {
  const xs = (m?.runs ?? []).map((r) => r.peakRss).filter((x): x is number => x !== undefined);
  return xs.length > 0 ? Math.max(...xs) : undefined;
}

function find(measures: Measure[], name: string, n: number): Measure | undefined {
  return measures.find((m) => m.name === name && m.n === n);
}

export function mainTable(measures: Measure[]): string {
  const rows = [
    "| command | N | runs | median ms | min-max ms | x floor | CPU ms | x floor (CPU) | peak MB | stdout KB | exit |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  const ratio = (x: number | undefined, floor: number | undefined, isFloor: boolean) => (isFloor ? "1" : x !== undefined && floor ? (x / floor).toFixed(2) : "n/a");
  for (const m of measures) {
    const floorM = find(measures, FLOOR, m.n);
    const med = medianMs(m);
    if (med === undefined) {
      rows.push(`| ${m.name} | ${kn(m.n)} | ${m.runs.length} | FAILED | | | | | | | ${m.failed ?? ""} |`);
      continue;
    }
    const xs = m.runs.map((r) => r.ms);
    const cpu = medianCpu(m);
    const exits = [...new Set(m.runs.map((r) => r.exitCode))].join(",") + (m.note ? ` (${m.note})` : "");
    rows.push(
      `| ${m.name} | ${kn(m.n)} | ${m.runs.length} | ${ms(med)} | ${ms(Math.min(...xs))}-${ms(Math.max(...xs))} | ${ratio(med, medianMs(floorM), m.name === FLOOR)} | ${
        cpu === undefined ? "n/a" : ms(cpu)
      } | ${ratio(cpu, medianCpu(floorM), m.name === FLOOR)} | ${mb(peakRss(m))} | ${(median(m.runs.map((r) => r.stdoutBytes)) / 1024).toFixed(0)} | ${exits} |`,
    );
  }
  return rows.join("\n");
}

export function points(measures: Measure[], name: string): Point[] {
  return measures
    .filter((m) => m.name === name)
    .map((m) => ({ n: m.n, ms: medianMs(m) }))
    .filter((p): p is Point => p.ms !== undefined)
    .sort((a, b) => a.n - b.n);
}

export function growthTable(measures: Measure[], names: string[]): string {
  const sizes = [...new Set(measures.map((m) => m.n))].sort((a, b) => a - b);
  if (sizes.length < 2) return "(one size only: no growth to show)";
  const intervals = sizes.slice(1).map((n, i) => `${kn(sizes[i]!)}->${kn(n)}`);
  const head = `| command | ${sizes.map((n) => `${kn(n)} ms`).join(" | ")} | ${intervals.map((i) => `x ${i}`).join(" | ")} | ${intervals
    .map((i) => `us/session ${i}`)
    .join(" | ")} | slope ratio |`;
  const rows = [head, `|---|${Array(sizes.length + 2 * intervals.length + 1).fill("---:").join("|")}|`];
  for (const name of names) {
    const ps = points(measures, name);
    if (ps.length < 2) continue;
    const g = growth(ps);
    const at = (n: number) => ps.find((p) => p.n === n);
    const gi = (i: string) => g.find((x) => `${kn(x.from)}->${kn(x.to)}` === i);
    const sr = slopeRatio(ps);
    rows.push(
      `| ${name} | ${sizes.map((n) => (at(n) ? ms(at(n)!.ms) : "")).join(" | ")} | ${intervals.map((i) => (gi(i) ? gi(i)!.factor.toFixed(2) : "")).join(" | ")} | ${intervals
        .map((i) => (gi(i) ? gi(i)!.usPerSession.toFixed(1) : ""))
        .join(" | ")} | ${sr === undefined ? "" : sr.toFixed(2)} |`,
    );
  }
  return rows.join("\n");
}

export function trajectoryTable(rs: VariantResult[]): string {
  const rows = [
    "| trajectory | file size | on disk | readTrajectoryTail median us | status --json median ms (1 session) | peak MB | same last run as small |",
    "|---|---:|---:|---:|---:|---:|---|",
  ];
  const size = (b: number) => (b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(0)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
  for (const r of rs) {
    rows.push(
      `| ${r.variant} | ${size(r.fileBytes)} | ${size(r.diskBytes)} | ${r.readerMedianUs.toFixed(0)} (${r.readerIterations} iterations) | ${
        r.statusMedianMs === undefined ? "n/a" : ms(r.statusMedianMs)
      } | ${mb(r.statusPeakRss)} | ${r.sameRun ? "yes" : "NO"} |`,
    );
  }
  return rows.join("\n");
}

export const STATUS = "status --json";
export const RATIO_TARGET = 3;
export const TIME_TARGET_MS = 2000;
export const RSS_TARGET = 300 * 2 ** 20;
/** the huge trajectory may cost this much more than the small one and still count as "no effect" */
export const TRAJECTORY_TOLERANCE = 1.5;

export function targets(measures: Measure[], traj: VariantResult[] | undefined): Target[] {
  const s10 = find(measures, STATUS, 10_000);
  const f10 = find(measures, FLOOR, 10_000);
  const s50 = find(measures, STATUS, 50_000);
  const out: Target[] = [];
  const t10 = medianMs(s10);
  const fl10 = medianMs(f10);
  const c10 = medianCpu(s10);
  const cf10 = medianCpu(f10);
  const cpuNote = c10 !== undefined && cf10 ? `; CPU time ${(c10 / cf10).toFixed(2)}x` : "";
  out.push(
    t10 !== undefined && fl10 !== undefined
      ? { text: `status --json within ${RATIO_TARGET}x the floor at 10k`, met: t10 / fl10 <= RATIO_TARGET, detail: `${(t10 / fl10).toFixed(2)}x wall (${ms(t10)} ms vs ${ms(fl10)} ms)${cpuNote}` }
      : { text: `status --json within ${RATIO_TARGET}x the floor at 10k`, detail: "not measured (10k not in --sizes)" },
  );
  out.push(
    t10 !== undefined
      ? { text: `status --json under ${TIME_TARGET_MS / 1000} s at 10k`, met: t10 < TIME_TARGET_MS, detail: `${ms(t10)} ms` }
      : { text: `status --json under ${TIME_TARGET_MS / 1000} s at 10k`, detail: "not measured" },
  );
  const sr = slopeRatio(points(measures, STATUS));
  const floorSr = slopeRatio(points(measures, FLOOR));
  out.push(
    sr !== undefined
      ? {
          text: "status --json grows linearly",
          met: sr <= LINEAR_TOLERANCE,
          detail: `marginal cost per session, last interval / first: ${sr.toFixed(2)} (<= ${LINEAR_TOLERANCE} counts as linear; floor: ${floorSr?.toFixed(2) ?? "n/a"})`,
        }
      : { text: "status --json grows linearly", detail: "needs three sizes" },
  );
  const rss = peakRss(s50);
  out.push(
    rss !== undefined
      ? { text: `status --json under ${RSS_TARGET / 2 ** 20} MB peak at 50k`, met: rss < RSS_TARGET, detail: `${mb(rss)} MB` }
      : { text: `status --json under ${RSS_TARGET / 2 ** 20} MB peak at 50k`, detail: "not measured (50k not in --sizes)" },
  );
  for (const m of measures.filter((m) => m.n === 50_000 && m.name !== STATUS && m.name !== FLOOR)) {
    const r = peakRss(m);
    if (r !== undefined) out.push({ text: `${m.name} under ${RSS_TARGET / 2 ** 20} MB peak at 50k`, met: r < RSS_TARGET, detail: `${mb(r)} MB` });
  }
  if (traj) {
    const small = traj.find((r) => r.variant === "small")!;
    const huge = traj.find((r) => r.variant === "huge")!;
    const ratio = huge.readerMedianUs / small.readerMedianUs;
    out.push({
      text: "a trajectory's size has no effect on its session's cost",
      met: ratio <= TRAJECTORY_TOLERANCE && huge.sameRun,
      detail: `500 MiB vs ${(small.fileBytes / 1024).toFixed(0)} KiB: reader ${ratio.toFixed(2)}x (${huge.readerMedianUs.toFixed(0)} vs ${small.readerMedianUs.toFixed(0)} us)${huge.sameRun ? "" : ", DIFFERENT run read"}`,
    });
  } else {
    out.push({ text: "a trajectory's size has no effect on its session's cost", detail: "not measured (--skip-trajectory)" });
  }
  return out;
}

export function targetList(ts: Target[]): string {
  return ts.map((t) => `- ${t.met === undefined ? "NOT MEASURED" : t.met ? "MET" : "MISSED"}: ${t.text} -- ${t.detail}`).join("\n");
}
