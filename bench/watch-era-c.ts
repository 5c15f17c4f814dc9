// `watch` on an era C store (issue 12): "shows a committed change within 500 ms with near-zero
// idle CPU". On a bench-only COPY of the era C bench store (bench/out/era-c-<N>-watch/, made
// fresh each run; never a user's store):
//
// - a writer process (node:sqlite, read-write, WAL, kept open so -wal/-shm stay and the readers
//   open the store plainly, not immutable) commits one change at a time: a `running` session row
//   and its window set to `done`, as OpenClaw ends a run;
// - latency: from the writer's COMMIT returning to the moment the live source `watch` draws from
//   (src/store/live-source.ts, era C side src/store/sqlite/live.ts: PRAGMA data_version polled)
//   hands its subscribers that session's new verdict, in a separate probe process; both clocks
//   are CLOCK_MONOTONIC (process.hrtime), shared by processes on one machine. p50/p99 over
//   --changes commits spaced 0.6-1.4 s apart (random, so they do not lock onto the 200 ms poll).
//   Not included: Ink drawing the frame (the terminal view re-renders its visible rows only);
// - idle CPU: user+sys of the probe over --idle seconds with nothing committed, then of the real
//   built `watch` (the terminal view, run under a pseudo-terminal by script(1)) over the same span
//   once its first read is done;
// - on screen: then --changes more commits while that view runs, each timed from COMMIT returning
//   to the moment the view's output (read from script(1)) shows the header's `unresponsive` count
//   one lower (each commit ends a dead owner's `running` row, which the view counts there, whether
//   the row is on screen or not): the frame included, and the pty between.
//
//   npm run build && node dist/bench/watch-era-c.js [--sessions 10000] [--changes 20] [--idle 20]
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ERA_C_AGENTS, eraCStore, ROOT } from "./era-c-store.js";
import { median } from "./stats.js";

const CLI = path.join(ROOT, "bin", "openclaw-sessions.js");
const SELF = fileURLToPath(import.meta.url);

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mono = (): number => Number(process.hrtime.bigint()) / 1e6;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

/** user+sys CPU ms of a process so far, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** The first descendant of `pid` whose command line mentions `needle` (script(1) runs a shell that runs node). */
function descendant(pid: number, needle: string): number | undefined {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.shift()!;
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(needle)) return p;
    } catch {
      continue;
    }
    queue.push(...(children.get(p) ?? []));
  }
  return undefined;
}

// ------------------------------------------------------------------ child roles (IPC messages)

interface Db {
  exec(sql: string): void;
  prepare(sql: string): { all(...p: unknown[]): Array<Record<string, unknown>>; run(...p: unknown[]): unknown };
  close(): void;
}

/** The writer: opens every agent DB read-write, lists `running` rows to end, ends one per request. */
function writer(stateDir: string, changes: number): void {
  const { DatabaseSync } = createRequire(import.meta.url)("node:sqlite") as { DatabaseSync: new (p: string) => Db };
  const dbs = ERA_C_AGENTS.map((a) => {
    const db = new DatabaseSync(path.join(stateDir, "agents", a, "agent", "openclaw-agent.sqlite"));
    db.exec("PRAGMA busy_timeout = 5000");
    // a read keeps the WAL open (and with it -wal and -shm) for as long as this connection lives
    db.prepare("SELECT count(*) FROM session_nodes").all();
    return db;
  });
  // round-robin over the agents: each change lands in another store
  const targets: Array<{ db: Db; key: string }> = [];
  const perAgent = dbs.map((db) => db.prepare("SELECT session_key AS key FROM session_nodes WHERE status = 'running' AND entry_valid != -1 AND archived_at IS NULL ORDER BY session_key").all().map((r) => String(r.key)));
  for (let i = 0; targets.length < changes && i < 100_000; i++) {
    const a = i % dbs.length;
    const key = perAgent[a]![Math.floor(i / dbs.length)];
    if (key !== undefined) targets.push({ db: dbs[a]!, key });
  }
  process.send!({ type: "ready", keys: targets.map((t) => t.key) });
  process.on("message", (m: { type: string; i?: number }) => {
    if (m.type === "stop") {
      for (const db of dbs) db.close();
      process.exit(0);
    }
    const t = targets[m.i!]!;
    const at = Date.now();
    t.db.exec("BEGIN IMMEDIATE");
    t.db.prepare("UPDATE session_nodes SET status = 'done', updated_at = ?, entry_json = json_set(entry_json, '$.status', 'done', '$.endedAt', ?, '$.updatedAt', ?) WHERE session_key = ?").run(at, at, at, t.key);
    t.db.prepare("UPDATE session_windows SET status = 'done', ended_at = ?, updated_at = ? WHERE session_id = (SELECT current_session_id FROM session_nodes WHERE session_key = ?)").run(at, at, t.key);
    t.db.exec("COMMIT");
    process.send!({ type: "committed", i: m.i, at: mono() });
  });
}

/** The probe: the live source `watch` draws from; reports when each watched key's row shows `done`. */
async function probe(stateDir: string): Promise<void> {
  const { openLiveSource } = await import("../src/store/live-source.js");
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OPENCLAW_")) env[k] = v;
  const source = await openLiveSource({ stateDir, probe: false, env });
  const waiting = new Set<string>();
  const check = (): void => {
    if (waiting.size === 0) return;
    const at = mono();
    for (const hb of source.get()) {
      if (waiting.has(hb.sessionKey) && hb.storeStatus === "done") {
        waiting.delete(hb.sessionKey);
        process.send!({ type: "seen", key: hb.sessionKey, at, health: hb.health, state: hb.state });
      }
    }
  };
  source.subscribe(check);
  process.on("message", (m: { type: string; key?: string }) => {
    if (m.type === "watch") {
      waiting.add(m.key!);
      // already shown before this message came (never seen so far: the commit follows it)
      check();
    }
    if (m.type === "stop") {
      source.close();
      process.exit(0);
    }
  });
  process.send!({ type: "ready", sessions: source.get().length });
}

// ------------------------------------------------------------------ the view's screen

/**
 * Reads the view's terminal output as it comes and follows the header's `✖ N unresponsive`
 * (escape sequences stripped; a count split across two chunks is found in the joined text).
 */
class ScreenWatch {
  private tail = "";
  private count: number | undefined;
  private waiting: { ok: (n: number) => boolean; resolve: (at: number) => void } | undefined;
  constructor(out: NodeJS.ReadableStream) {
    out.on("data", (chunk: Buffer) => {
      const at = mono();
      this.tail = (this.tail + chunk.toString("utf8").replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")).slice(-4096);
      const all = [...this.tail.matchAll(/✖ (\d+) unresponsive/g)];
      if (all.length === 0) return;
      this.count = Number(all.at(-1)![1]);
      // keep only what follows the last count: it is not matched twice
      this.tail = this.tail.slice(all.at(-1)!.index! + all.at(-1)![0].length);
      if (this.waiting?.ok(this.count)) {
        this.waiting.resolve(at);
        this.waiting = undefined;
      }
    });
  }
  unresponsive(): number | undefined {
    return this.count;
  }
  /** Resolves with the monotonic time of the output that first shows a count passing `ok`. */
  until(ok: (n: number) => boolean, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the view did not show the change within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = {
        ok,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
    });
  }
}

// ------------------------------------------------------------------ the bench

function child(role: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [SELF, "--role", role, ...args], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

function next<T>(c: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off("message", on);
      reject(new Error(`no "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: { type: string }) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      c.off("message", on);
      resolve(m as T);
    };
    c.on("message", on);
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string, dflt: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
  const sessions = flag("--sessions", 10_000);
  const changes = flag("--changes", 20);
  const idleS = flag("--idle", 20);
  const source = await eraCStore(sessions);
  const copy = path.join(ROOT, "bench", "out", `era-c-${sessions}-watch`, "state");
  fs.rmSync(path.dirname(copy), { recursive: true, force: true });
  fs.cpSync(source, copy, { recursive: true });
  log(`node ${process.version}, ${os.availableParallelism()} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} at start; store copy ${copy}`);

  // the first half for the probe, the second for the view on screen
  const w = child("writer", [copy, String(2 * changes)]);
  const { keys } = await next<{ keys: string[] }>(w, "ready", 60_000);
  const p = child("probe", [copy]);
  const t0 = mono();
  const ready = await next<{ sessions: number }>(p, "ready", 300_000);
  log(`probe: first read of ${ready.sessions} sessions in ${((mono() - t0) / 1000).toFixed(2)} s`);
  await sleep(3_000);

  // latency
  const latencies: number[] = [];
  const verdicts = new Map<string, number>();
  const cpuBefore = cpuMsOf(p.pid!);
  const changesStarted = mono();
  for (let i = 0; i < Math.min(changes, keys.length); i++) {
    p.send({ type: "watch", key: keys[i] });
    const seen = next<{ key: string; at: number; health: string; state: string }>(p, "seen", 10_000);
    w.send({ type: "commit", i });
    const [{ at: committed }, s] = await Promise.all([next<{ at: number }>(w, "committed", 10_000), seen]);
    latencies.push(s.at - committed);
    verdicts.set(`${s.health}/${s.state}`, (verdicts.get(`${s.health}/${s.state}`) ?? 0) + 1);
    await sleep(600 + Math.random() * 800);
  }
  const changeCpu = cpuMsOf(p.pid!) - cpuBefore;
  const changeSpan = mono() - changesStarted;
  log(`commit -> new verdict in the live source, ${latencies.length} changes: p50 ${median(latencies).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms (all: ${latencies.map((l) => l.toFixed(0)).join(" ")})`);
  log(`new verdicts: ${[...verdicts].map(([v, n]) => `${n} x ${v}`).join(", ")}; probe CPU while changing: ${changeCpu.toFixed(0)} ms over ${(changeSpan / 1000).toFixed(1)} s`);

  // idle: the probe, then the real terminal view
  await sleep(2_000);
  const idle0 = cpuMsOf(p.pid!);
  await sleep(idleS * 1000);
  const probeIdle = (cpuMsOf(p.pid!) - idle0) / (idleS * 1000);
  log(`probe idle CPU: ${(probeIdle * 100).toFixed(1)} % of one core over ${idleS} s (load average ${os.loadavg()[0]!.toFixed(1)})`);
  p.send({ type: "stop" });

  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OPENCLAW_")) env[k] = v;
  const cmd = `exec ${process.execPath} ${CLI} watch --no-probe --state-dir ${copy}`;
  // stdin a pipe left open: script(1) passes an EOF on to the view, which would end it; stdout read
  // all along (a pty nobody reads blocks the view's writes)
  const view = spawn("script", ["-qfec", cmd, "/dev/null"], { env: { ...env, COLUMNS: "160", LINES: "50" }, stdio: ["pipe", "pipe", "ignore"] });
  const screen = new ScreenWatch(view.stdout!);
  let watchPid: number | undefined;
  for (let i = 0; i < 50 && watchPid === undefined; i++) {
    await sleep(100);
    watchPid = descendant(view.pid!, "openclaw-sessions.js");
  }
  let watchIdle: number | undefined;
  let firstRead: number | undefined;
  const onScreen: number[] = [];
  if (watchPid !== undefined) {
    // its first read is done once a 2 s window uses under a tenth of a core
    const started = mono();
    let last = cpuMsOf(watchPid);
    for (let i = 0; i < 150; i++) {
      await sleep(2_000);
      const now = cpuMsOf(watchPid);
      if (now - last < 200) {
        firstRead = (mono() - started) / 1000;
        break;
      }
      last = now;
    }
    const v0 = cpuMsOf(watchPid);
    await sleep(idleS * 1000);
    watchIdle = (cpuMsOf(watchPid) - v0) / (idleS * 1000);
    log(`watch (terminal view under script(1)) idle CPU: ${(watchIdle * 100).toFixed(1)} % of one core over ${idleS} s, after its first read settled (~${firstRead?.toFixed(0) ?? "?"} s) (load average ${os.loadavg()[0]!.toFixed(1)})`);

    // on screen: the header's count of unresponsive sessions drops by one with each commit
    for (let i = changes; i < keys.length; i++) {
      const before = screen.unresponsive();
      if (before === undefined) break;
      const shown = screen.until((n) => n < before, 10_000);
      w.send({ type: "commit", i });
      const [{ at: committed }, at] = await Promise.all([next<{ at: number }>(w, "committed", 10_000), shown]);
      onScreen.push(at - committed);
      await sleep(600 + Math.random() * 800);
    }
    log(`commit -> the view's frame on screen, ${onScreen.length} changes: p50 ${median(onScreen).toFixed(0)} ms, p99 ${percentile(onScreen, 99).toFixed(0)} ms, max ${Math.max(...onScreen).toFixed(0)} ms (all: ${onScreen.map((l) => l.toFixed(0)).join(" ")}) (load average ${os.loadavg()[0]!.toFixed(1)})`);
  } else {
    log("watch: could not find the node process under script(1); its idle CPU is not measured");
  }
  view.kill("SIGTERM");
  if (watchPid !== undefined) {
    try {
      process.kill(watchPid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  w.send({ type: "stop" });
  await sleep(500);
  log("");
  log("| what | N | result | target |");
  log("|---|---:|---|---|");
  log(`| commit -> new verdict (live source), p50 / p99 of ${latencies.length} | ${sessions / 1000}k | ${median(latencies).toFixed(0)} / ${percentile(latencies, 99).toFixed(0)} ms | < 500 ms |`);
  log(`| idle CPU, live source alone | ${sessions / 1000}k | ${(probeIdle * 100).toFixed(1)} % of one core | near zero |`);
  log(`| idle CPU, \`watch\` terminal view | ${sessions / 1000}k | ${watchIdle === undefined ? "-" : `${(watchIdle * 100).toFixed(1)} % of one core`} | near zero |`);
  log(`| commit -> frame on screen (\`watch\` view), p50 / p99 of ${onScreen.length} | ${sessions / 1000}k | ${onScreen.length === 0 ? "-" : `${median(onScreen).toFixed(0)} / ${percentile(onScreen, 99).toFixed(0)} ms`} | < 500 ms |`);
}

const roleAt = process.argv.indexOf("--role");
if (roleAt >= 0) {
  const [role, stateDir, n] = process.argv.slice(roleAt + 1);
  if (role === "writer") writer(stateDir!, Number(n));
  else await probe(stateDir!);
} else {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
