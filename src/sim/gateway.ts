// A simulated OpenClaw 2026.7.1 gateway: drives sessions through scripted lives (scenarios.ts) on
// a timeline scaled by `speed`, writing the real file formats into a state dir. It holds the
// gateway singleton lock, answers /healthz, and owns real child processes for lock owners that
// live (embedded runners) or die (crashes). Deterministic for a given seed, up to wall-clock time.

import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { ChildProcess } from "node:child_process";
import type { Thresholds } from "../core/types.js";
import { OPENCLAW_VERSION, sessionKeys, type SimVersion } from "./format.js";
import { Rng } from "./random.js";
import {
  SCENARIO_KINDS,
  TERMINAL_SCENARIOS,
  scenarioScript,
  simThresholds,
  verdictAt,
  type IntendedVerdict,
  type ScenarioKind,
  type ScriptStep,
  type SimAction,
} from "./scenarios.js";
import { SimSession, type SimSessionInfo, type SimSessionSpec } from "./session-runtime.js";
import { exited, readStarttime, writeConfig, writeGatewayLock } from "./writer-fs.js";
import { FakeGateway, SimAgentFeed } from "./gateway-ws.js";

export interface SimulatedGatewayOptions {
  stateDir: string;
  /** number of sessions (default 12, one per scenario kind) */
  sessions?: number;
  /** timeline speed-up: 100 = a 2 min stall takes 1.2 s (default 1) */
  speed?: number;
  seed?: number;
  /** where `openclaw-<uid>/gateway.<hash>.lock` goes (default os.tmpdir()) */
  tmpDir?: string;
  agents?: readonly string[];
  /** scenario of session i is scenarios[i % length] (default: every kind once, then a weighted mix) */
  scenarios?: readonly ScenarioKind[];
  /** repeat non-terminal lives forever (the demo); default false: each life runs once */
  loop?: boolean;
  /** which OpenClaw the files are written as (default 2026.7.1; 2026.4.26 writes trajectory lines live) */
  version?: SimVersion;
  /** serve /healthz on 127.0.0.1 (ephemeral port) and record the port (default true) */
  healthz?: boolean;
  /** also speak the gateway WebSocket subset on that port (gateway-ws.ts), for `watch --gateway` (default false) */
  websocket?: boolean;
  clock?: () => number;
}

export type SimEvent =
  | { type: "started"; at: number; gatewayLockPath: string; configPath: string; port?: number }
  | { type: "step"; at: number; action: SimAction["do"]; session: SimSessionInfo }
  /** every session's life has run once (terminal scenarios stay where they ended) */
  | { type: "settled"; at: number }
  | { type: "error"; at: number; message: string; sessionKey?: string }
  | { type: "stopped"; at: number };

export interface IntendedSession {
  agentId: string;
  sessionKey: string;
  sessionId: string;
  kind: ScenarioKind;
  verdict: IntendedVerdict;
}

const WEIGHTS: [ScenarioKind, number][] = [
  ["quick", 30],
  ["group", 10],
  ["cron", 10],
  ["subagent", 8],
  ["long-tool", 8],
  ["slow-model", 8],
  ["embedded", 5],
  ["stall", 5],
  ["crash-tool", 4],
  ["crash-new-session", 3],
  ["ended-index-running", 5],
  ["error-grace", 4],
  ["embedded-abort", 3],
];

const MODELS: Record<string, { provider: string; model: string }> = {
  main: { provider: "anthropic", model: "claude-sonnet-4-5" },
  ops: { provider: "openai", model: "gpt-5.1" },
  research: { provider: "ollama", model: "qwen3:8b" },
};

const CHANNELS = ["telegram", "discord", "slack", "whatsapp"];
const CRON_JOBS = ["nightly-report", "inbox-triage", "backup-check", "price-watch"];

interface Slot {
  session: SimSession;
  rng: Rng;
  steps: ScriptStep[];
  index: number;
  cycle: number;
  timer?: NodeJS.Timeout;
  /** websocket only: the model starts streaming a reply before the reply is written */
  streamTimer?: NodeJS.Timeout;
  settled: boolean;
  /** an asynchronous step (a kill awaiting its reap) is under way: files and verdict may disagree */
  busy: boolean;
}

/** websocket only: when, in the wait for a written reply, the model starts streaming it */
const STREAM_FROM = 0.6;

/**
 * A run in flight when its gateway stops (lock released) or its runner is killed (lock left with a
 * dead pid): nothing can move it any more. If its final reply was already written (the transient
 * window before the run's end), the turn reads as complete; the index still says running.
 */
function abandoned(v: IntendedVerdict, lock: "none" | "dead", now: number): IntendedVerdict {
  const running = v.storeStatus === "running";
  const base = { ...v, runInProgress: false, lock, drift: running, since: now, transient: false };
  if (v.transient) return { ...base, state: "complete", health: "idle", ...(running ? { finalizeTo: "failed" as const } : {}) };
  return { ...base, health: "unresponsive", ...(running ? { finalizeTo: "failed" as const } : {}) };
}

export class SimulatedGateway extends EventEmitter {
  readonly stateDir: string;
  readonly speed: number;
  readonly seed: number;
  readonly version: SimVersion | undefined;
  readonly tmpDir: string;
  readonly agents: readonly string[];
  readonly thresholds: Thresholds;
  readonly configPath: string;
  gatewayLockPath: string | undefined;
  port: number | undefined;
  private readonly opts: SimulatedGatewayOptions;
  private readonly clock: () => number;
  private readonly rng: Rng;
  private readonly slots: Slot[] = [];
  private readonly children = new Set<ChildProcess>();
  private server: http.Server | undefined;
  private socket: FakeGateway | undefined;
  private feed: SimAgentFeed | undefined;
  private running = false;
  private stopped = false;
  private settledEmitted = false;
  private pending = new Set<Promise<void>>();
  private sessionCounter = 0;

  constructor(opts: SimulatedGatewayOptions) {
    super();
    this.opts = opts;
    this.stateDir = path.resolve(opts.stateDir);
    this.speed = opts.speed ?? 1;
    if (!(this.speed > 0)) throw new Error(`speed must be > 0, got ${opts.speed}`);
    this.seed = opts.seed ?? 1;
    this.version = opts.version;
    this.tmpDir = opts.tmpDir ?? os.tmpdir();
    this.agents = opts.agents ?? ["main", "ops", "research"];
    this.thresholds = simThresholds(this.speed);
    this.configPath = path.join(this.stateDir, "openclaw.json");
    this.clock = opts.clock ?? Date.now;
    this.rng = new Rng(this.seed);
  }

  override on(event: "event", listener: (e: SimEvent) => void): this {
    return super.on(event, listener);
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.stopped) throw new Error("a SimulatedGateway cannot be restarted: create a new one");
    this.running = true;
    fs.mkdirSync(this.stateDir, { recursive: true });
    if (this.opts.healthz !== false) this.port = await this.listen();
    if (this.opts.websocket && this.server) await this.speakWebSocket(this.server);
    writeConfig(this.stateDir, this.config());
    const now = this.clock();
    this.gatewayLockPath = writeGatewayLock({
      tmpDir: this.tmpDir,
      configPath: this.configPath,
      pid: process.pid,
      createdAt: now,
      ...(this.port !== undefined ? { port: this.port } : {}),
      ...(readStarttime(process.pid) !== undefined ? { startTime: readStarttime(process.pid)! } : {}),
    });
    const n = this.opts.sessions ?? SCENARIO_KINDS.length;
    for (let i = 0; i < n; i++) this.addSession(this.kindFor(i), i);
    this.emitEvent({ type: "started", at: now, gatewayLockPath: this.gatewayLockPath, configPath: this.configPath, ...(this.port !== undefined ? { port: this.port } : {}) });
    for (const slot of this.slots) this.schedule(slot);
    if (this.slots.length === 0) this.checkSettled();
  }

  /**
   * A clean gateway stop (SIGTERM-like): timers cleared, child processes killed and reaped, the
   * gateway's own transcript locks and singleton lock removed, /healthz closed. Index rows of
   * runs in flight stay `running`, as OpenClaw leaves them.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopped = true;
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      clearTimeout(slot.streamTimer);
    }
    await Promise.allSettled([...this.pending]);
    const now = this.clock();
    for (const slot of this.slots) {
      const s = slot.session;
      if (s.releaseOwnLock()) {
        s.verdict = abandoned(s.verdict, "none", now);
      } else if (s.child) {
        s.verdict = abandoned(s.verdict, "dead", now);
        s.child = undefined;
      }
    }
    const kids = [...this.children];
    for (const c of kids) c.kill("SIGKILL");
    await Promise.all(kids.map((c) => exited(c)));
    this.children.clear();
    if (this.gatewayLockPath) fs.rmSync(this.gatewayLockPath, { force: true });
    // upgraded sockets would keep the HTTP server from closing
    await this.socket?.stop();
    this.socket = undefined;
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
    this.emitEvent({ type: "stopped", at: this.clock() });
  }

  /** pids of the lock-owner children currently alive (for tests: nothing may outlive stop()). */
  childPids(): number[] {
    return [...this.children].map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  sessions(): SimSessionInfo[] {
    return this.slots.map((s) => s.session.info());
  }

  /** The verdict each session should get at `now` with the simulator's (scaled) thresholds. */
  intended(now: number = this.clock(), thresholds: Thresholds = this.thresholds): IntendedSession[] {
    return this.slots.map(({ session: s, busy }) => ({
      agentId: s.spec.agentId,
      sessionKey: s.spec.sessionKey,
      sessionId: s.spec.sessionId,
      kind: s.spec.kind,
      verdict: busy ? { ...verdictAt(s.verdict, now, thresholds), transient: true } : verdictAt(s.verdict, now, thresholds),
    }));
  }

  /**
   * Resolves once every step whose time has come is written (and the next one scheduled): a test
   * that moves a fake clock reads the files only when the simulator is done with that moment.
   */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  whenSettled(): Promise<void> {
    if (this.settledEmitted) return Promise.resolve();
    return new Promise((resolve) => {
      const fn = (e: SimEvent) => {
        if (e.type === "settled") {
          this.off("event", fn);
          resolve();
        }
      };
      this.on("event", fn);
    });
  }

  // ------------------------------------------------------------ internals

  private emitEvent(e: SimEvent): void {
    this.emit("event", e);
  }

  private kindFor(i: number): ScenarioKind {
    if (this.opts.scenarios && this.opts.scenarios.length > 0) return this.opts.scenarios[i % this.opts.scenarios.length]!;
    if (i < SCENARIO_KINDS.length) return SCENARIO_KINDS[i]!;
    const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
    let r = this.rng.next() * total;
    for (const [k, w] of WEIGHTS) {
      r -= w;
      if (r < 0) return k;
    }
    return "quick";
  }

  private addSession(kind: ScenarioKind, i: number, cycleRng?: Rng): Slot {
    const rng = cycleRng ?? new Rng((this.seed * 1_000_003 + i * 7919 + 17) >>> 0);
    const agentId = i % 2 === 0 ? this.agents[0]! : this.agents[i % this.agents.length]!;
    const spec = this.sessionSpec(kind, agentId, rng);
    const session = new SimSession(spec, rng, this.clock());
    const slot: Slot = { session, rng, steps: scenarioScript(kind, rng, 0), index: 0, cycle: 0, settled: false, busy: false };
    this.slots.push(slot);
    this.sessionCounter++;
    return slot;
  }

  private sessionSpec(kind: ScenarioKind, agentId: string, rng: Rng): SimSessionSpec {
    const m = MODELS[agentId] ?? MODELS.main!;
    const base = {
      stateDir: this.stateDir,
      agentId,
      sessionId: rng.uuid(),
      kind,
      provider: m.provider,
      model: m.model,
      workspaceDir: path.join(this.stateDir, "workspace"),
      ...(this.version !== undefined ? { version: this.version } : {}),
    };
    // every label names one session: two rows that read the same cannot be told apart in the demo
    const n = this.sessionCounter;
    switch (kind) {
      case "cron": {
        const job = rng.pick(CRON_JOBS);
        return { ...base, sessionKey: sessionKeys.cronRun(agentId, job, rng.uuid()), label: `Cron: ${job} #${n}`, messageChannel: "cron" };
      }
      case "subagent":
        return { ...base, sessionKey: sessionKeys.subagent(agentId, rng.uuid()), spawnedBy: sessionKeys.main(agentId), label: `subagent ${n}: collect build logs` };
      case "group": {
        const channel = rng.pick(CHANNELS);
        const asChannel = rng.chance(0.4);
        const id = `-100${rng.int(1_000_000, 9_999_999)}`;
        return asChannel
          ? { ...base, sessionKey: sessionKeys.channel(agentId, channel, id), chatType: "channel", messageChannel: channel, label: `#ops-${channel}-${n}` }
          : { ...base, sessionKey: sessionKeys.group(agentId, channel, id), chatType: "group", messageChannel: channel, label: `${channel} team ${n}` };
      }
      default: {
        const mainTaken = this.slots.some((s) => s.session.spec.sessionKey === sessionKeys.main(agentId));
        const key = kind === "quick" && !mainTaken ? sessionKeys.main(agentId) : sessionKeys.named(agentId, `${kind}-${n}`);
        return { ...base, sessionKey: key, chatType: "direct" };
      }
    }
  }

  private schedule(slot: Slot): void {
    if (!this.running) return;
    const step = slot.steps[slot.index];
    if (!step) return this.lifeDone(slot);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      const p = this.runStep(slot, step).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }, step.afterMs / this.speed);
    if (this.feed && step.action.do === "assistant" && step.action.text) {
      // a reply is written when the model has finished streaming it: the last 40 % of the wait
      const spec = slot.session.spec;
      slot.streamTimer = setTimeout(() => this.feed?.streamStart(spec), (step.afterMs * STREAM_FROM) / this.speed);
    }
  }

  private async runStep(slot: Slot, step: ScriptStep): Promise<void> {
    if (!this.running) return;
    const s = slot.session;
    slot.busy = true;
    try {
      const now = this.clock();
      await s.apply(step.action, now);
      if (s.child) this.track(s.child);
      if (!this.running && step.action.do !== "kill-owner" && step.action.do !== "abort-owner") return;
      s.setVerdict(step.verdict, now);
      this.feed?.step(step.action, s.spec);
      this.emitEvent({ type: "step", at: now, action: step.action.do, session: s.info() });
    } catch (err) {
      this.emitEvent({ type: "error", at: this.clock(), message: (err as Error).message, sessionKey: s.spec.sessionKey });
    } finally {
      slot.busy = false;
    }
    slot.index++;
    this.schedule(slot);
  }

  private track(child: ChildProcess): void {
    if (this.children.has(child)) return;
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
  }

  private lifeDone(slot: Slot): void {
    if (!slot.settled) {
      slot.settled = true;
      this.checkSettled();
    }
    if (!this.opts.loop || !this.running) return;
    const kind = slot.session.spec.kind;
    if (TERMINAL_SCENARIOS.includes(kind)) return;
    if (kind === "cron") {
      // the next wake of a cron job is a new session with a new run key
      const next = this.addSession("cron", this.sessionCounter, new Rng(slot.rng.int(1, 2 ** 31)));
      next.settled = true;
      next.steps = scenarioScript("cron", next.rng, 1);
      this.schedule(next);
      return;
    }
    slot.cycle++;
    slot.steps = scenarioScript(kind, slot.rng, slot.cycle);
    slot.index = 0;
    this.schedule(slot);
  }

  private checkSettled(): void {
    if (this.settledEmitted || !this.slots.every((s) => s.settled)) return;
    this.settledEmitted = true;
    this.emitEvent({ type: "settled", at: this.clock() });
  }

  private listen(): Promise<number> {
    const server = http.createServer((req, res) => {
      const url = (req.url ?? "").split("?")[0];
      if (url === "/healthz" || url === "/health" || url === "/readyz") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, status: "live" }));
      } else {
        res.writeHead(404).end();
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
  }

  /** The gateway's own events for what the simulator's steps do (2026.7.1: protocol 4). */
  private async speakWebSocket(server: http.Server): Promise<void> {
    const socket = new FakeGateway({ server, version: "2026.7.1" });
    await socket.start();
    this.socket = socket;
    this.feed = new SimAgentFeed(socket);
  }

  private config(): Record<string, unknown> {
    return {
      // OpenClaw stamps the config it writes: our era B reading of these files rests on it
      meta: { lastTouchedVersion: this.version ?? OPENCLAW_VERSION },
      gateway: { mode: "local", bind: "loopback", ...(this.port !== undefined ? { port: this.port } : {}) },
      agents: {
        defaults: { model: { primary: `${MODELS.main!.provider}/${MODELS.main!.model}` }, workspace: path.join(this.stateDir, "workspace") },
        list: this.agents.map((id) => ({ id })),
      },
      // the simulator's timeline is scaled: scale OpenClaw's stall warning with it so that a
      // reader honouring this key sees the same stalls the simulator intends
      diagnostics: { stuckSessionWarnMs: this.thresholds.stallAfterMs },
      session: { maintenance: { mode: "enforce", pruneAfter: "30d", maxEntries: 500 } },
    };
  }
}
