// SIGINT / SIGTERM on the built `keepalive`: exit 0 with nothing left behind, a tick in progress
// is finished (its write completes), a second signal exits at once; and conflicts back off.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT, useOwners } from "./helpers/cli.js";
import { ACTIVE, buildStore, killLoops, leftovers, readEntries, sleep, startLoop, type Fixture } from "./keepalive-fixture.js";

const HOLD = path.join(REPO_ROOT, "test", "fixtures", "writers", "hold-gateway-lock.mjs");

const holders: ReturnType<typeof spawn>[] = [];

const { live, dead } = useOwners();
afterEach(async () => {
  await killLoops();
  for (const h of holders.splice(0)) h.kill("SIGKILL");
});

const base = (fx: Fixture) => ["--state-dir", fx.state, "--no-probe"];
const ownLock = (fx: Fixture) => `${fx.index}.openclaw-sessions.lock`;

/** An era A gateway holding `sessions.json.lock` for holdMs, or until release() (resolves once it holds it). */
async function holdGatewayLock(fx: Fixture, holdMs: number | "until-signal"): Promise<{ done: Promise<string>; release: () => void }> {
  const child = spawn(process.execPath, [HOLD, fx.index, String(holdMs)], { stdio: ["ignore", "pipe", "inherit"] });
  holders.push(child);
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const done = new Promise<string>((resolve) => child.on("close", () => resolve(out)));
  while (!out.includes("locked")) {
    if (child.exitCode !== null) throw new Error(`lock holder exited: ${out}`);
    await sleep(10);
  }
  return { done, release: () => void child.kill("SIGUSR2") };
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await sleep(5);
  }
}

describe("stopping", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("%s between ticks: exit 0, a stop line, no lock, pid or temp file left", async (sig) => {
    const fx = buildStore(live, dead);
    const loop = startLoop([...base(fx), "--interval", "0.2", "--json"], fx.env);
    await loop.waitFor((r) => r.type === "tick" && r.tick === 2);
    const sentAt = Date.now();
    loop.child.kill(sig);
    expect(await loop.exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(loop.records.at(-1)).toMatchObject({ type: "stop", signal: sig });
    expect(loop.stderr()).toBe("");
    expect(leftovers(fx)).toEqual([]);
  }, 30_000);

  it("a signal during a write lets the write finish, then exits 0", async () => {
    const fx = buildStore(live, dead);
    // held until the loop is inside its write (however slowly it starts), released after the signal
    const gateway = await holdGatewayLock(fx, "until-signal");
    // --interval 5: the write may wait 3 s for the gateway's lock
    const loop = startLoop([...base(fx), "--interval", "5", "--json"], fx.env);
    await until(() => fs.existsSync(ownLock(fx)));
    loop.child.kill("SIGTERM");
    gateway.release();
    expect(await gateway.done).toContain("intact");
    expect(await loop.exit).toEqual({ code: 0, signal: null });
    const ticks = loop.records.filter((r) => r.type === "tick");
    expect(ticks).toHaveLength(1);
    expect(ticks[0]).toMatchObject({ writes: 1 });
    expect(ticks[0].touched.map((t: any) => t.sessionKey).sort()).toEqual([...ACTIVE].sort());
    const after = readEntries(fx.index);
    for (const key of ACTIVE) expect(after[key].updatedAt).toBe(ticks[0].stores[0].at);
    expect(loop.records.at(-1)).toMatchObject({ type: "stop", signal: "SIGTERM", writes: 1 });
    expect(leftovers(fx)).toEqual([]);
  }, 30_000);

  it("a second signal exits at once (128 + signal), removing our locks; the index is untouched", async () => {
    const fx = buildStore(live, dead);
    const bytes = fs.readFileSync(fx.index);
    await holdGatewayLock(fx, 20_000);
    const loop = startLoop([...base(fx), "--interval", "5", "--json"], fx.env);
    await until(() => fs.existsSync(ownLock(fx)));
    loop.child.kill("SIGINT");
    await sleep(200);
    expect(loop.child.exitCode).toBeNull(); // still finishing its tick: the write waits up to 3 s
    const sentAt = Date.now();
    loop.child.kill("SIGTERM");
    expect(await loop.exit).toEqual({ code: 143, signal: null });
    // well before the write would have given up waiting for the gateway's lock
    expect(Date.now() - sentAt).toBeLessThan(1_500);
    expect(fs.readFileSync(fx.index).equals(bytes)).toBe(true);
    // only the gateway's own lock (held by the other process) is still there
    expect(leftovers(fx)).toEqual(["sessions.json.lock"]);
  }, 30_000);
});

describe("conflicts", () => {
  it("back off: a write that cannot get the gateway's lock is retried later, not every tick, and goes through once it is free", async () => {
    const fx = buildStore(live, dead);
    // held until the test has seen the conflict and the back-off: however slowly the loop starts
    const gateway = await holdGatewayLock(fx, "until-signal");
    // --interval 0.2: a write waits at most 1 s for the gateway's lock
    const loop = startLoop([...base(fx), "--interval", "0.2", "--json"], fx.env);
    const conflict = await loop.waitFor((r) => r.type === "tick" && r.stores[0]?.outcome === "conflict");
    expect(conflict.writes).toBe(0);
    expect(conflict.stores[0].error).toMatch(/sessions\.json\.lock is held by pid \d+/);
    expect(conflict.stores[0].retryInMs).toBeGreaterThan(0);
    // the loop keeps ticking, but leaves the store alone until the retry time
    const next = await loop.waitFor((r) => r.type === "tick" && r.tick > conflict.tick && r.stores[0]?.outcome === "backoff");
    expect(next.stores[0].retryInMs).toBeGreaterThan(0);
    expect(next.writes).toBe(0);
    gateway.release();
    expect(await gateway.done).toContain("intact");
    const written = await loop.waitFor((r) => r.type === "tick" && r.writes === 1, 20_000);
    expect(written.touched.map((t: any) => t.sessionKey).sort()).toEqual([...ACTIVE].sort());
    loop.child.kill("SIGTERM");
    expect((await loop.exit).code).toBe(0);
    expect(leftovers(fx)).toEqual([]);
  }, 40_000);
});
