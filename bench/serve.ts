// The serve bench (issue 13): 10,000 sessions and 100 connected WebSocket clients on this machine.
//
//   npm run build && node dist/bench/serve.js [--sessions 10000] [--clients 100] [--changes 30] [--out DIR]
//
// - time to ready: the first full read, from spawn to /readyz 200;
// - push latency: a line appended to one session's transcript (the way a gateway appends), until
//   each client has received that session's heartbeat event; p50/p99 over changes x clients;
// - batch answer: GET /api/sessions/heartbeat, fully read, while the changes flow; p50/p99;
// - idle CPU: the serve process's user+sys time over 10 s with nothing changing (real clock: the
//   tick and the timer heartbeats run as in production);
// - memory: the serve process's peak RSS (VmHWM) at the end.
// The store is generated once into <out>/serve/<N>/ (transcripts there get lines appended, so it
// is not shared with `npm run bench`'s pristine stores). Results: stdout and <out>/serve-results.json.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { userMessage } from "../src/sim/format.js";
import { describeMachine, machineLine } from "./machine.js";
import { median } from "./stats.js";
import { ensureStore } from "./stores.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = path.join(ROOT, "bin", "openclaw-sessions.js");

interface Args {
  sessions: number;
  clients: number;
  changes: number;
  outDir: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sessions: 10_000, clients: 100, changes: 30, outDir: path.join(ROOT, "bench", "out") };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, v] = [argv[i], argv[i + 1]];
    if (flag === "--sessions") a.sessions = Number(v);
    else if (flag === "--clients") a.clients = Number(v);
    else if (flag === "--changes") a.changes = Number(v);
    else if (flag === "--out") a.outDir = path.resolve(v!);
    else throw new Error(`unknown flag ${flag}; usage: node dist/bench/serve.js [--sessions N] [--clients N] [--changes N] [--out DIR]`);
  }
  return a;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

function procStat(pid: number): { cpuMs: number; hwm: number; rss: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(f[11]) + Number(f[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { cpuMs: (ticks * 1000) / 100, hwm: kb("VmHWM"), rss: kb("VmRSS") };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const store = await ensureStore(path.join(a.outDir, "serve"), a.sessions, log);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OPENCLAW_")) env[k] = v;
  env.NO_COLOR = "1";

  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--state-dir", store.stateDir, "--no-probe"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      const m = /listening url=(\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on("close", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  while ((await fetch(`${url}/readyz`)).status !== 200) await sleep(50);
  const readyMs = performance.now() - t0;
  log(`serve ready on ${url} after ${(readyMs / 1000).toFixed(2)} s (${a.sessions} sessions)`);

  // the clients: each records when it saw each session's latest transition
  const seen: Array<Map<string, { at: number; lastActivityAt: number | null }>> = [];
  let snapshotBytes = 0;
  const sockets: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: a.clients }, (_, i) => {
      const got = new Map<string, { at: number; lastActivityAt: number | null }>();
      seen.push(got);
      return new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/sessions/ws`);
        sockets.push(ws);
        ws.on("message", (data: Buffer) => {
          const at = performance.now();
          // a snapshot is only sized; events are parsed
          if (data.length > 100_000 || data.subarray(0, 40).includes("snapshot")) {
            if (i === 0) snapshotBytes = data.length;
            resolve();
            return;
          }
          const e = JSON.parse(data.toString("utf8"));
          if (e.type === "heartbeat" && !e.periodic) got.set(e.heartbeat.sessionKey, { at, lastActivityAt: e.heartbeat.lastActivityAt });
        });
        ws.on("error", reject);
      });
    }),
  );
  log(`${a.clients} WebSocket clients connected, each got a ${(snapshotBytes / 2 ** 20).toFixed(1)} MiB snapshot`);

  // idle: nothing changes for 10 s
  await sleep(2_000);
  const idle0 = procStat(child.pid!);
  await sleep(10_000);
  const idle1 = procStat(child.pid!);
  const idleCpu = (idle1.cpuMs - idle0.cpuMs) / 10_000;
  log(`idle CPU: ${(idleCpu * 100).toFixed(1)}% of one core over 10 s`);

  // the sessions to change: small transcripts, one per change
  const index = JSON.parse(fs.readFileSync(path.join(store.stateDir, "agents", "main", "sessions", "sessions.json"), "utf8")) as Record<string, { sessionId: string }>;
  const targets: Array<{ key: string; file: string }> = [];
  for (const [key, entry] of Object.entries(index)) {
    const file = path.join(store.stateDir, "agents", "main", "sessions", `${entry.sessionId}.jsonl`);
    try {
      if (fs.statSync(file).size < 200_000) targets.push({ key, file });
    } catch {
      // no transcript: not a target
    }
    if (targets.length === a.changes) break;
  }

  // batch answers while the changes flow
  const batchMs: number[] = [];
  let flowing = true;
  const batchLoop = (async () => {
    while (flowing) {
      const s = performance.now();
      const r = await fetch(`${url}/api/sessions/heartbeat`);
      await r.arrayBuffer();
      batchMs.push(performance.now() - s);
      await sleep(100);
    }
  })();

  const latencies: number[] = [];
  let missed = 0;
  for (const [n, t] of targets.entries()) {
    const stamp = Date.now() + n;
    const start = performance.now();
    fs.appendFileSync(t.file, `${userMessage(stamp, `bench change ${n}`, { id: `bench${n}`, parentId: null })}\n`);
    const deadline = start + 10_000;
    while (seen.some((m) => m.get(t.key)?.lastActivityAt !== stamp) && performance.now() < deadline) await sleep(5);
    for (const m of seen) {
      const s = m.get(t.key);
      if (s?.lastActivityAt === stamp) latencies.push(s.at - start);
      else missed++;
    }
    await sleep(200);
  }
  flowing = false;
  await batchLoop;
  const end = procStat(child.pid!);

  child.kill("SIGTERM");
  const exit = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  for (const ws of sockets) ws.terminate();

  const results = {
    machine: machineLine(describeMachine(store.dir)),
    date: new Date().toISOString(),
    sessions: a.sessions,
    clients: a.clients,
    changes: targets.length,
    readyMs: Math.round(readyMs),
    snapshotBytes,
    pushMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies), samples: latencies.length, missed },
    batchMs: { p50: median(batchMs), p99: percentile(batchMs, 99), samples: batchMs.length },
    idleCpuPercentOfOneCore: Math.round(idleCpu * 1000) / 10,
    peakRssMiB: Math.round(end.hwm / 2 ** 20),
    rssAtEndMiB: Math.round(end.rss / 2 ** 20),
    exitOnSigterm: exit,
  };
  fs.writeFileSync(path.join(a.outDir, "serve-results.json"), `${JSON.stringify(results, null, 2)}\n`);
  log("");
  log(`| measure | result | target |`);
  log(`|---|---|---|`);
  log(`| first full read (spawn to ready) | ${(results.readyMs / 1000).toFixed(2)} s | |`);
  log(`| file change to every client, p50 / p99 / max | ${results.pushMs.p50.toFixed(0)} / ${results.pushMs.p99.toFixed(0)} / ${results.pushMs.max.toFixed(0)} ms (${latencies.length} samples, ${missed} missed) | p99 < 500 ms |`);
  log(`| batch answer while events flow, p50 / p99 | ${results.batchMs.p50.toFixed(1)} / ${results.batchMs.p99.toFixed(1)} ms (${batchMs.length} requests) | p50 < 50 ms |`);
  log(`| idle CPU | ${results.idleCpuPercentOfOneCore}% of one core | near zero |`);
  log(`| peak RSS | ${results.peakRssMiB} MiB | < 300 MB |`);
  log(`| exit on SIGTERM | ${exit} | 0 |`);
}

await main();
