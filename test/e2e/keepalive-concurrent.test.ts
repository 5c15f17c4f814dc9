// keepalive racing real writers on the same index: an era A gateway process (sessions.json.lock
// protocol) incrementing counters, and the built `cleanup` finalizing a dead run. Nobody's change
// may be lost: every increment, the finalize, and keepalive's last touch are all in the file.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type CliResult, REPO_ROOT, runCli, useOwners } from "./helpers/cli.js";
import { ACTIVE, buildStore, KEYS, killLoops, leftovers, readEntries, startLoop } from "./keepalive-fixture.js";

const ERA_A = path.join(REPO_ROOT, "test", "fixtures", "writers", "era-a-gateway.mjs");
const BURST = 100;

const children: ReturnType<typeof spawn>[] = [];

const { live, dead } = useOwners();
afterEach(async () => {
  await killLoops();
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** One era A gateway run of BURST locked increments of two entries; resolves with its report. */
async function gatewayBurst(index: string): Promise<unknown> {
  const gateway = spawn(process.execPath, [ERA_A, index, String(BURST), KEYS.idle, KEYS.active1], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(gateway);
  let out = "";
  gateway.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  await new Promise<void>((r) => gateway.on("close", () => r()));
  return JSON.parse(out.trim());
}

describe("keepalive with concurrent writers", () => {
  it("a gateway (era A) and `cleanup` writing at the same time lose nothing, and neither do we", async () => {
    const fx = buildStore(live, dead);
    // touch about every second so our writes really interleave with theirs
    const loop = startLoop(["--state-dir", fx.state, "--no-probe", "--interval", "0.2", "--refresh-after", "1s", "--json"], fx.env);
    await loop.waitFor((r) => r.type === "tick" && r.writes === 1);

    // gateway bursts (100 locked increments each) until at least 3 of our writes happened during
    // one, while two `cleanup` runs go on at the same time
    const cleanups: CliResult[] = [];
    let cleanupsDone = false;
    const cleanupRuns = (async () => {
      for (let i = 0; i < 2; i++) cleanups.push(await runCli(["cleanup", "--state-dir", fx.state, "--no-probe", "--json"], { env: fx.env }));
      cleanupsDone = true;
    })();
    const reports: unknown[] = [];
    let overlapping = 0;
    // bounded by time, not rounds: on a loaded machine fewer of our 1 s touches fall inside a burst
    const deadline = Date.now() + 90_000;
    while ((overlapping < 3 || !cleanupsDone) && Date.now() < deadline) {
      const from = Date.now();
      reports.push(await gatewayBurst(fx.index));
      const to = Date.now();
      overlapping += loop.records.filter((r) => r.type === "tick" && r.writes > 0 && r.stores[0].at > from && r.stores[0].at < to).length;
    }
    await cleanupRuns;
    expect(overlapping).toBeGreaterThanOrEqual(3);
    const lastTickBefore = loop.records.filter((r) => r.type === "tick").at(-1).tick;
    // one more touch of ours after everyone else is done
    await loop.waitFor((r) => r.type === "tick" && r.tick > lastTickBefore && r.writes === 1);
    loop.child.kill("SIGTERM");
    expect((await loop.exit).code).toBe(0);

    for (const r of reports) expect(r).toEqual({ increments: BURST, lockTimeouts: 0, violations: 0 });
    for (const c of cleanups) expect(c.code, c.stderr).toBe(0);
    const final = readEntries(fx.index);
    expect(final[KEYS.idle].counter).toBe(BURST * reports.length);
    expect(final[KEYS.active1].counter).toBe(BURST * reports.length);
    // cleanup finalized the dead run (and keepalive never touched it)
    expect(final[KEYS.dead].status).not.toBe("running");

    const ticks = loop.records.filter((r) => r.type === "tick");
    for (const t of ticks) expect(t.touched.map((x: any) => x.sessionKey)).not.toContain(KEYS.dead);
    for (const key of ACTIVE) {
      const last = ticks.filter((t) => t.touched.some((x: any) => x.sessionKey === key)).at(-1);
      expect(final[key].updatedAt).toBe(last.stores[0].at);
      expect(final[key].lastInteractionAt).toBe(last.stores[0].at);
    }
    expect(leftovers(fx)).toEqual([]);
  }, 150_000);
});
