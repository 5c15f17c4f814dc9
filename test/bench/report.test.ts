import { describe, expect, it } from "vitest";
import { FLOOR, growthTable, mainTable, STATUS, targets, type Measure } from "../../bench/report.js";
import type { RunResult } from "../../bench/spawn.js";
import type { VariantResult } from "../../bench/trajectory-size.js";

const run = (ms: number, mb: number): RunResult => ({ ms, peakRss: mb * 2 ** 20, exitCode: 0, signal: null, stdoutBytes: 2048, stderr: "", stdoutHead: "", timedOut: false });
const measure = (name: string, n: number, ms: number[], mb = 100): Measure => ({ name, n, runs: ms.map((x) => run(x, mb)) });
const variant = (v: VariantResult["variant"], us: number, sameRun = true): VariantResult => ({ variant: v, fileBytes: 1, diskBytes: 1, readerMedianUs: us, readerIterations: 10, sameRun });

describe("targets", () => {
  const linear = [
    measure(FLOOR, 1_000, [90, 100, 110]),
    measure(STATUS, 1_000, [200, 250, 300]),
    measure(FLOOR, 10_000, [500, 500, 500]),
    measure(STATUS, 10_000, [1_400, 1_500, 9_000]),
    measure(FLOOR, 50_000, [2_500, 2_500, 2_500]),
    measure(STATUS, 50_000, [6_500, 6_500, 6_500], 250),
  ];

  it("meets every target when status is fast, linear, small and blind to trajectory size", () => {
    const ts = targets(linear, [variant("small", 100), variant("huge", 110), variant("huge-1run", 900)]);
    expect(ts.map((t) => t.met)).toEqual([true, true, true, true, true]);
    expect(ts[0]!.detail).toContain("3.00x");
  });

  it("misses the ratio, the time, the growth, the memory and the trajectory targets when they are missed", () => {
    const slow = [
      ...linear.filter((m) => m.name === FLOOR),
      measure(STATUS, 1_000, [400]),
      measure(STATUS, 10_000, [4_000]),
      measure(STATUS, 50_000, [60_000], 700),
    ];
    const ts = targets(slow, [variant("small", 100), variant("huge", 100, false)]);
    expect(ts.map((t) => t.met)).toEqual([false, false, false, false, false]);
  });

  it("says what it could not measure", () => {
    const ts = targets([measure(FLOOR, 1_000, [100]), measure(STATUS, 1_000, [300])], undefined);
    expect(ts.every((t) => t.met === undefined)).toBe(true);
  });
});

describe("tables", () => {
  it("quote the median, its ratio to the floor at the same N, and a failure as FAILED", () => {
    const t = mainTable([measure(FLOOR, 1_000, [100, 120, 500]), measure(STATUS, 1_000, [300, 360, 9_000]), { name: "cleanup", n: 1_000, runs: [], failed: "exit 3: boom" }]);
    expect(t).toContain("| status --json | 1k | 3 | 360 | 300-9000 | 3.00 | n/a | n/a | 100 | 2 | 0 |");
    expect(t).toContain("| cleanup | 1k | 0 | FAILED | | | | | | | exit 3: boom |");
  });

  it("growth shows factors and marginal cost between consecutive sizes", () => {
    const g = growthTable([measure(STATUS, 1_000, [200]), measure(STATUS, 10_000, [1_100])], [STATUS]);
    expect(g).toContain("| status --json | 200 | 1100 | 5.50 | 100.0 |  |");
  });
});
