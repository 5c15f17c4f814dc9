import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HUGE_BYTES, trajectorySizeExperiment } from "../../bench/trajectory-size.js";

let out: string;
beforeEach(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-traj-"));
});
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

describe("trajectorySizeExperiment", () => {
  it("reads the same last run from a small file and from 500 MiB sparse files that take no disk", async () => {
    const rs = await trajectorySizeExperiment({ outDir: out, cli: path.resolve("bin/openclaw-sessions.js"), env: process.env, iterations: 3, processRuns: 1, log: () => {} });
    expect(rs.map((r) => r.variant)).toEqual(["small", "huge", "huge-1run"]);
    const [small, huge, oneRun] = rs;
    expect(small!.fileBytes).toBeLessThan(1024 * 1024);
    expect(huge!.fileBytes).toBe(HUGE_BYTES);
    expect(oneRun!.fileBytes).toBe(HUGE_BYTES);
    for (const r of rs) {
      expect(r.sameRun).toBe(true);
      expect(r.diskBytes).toBeLessThan(1024 * 1024);
      expect(r.readerMedianUs).toBeGreaterThan(0);
      expect(r.statusMedianMs).toBeGreaterThan(0);
    }
  });
});
