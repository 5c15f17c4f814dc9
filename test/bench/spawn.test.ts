import { describe, expect, it } from "vitest";
import { timedRun } from "../../bench/spawn.js";

const script = "const a = Buffer.alloc(64 * 1024 * 1024, 1); process.stdout.write('x'.repeat(1000)); process.stderr.write('boom'); process.exitCode = 3;";

describe("timedRun", () => {
  it.each([
    ["GNU time", true],
    ["polling VmHWM", false],
  ])("reports exit code, output size, stderr and a peak RSS that includes a 64 MiB buffer (%s)", async (_label, gnu) => {
    const r = await timedRun({ argv: [process.execPath, "-e", `${script} setTimeout(() => {}, 100);`] }, gnu);
    expect(r.exitCode).toBe(3);
    expect(r.stdoutBytes).toBe(1000);
    expect(r.stderr).toBe("boom");
    expect(r.timedOut).toBe(false);
    expect(r.peakRss!).toBeGreaterThan(64 * 2 ** 20);
    expect(r.ms).toBeGreaterThan(0);
    // GNU time also gives CPU time; polling cannot
    expect(r.cpuMs === undefined).toBe(!gnu);
  });

  it("stops a process that outlives its time limit", async () => {
    const r = await timedRun({ argv: [process.execPath, "-e", "setTimeout(() => {}, 60000)"], timeoutMs: 300 }, true);
    expect(r.timedOut).toBe(true);
    expect(r.exitCode === 0).toBe(false);
  });
});
