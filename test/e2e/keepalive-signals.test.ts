// SIGINT / SIGTERM / SIGHUP on the built `keepalive`: exit 0 with nothing left behind, a tick in progress
// is finished (its write completes), a second signal exits at once. (Backing off a conflict is
// run in-process in test/commands/keepalive.test.ts.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useOwners } from "./helpers/cli.js";
import { until } from "./helpers/serve.js";
import { ACTIVE, buildStore, holdGatewayLock, killLoops, leftovers, readEntries, startLoop, stopHolders, untilExists, type Fixture } from "./keepalive-fixture.js";

const { live, dead } = useOwners();
afterEach(async () => {
  await killLoops();
  stopHolders();
});

const base = (fx: Fixture) => ["--state-dir", fx.state, "--no-probe"];
const ownLock = (fx: Fixture) => `${fx.index}.openclaw-sessions.lock`;


describe("stopping", () => {
  // SIGINT's wiring is proven by the second-signal tests below; the stop logic is run in-process
  // in test/commands/keepalive.test.ts. SIGHUP: tmux kill-session, a closed terminal, a dropped SSH
  // connection.
  it.each(["SIGTERM", "SIGHUP"] as const)("%s between ticks: exit 0, a stop line, no lock, pid or temp file left", async (sig) => {
    const fx = buildStore(live, dead);
    const loop = startLoop([...base(fx), "--interval", "0.2", "--json"], fx.env);
    await loop.waitFor((r) => r.type === "tick" && r.tick === 2);
    loop.child.kill(sig);
    expect(await loop.exit).toEqual({ code: 0, signal: null });
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
    await untilExists(ownLock(fx));
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
    // named as ours (the owner file is written after the lock directory): the write now waits for
    // the gateway's lock. A forced exit before that leaves an unnamed lock, which goes stale in 4 s.
    await untilExists(`${ownLock(fx)}.owner`);
    loop.child.kill("SIGINT");
    loop.child.kill("SIGTERM");
    // Sent back to back, the two may be handled in either order: whichever comes second forces
    // the exit with 128 + its number (130 or 143); a first signal alone ends the loop with 0. No
    // tick was logged: it left while its write still waited for the gateway's lock.
    const { code, signal } = await loop.exit;
    expect(signal).toBeNull();
    expect([130, 143]).toContain(code);
    expect(loop.records.filter((r) => r.type === "tick" || r.type === "stop")).toEqual([]);
    expect(fs.readFileSync(fx.index).equals(bytes)).toBe(true);
    // only the gateway's own lock (held by the other process) is still there
    expect(leftovers(fx)).toEqual(["sessions.json.lock"]);
  }, 30_000);

  it.each([
    ["SIGINT", "SIGTERM"],
    ["SIGHUP", "SIGINT"],
  ] as const)("a second signal (%s, %s) while a write waits between its temp file and the rename removes the temp file; the index is untouched", async (one, two) => {
    const fx = buildStore(live, dead);
    const bytes = fs.readFileSync(fx.index);
    const loop = startLoop([...base(fx), "--interval", "5", "--json"], { ...fx.env, OPENCLAW_SESSIONS_FAULT: "slow-rename:20000" });
    const dir = path.dirname(fx.index);
    await until(() => fs.readdirSync(dir).some((f) => f.endsWith(".tmp")), () => "the write's verified temp file never appeared");
    loop.child.kill(one);
    loop.child.kill(two);
    // back to back, either may be handled second: that one forces the exit with 128 + its number
    const { code, signal } = await loop.exit;
    expect(signal).toBeNull();
    expect([one, two].map((sig) => 128 + os.constants.signals[sig])).toContain(code);
    expect(fs.readFileSync(fx.index).equals(bytes)).toBe(true);
    expect(leftovers(fx)).toEqual([]);
  }, 30_000);
});
