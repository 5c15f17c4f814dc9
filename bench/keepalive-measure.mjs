// Measures `keepalive` on a generated store of 1,000 sessions with exactly 10 active (their lock
// owner is a child process kept alive for the run). Build first: npx tsc -p .
//   node bench/keepalive-measure.mjs cpu                 CPU per idle tick (process.cpuUsage, runTick in-process)
//   node bench/keepalive-measure.mjs writes [staggered]  writes per hour on a simulated clock (1 tick = 60 s)
//   node bench/keepalive-measure.mjs cli                 the built CLI, time compressed 300x, writes extrapolated
// Env: N (idle ticks, default 30), K (simulated ticks, default 120), D (cli seconds, default 40).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(repo, "dist", "src");
const { generateStore } = await import(path.join(dist, "sim/generate.js"));
const { lockBody } = await import(path.join(dist, "sim/format.js"));
const { runTick, KeepaliveState } = await import(path.join(dist, "commands/keepalive-tick.js"));
const { readProcStartTime } = await import(path.join(dist, "store/proc.js"));

const mode = process.argv[2] ?? "cpu";
const stagger = process.argv[3] === "staggered";
const out = fs.mkdtempSync(path.join(os.tmpdir(), "ka-measure-"));
process.env.XDG_STATE_HOME = path.join(out, "xdg"); // the audit log of this run stays in the temp dir
const owner = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e9)"], { stdio: "ignore" });
try {
  await measure();
} finally {
  owner.kill("SIGKILL");
  fs.rmSync(out, { recursive: true, force: true });
}

async function measure() {
  const live = { pid: owner.pid, starttime: readProcStartTime(owner.pid) };
  const t0 = Date.now();
  const stateDir = path.join(out, "state");
  const m = await generateStore({ outDir: stateDir, sessions: 1000, agents: ["main"], livePid: live.pid, now: t0 });
  // exactly 10 active (those with a trajectory first); the other running-live locks name the dead owner
  const liveOnes = m.sessions.filter((s) => s.kind === "running-live").sort((a, b) => Number(!!b.trajectoryPath) - Number(!!a.trajectoryPath));
  for (const s of liveOnes.slice(10)) fs.writeFileSync(s.lockPath, lockBody(m.deadOwner.pid, t0 - 60_000, m.deadOwner.starttime, 300_000));
  const active = liveOnes.slice(0, 10);
  const indexFile = path.join(stateDir, "agents", "main", "sessions", "sessions.json");
  if (stagger) {
    // the 10 were last touched at different times over the last 10 minutes
    const idx = JSON.parse(fs.readFileSync(indexFile, "utf8"));
    active.forEach((s, i) => (idx[s.sessionKey].updatedAt = idx[s.sessionKey].lastInteractionAt = t0 - i * 61_000));
    fs.writeFileSync(indexFile, JSON.stringify(idx, null, 2));
  }
  const settings = (now) => ({
    store: { stateDir },
    intervalMs: 60_000,
    activityThresholdMs: 600_000,
    fields: ["updatedAt", "lastInteractionAt"],
    dryRun: false,
    probe: false,
    env: { ...process.env },
    fixedNow: now,
    gatewayLockWaitMs: 3000,
    maxBackoffMs: 300_000,
    random: Math.random,
  });
  const state = new KeepaliveState();
  const first = await runTick(settings(t0), state, () => false);
  console.log(`store: ${first.seen} sessions, index ${fs.statSync(indexFile).size} bytes; first tick: touched ${first.touched.length}, writes ${first.writes}, skipped ${JSON.stringify(first.skipped)}`);

  if (mode === "cpu") {
    const N = Number(process.env.N ?? 30);
    for (let i = 0; i < 3; i++) await runTick(settings(t0 + 1000), state, () => false); // warm up
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    let writes = 0;
    for (let i = 0; i < N; i++) writes += (await runTick(settings(t0 + 2000 + i), state, () => false)).writes;
    const c = process.cpuUsage(c0);
    const wall = performance.now() - w0;
    const ms = (us) => (us / N / 1000).toFixed(1);
    console.log(`${N} idle ticks, ${writes} writes: CPU per tick ${ms(c.user + c.system)} ms (user ${ms(c.user)}, system ${ms(c.system)}), wall ${(wall / N).toFixed(1)} ms`);
  } else if (mode === "writes") {
    // tick k at t0 + k*60 s; the active runs keep producing events and hold a fresh lock, as a live
    // gateway does, but never bump updatedAt themselves (the worst case for keepalive)
    const K = Number(process.env.K ?? 120);
    let writes = first.writes;
    for (let k = 1; k <= K; k++) {
      const now = t0 + k * 60_000;
      for (const s of active) {
        const ev = { traceSchema: "openclaw-trajectory", schemaVersion: 1, traceId: s.sessionId, source: "runtime", type: "model.delta", ts: new Date(now - 5_000).toISOString(), seq: 1000 + k, sourceSeq: 1000 + k, sessionId: s.sessionId, sessionKey: s.sessionKey, runId: "live" };
        if (s.trajectoryPath) fs.appendFileSync(s.trajectoryPath, `${JSON.stringify(ev)}\n`);
        fs.writeFileSync(s.lockPath, lockBody(live.pid, now - 10_000, live.starttime, 300_000));
      }
      const rec = await runTick(settings(now), state, () => false);
      writes += rec.writes;
      const stray = rec.touched.filter((t) => !active.some((a) => a.sessionKey === t.sessionKey));
      if (stray.length) throw new Error(`touched a session that is not active: ${stray.map((t) => t.sessionKey)}`);
    }
    const hours = (K + 1) / 60;
    console.log(`simulated ${K + 1} ticks of 60 s (${hours.toFixed(2)} h): ${writes} writes => ${(writes / hours).toFixed(1)} writes/hour${stagger ? " (staggered)" : ""}`);
  } else if (mode === "cli") {
    state.releaseAll(); // the first tick above took the store's loop lock for this process
    // real time compressed 300x: --interval 0.2 (= 60 s), --refresh-after 2s (= the default 10 min window)
    const D = Number(process.env.D ?? 40);
    const args = ["keepalive", "--state-dir", stateDir, "--no-probe", "--interval", "0.2", "--refresh-after", "2s", "--json"];
    const child = spawn(process.execPath, [path.join(repo, "bin", "openclaw-sessions.js"), ...args], { env: { ...process.env }, stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (text += d));
    const started = Date.now();
    await new Promise((r) => setTimeout(r, D * 1000));
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.on("close", r));
    const ran = (Date.now() - started) / 1000;
    const ticks = text.trim().split("\n").map((l) => JSON.parse(l)).filter((r) => r.type === "tick");
    const writes = ticks.reduce((n, t) => n + t.writes, 0);
    const touched = new Set(ticks.flatMap((t) => t.touched.map((x) => x.sessionKey)));
    const hours = (ran * 300) / 3600;
    console.log(`CLI ran ${ran.toFixed(1)} s (exit ${code}): ${ticks.length} ticks, ${writes} writes, ${touched.size} sessions touched; x300 = ${hours.toFixed(2)} h => ${(writes / hours).toFixed(1)} writes/hour (mean tick ${(ticks.reduce((n, t) => n + t.durationMs, 0) / ticks.length).toFixed(0)} ms)`);
  } else {
    throw new Error(`unknown mode ${mode} (cpu | writes [staggered] | cli)`);
  }
}
