// The simulator's own promise, checked by the project's reader and health model: what the files
// say at any moment is what the simulator meant them to say. Also: every state and health the
// model can derive from files shows up within the demo's first minutes.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEMO_DEFAULTS } from "../../src/commands/demo.js";
import { deriveHeartbeat } from "../../src/core/health/index.js";
import type { Heartbeat } from "../../src/core/types.js";
import { SimulatedGateway, type IntendedSession, type SimulatedGatewayOptions } from "../../src/sim/gateway.js";
import { GENERATED_KINDS, generateStore } from "../../src/sim/generate.js";
import { SCENARIO_KINDS, simThresholds, verdictAt, type IntendedVerdict } from "../../src/sim/scenarios.js";
import { readSnapshot } from "../../src/store/snapshot.js";

/**
 * The simulator runs on a fake clock that the test moves TICK_MS at a time, reading the files
 * only once every step due by then is written: no read straddles a step, and a loaded machine
 * changes how long the test takes, never what it sees. The demo's own speed, so simulated ages
 * read as the demo shows them.
 */
const SPEED = DEMO_DEFAULTS.speed;
/** 4 simulated seconds, as often as the real-clock version of this test managed to read */
const TICK_MS = 400;
const STATES = ["idle", "awaiting_model", "tool_exec", "complete"] as const;
const HEALTHS = ["active", "waiting", "idle", "stalled", "unresponsive"] as const;
/** "within the demo's first minutes": generous on purpose, the scripts need about 2.5 simulated minutes */
const DEMO_BOUND_MS = 3 * 60_000;

const dirs: string[] = [];
const gateways: SimulatedGateway[] = [];
afterEach(async () => {
  for (const g of gateways.splice(0)) await g.stop();
  vi.useRealTimers();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * Fakes the timers the simulator schedules its steps with, and the clock it stamps them with; file
 * I/O, child processes and sockets stay real (setImmediate and nextTick are not faked).
 */
function fakeClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
}

/** Moves the fake clock one tick and waits until the simulator has written what came due. */
async function tick(g: SimulatedGateway): Promise<void> {
  vi.advanceTimersByTime(TICK_MS);
  await g.whenIdle();
}

interface Sample {
  now: number;
  heartbeats: Map<string, Heartbeat>;
  /** intended verdicts that held for the whole read (others are skipped) */
  stable: IntendedSession[];
  readMs: number;
}

/** Reads the state dir the way `status` does and keeps only the verdicts no step changed meanwhile. */
async function sample(g: SimulatedGateway, stateDir: string, tmpDir: string): Promise<Sample> {
  const before = new Map(g.sessions().map((s) => [s.sessionKey, s.verdict]));
  const t0 = Date.now();
  const snap = await readSnapshot({ stateDir, tmpDir, env: {}, probe: true });
  const now = Date.now();
  const heartbeats = new Map(snap.evidence.map((ev) => [ev.sessionKey, deriveHeartbeat(ev, now, g.thresholds)] as const));
  const sameObject = new Map(g.sessions().map((s) => [s.sessionKey, before.get(s.sessionKey) === s.verdict]));
  const stable = g.intended(now).filter((i) => sameObject.get(i.sessionKey) && !i.verdict.transient);
  return { now, heartbeats, stable, readMs: now - t0 };
}

/** A session nothing has happened to yet: no row to read. */
const untouched = (v: IntendedVerdict) => v.state === "idle" && v.storeStatus === undefined && v.lock === "none" && !v.runInProgress;

function compare(s: Sample, g: SimulatedGateway): string[] {
  const problems: string[] = [];
  for (const i of s.stable) {
    const v = i.verdict;
    const hb = s.heartbeats.get(i.sessionKey);
    if (!hb) {
      if (!untouched(v)) problems.push(`${i.kind} ${i.sessionKey}: intended ${v.state}/${v.health} but the reader found no row`);
      continue;
    }
    // too close to the stall threshold to call either way within this read
    const limit = g.thresholds.perState[v.state] ?? g.thresholds.stallAfterMs;
    if (v.runInProgress && v.lock === "alive" && Math.abs(s.now - v.since - limit) <= s.readMs + 50) continue;
    const got = { state: hb.state, health: hb.health, drift: hb.drift !== undefined, storeStatus: hb.storeStatus, toolName: hb.toolName };
    const want = { state: v.state, health: v.health, drift: v.drift, storeStatus: v.storeStatus, toolName: v.toolName };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`${i.kind} ${i.sessionKey}: intended ${JSON.stringify(want)}, model says ${JSON.stringify(got)}\n    ${hb.reasons.join("\n    ")}`);
    }
  }
  return problems;
}

/** A demo-sized simulated gateway in a fresh temp dir, and a live view of its settle and errors. */
function demoGateway(prefix: string, opts: Partial<SimulatedGatewayOptions>) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(root);
  const stateDir = path.join(root, "state");
  const g = new SimulatedGateway({ stateDir, tmpDir: root, speed: SPEED, seed: DEMO_DEFAULTS.seed, sessions: DEMO_DEFAULTS.sessions, ...opts });
  gateways.push(g);
  const seen = { settled: false, problems: [] as string[] };
  g.on("event", (e) => {
    if (e.type === "settled") seen.settled = true;
    if (e.type === "error") seen.problems.push(`simulator error: ${e.message}`);
  });
  return { root, stateDir, g, seen };
}

describe("the simulator, read by the project's own reader and health model", () => {
  it("gets the verdicts it intends, and reaches every state and health within the demo's first minutes", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sim-verdicts-"));
    dirs.push(root);
    const stateDir = path.join(root, "state");
    const g = new SimulatedGateway({ stateDir, tmpDir: root, speed: SPEED, seed: DEMO_DEFAULTS.seed, sessions: DEMO_DEFAULTS.sessions, loop: true });
    gateways.push(g);
    const firstSeen = new Map<string, number>();
    const problems: string[] = [];
    let compared = 0;
    const seenKeys = new Set<string>();
    let settled = false;
    g.on("event", (e) => {
      if (e.type === "settled") settled = true;
      if (e.type === "error") problems.push(`simulator error: ${e.message}`);
    });

    fakeClock();
    const started = Date.now();
    await g.start();
    // every life runs once, then the stall clock passes its threshold, then one more loop round
    let settledAt: number | undefined;
    while (settledAt === undefined || Date.now() - settledAt < g.thresholds.stallAfterMs * 2) {
      // the scripts need about 2.5 simulated minutes: twice that is a simulator that stopped settling
      if (((Date.now() - started) * SPEED) / DEMO_DEFAULTS.speed > 2 * DEMO_BOUND_MS) break;
      await tick(g);
      const s = await sample(g, stateDir, root);
      problems.push(...compare(s, g));
      compared += s.stable.filter((i) => s.heartbeats.has(i.sessionKey)).length;
      for (const [key, hb] of s.heartbeats) {
        seenKeys.add(key);
        for (const label of [`state:${hb.state}`, `health:${hb.health}`]) if (!firstSeen.has(label)) firstSeen.set(label, s.now - started);
      }
      if (settled && settledAt === undefined) settledAt = Date.now();
    }
    expect(settledAt, "every life ran once").toBeDefined();

    // and once more after a clean gateway stop: runs in flight now have nobody to finish them
    await g.stop();
    const after = await sample(g, stateDir, root);
    problems.push(...compare(after, g));
    compared += after.stable.length;
    expect(after.stable.length).toBe(g.sessions().length);
    expect([...after.heartbeats.values()].some((hb) => hb.health === "unresponsive")).toBe(true);

    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(200);
    expect(new Set(g.sessions().map((s) => s.kind))).toEqual(new Set(SCENARIO_KINDS));
    for (const s of g.sessions()) if (!untouched(s.verdict)) expect(seenKeys.has(s.sessionKey), s.sessionKey).toBe(true);

    for (const label of [...STATES.map((x) => `state:${x}`), ...HEALTHS.map((x) => `health:${x}`)]) {
      const at = firstSeen.get(label);
      expect(at, `${label} never derived`).toBeDefined();
      // the fake clock's time, scaled to simulated time, then to the demo's speed
      expect((at! * SPEED) / DEMO_DEFAULTS.speed, label).toBeLessThan(DEMO_BOUND_MS);
    }
  });
});

describe("the static store generator, read by the project's own reader and health model", () => {
  it("gets the verdicts its manifest intends, for every kind (huge files included)", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sim-verdicts-gen-"));
    dirs.push(root);
    const stateDir = path.join(root, "state");
    const manifest = await generateStore({ outDir: stateDir, sessions: 120, seed: 3, bigFiles: 2, bigFileBytes: 2 * 1024 * 1024 });
    // no gateway: nothing but the lock owners can be alive
    const snap = await readSnapshot({ stateDir, tmpDir: root, env: {}, probe: false });
    const th = simThresholds(1);
    const byKey = new Map(snap.evidence.map((ev) => [ev.sessionKey, deriveHeartbeat(ev, manifest.now, th)] as const));
    expect(byKey.size).toBe(120);
    const problems: string[] = [];
    for (const s of manifest.sessions) {
      const hb = byKey.get(s.sessionKey)!;
      const v = verdictAt(s.verdict, manifest.now, th);
      const got = { state: hb.state, health: hb.health, drift: hb.drift !== undefined, storeStatus: hb.storeStatus, toolName: hb.toolName };
      const want = { state: v.state, health: v.health, drift: v.drift, storeStatus: v.storeStatus, toolName: v.toolName };
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${s.kind} ${s.sessionKey}: intended ${JSON.stringify(want)}, model says ${JSON.stringify(got)}\n    ${hb.reasons.join("\n    ")}`);
    }
    expect(problems).toEqual([]);
    expect(new Set(manifest.sessions.map((s) => s.kind))).toEqual(new Set(GENERATED_KINDS));
  });
});

describe("the simulator as OpenClaw 2026.4.26 (trajectory lines written live)", () => {
  it("gets the verdicts it intends, and in-flight runs show their start in the trajectory before they end", async () => {
    const { root, stateDir, g, seen } = demoGateway("sim-verdicts-426-", { version: "2026.4.26" });
    const problems = seen.problems;
    let sawOpenRun = false;
    fakeClock();
    const started = Date.now();
    await g.start();
    while (!seen.settled && ((Date.now() - started) * SPEED) / DEMO_DEFAULTS.speed < 2 * DEMO_BOUND_MS) {
      await tick(g);
      const s = await sample(g, stateDir, root);
      problems.push(...compare(s, g));
      for (const info of g.sessions()) {
        if (!fs.existsSync(info.trajectoryPath)) continue;
        const types = fs.readFileSync(info.trajectoryPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).type as string);
        const lastStart = types.lastIndexOf("session.started");
        if (lastStart >= 0 && types.indexOf("session.ended", lastStart) < 0 && types.includes("prompt.submitted")) sawOpenRun = true;
      }
    }
    expect(seen.settled, "every life ran once").toBe(true);
    expect(problems).toEqual([]);
    expect(sawOpenRun, "a run in flight is visible in its trajectory (2026.4.26 writes live)").toBe(true);
  });
});
