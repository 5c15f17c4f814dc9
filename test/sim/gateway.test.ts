import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SimulatedGateway, type SimEvent } from "../../src/sim/gateway.js";
import { SCENARIO_KINDS, type ScenarioKind } from "../../src/sim/scenarios.js";
import type { SimSessionInfo } from "../../src/sim/session-runtime.js";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const readJson = (p: string) => JSON.parse(fs.readFileSync(p, "utf8"));
const jsonLines = (p: string): Record<string, any>[] =>
  fs.readFileSync(p, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const entryOf = (s: SimSessionInfo): Record<string, any> | undefined => readJson(s.indexPath)[s.sessionKey];
const lockOf = (s: SimSessionInfo): Record<string, any> | undefined =>
  fs.existsSync(`${s.transcriptPath}.lock`) ? readJson(`${s.transcriptPath}.lock`) : undefined;

const dirs: string[] = [];
const gateways: SimulatedGateway[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "sim-gw-"));
  dirs.push(d);
  return d;
}
function gateway(opts: ConstructorParameters<typeof SimulatedGateway>[0]): SimulatedGateway {
  const g = new SimulatedGateway(opts);
  gateways.push(g);
  return g;
}
afterEach(async () => {
  for (const g of gateways.splice(0)) await g.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The files must say what the verdict says, at the moment the step's event is emitted. */
function checkFilesMatchVerdict(s: SimSessionInfo): string[] {
  const problems: string[] = [];
  const v = s.verdict;
  const entry = entryOf(s);
  if (!entry) return [`${s.sessionKey}: no index entry`];
  if (entry.status !== v.storeStatus) problems.push(`${s.sessionKey}: status ${entry.status} != ${v.storeStatus}`);
  const lock = lockOf(s);
  if (v.lock === "none" && lock) problems.push(`${s.sessionKey}: unexpected lock`);
  if (v.lock === "alive" && !(lock && alive(lock.pid))) problems.push(`${s.sessionKey}: lock owner should be alive`);
  if (v.lock === "dead" && !(lock && !alive(lock.pid))) problems.push(`${s.sessionKey}: lock owner should be dead`);
  return problems;
}

describe("SimulatedGateway", () => {
  it("drives every scenario to its intended files at high speed", async () => {
    const root = tempDir();
    const g = gateway({ stateDir: path.join(root, "state"), tmpDir: root, speed: 400, seed: 7 });
    const problems: string[] = [];
    const reached = new Set<string>();
    const errors: string[] = [];
    let graceSeen = false;
    g.on("event", (e: SimEvent) => {
      if (e.type === "error") errors.push(e.message);
      if (e.type !== "step") return;
      reached.add(`${e.session.kind}:${e.action}`);
      problems.push(...checkFilesMatchVerdict(e.session));
      if (e.session.kind === "error-grace" && e.action === "end-run") {
        // inside the 15 s grace: running, no lock, the trajectory already ended the run with an error
        const events = jsonLines(e.session.trajectoryPath);
        const ended = events.filter((x) => x.type === "session.ended");
        graceSeen = entryOf(e.session)?.status === "running" && !lockOf(e.session) && ended.at(-1)?.data.status === "error" && events.at(-1)?.type === "model.fallback_step";
      }
    });
    await g.start();
    await g.whenSettled();

    expect(errors).toEqual([]);
    expect(problems).toEqual([]);
    expect(graceSeen).toBe(true);
    for (const kind of SCENARIO_KINDS) expect([...reached].some((r) => r.startsWith(`${kind}:`)), kind).toBe(true);
    for (const step of ["crash-tool:kill-owner", "crash-new-session:kill-owner", "long-tool:tool-result", "error-grace:persist-status", "error-grace:error-attempt"]) {
      expect(reached.has(step), step).toBe(true);
    }

    const byKind = new Map<ScenarioKind, SimSessionInfo>(g.sessions().map((s) => [s.kind, s]));
    // judged past the (scaled) stall threshold: a later `now`, not a wait for the wall clock to get there
    const verdicts = new Map(g.intended(Date.now() + g.thresholds.stallAfterMs + 100).map((i) => [i.kind, i.verdict]));

    const stall = byKind.get("stall")!;
    expect(verdicts.get("stall")).toMatchObject({ state: "awaiting_model", health: "stalled", lock: "alive" });
    expect(lockOf(stall)!.pid).toBe(process.pid);
    expect(jsonLines(stall.transcriptPath).at(-1)!.message.role).toBe("user");
    expect(entryOf(stall)!.status).toBe("running");

    const crash = byKind.get("crash-tool")!;
    expect(verdicts.get("crash-tool")).toMatchObject({ state: "tool_exec", health: "unresponsive", lock: "dead", finalizeTo: "failed" });
    expect(alive(lockOf(crash)!.pid)).toBe(false);
    expect(lockOf(crash)!.starttime).toBeGreaterThan(0);
    expect(jsonLines(crash.transcriptPath).at(-1)!.message.stopReason).toBe("toolUse");

    const fresh = byKind.get("crash-new-session")!;
    expect(fs.existsSync(fresh.transcriptPath)).toBe(false);
    expect(fs.existsSync(fresh.transcriptPath.replace(/\.jsonl$/, ".trajectory-path.json"))).toBe(true);
    expect(alive(lockOf(fresh)!.pid)).toBe(false);
    expect(entryOf(fresh)!.status).toBe("running");

    const ended = byKind.get("ended-index-running")!;
    expect(verdicts.get("ended-index-running")).toMatchObject({ state: "complete", health: "idle", drift: true, finalizeTo: "done" });
    expect(entryOf(ended)!.status).toBe("running");
    expect(lockOf(ended)).toBeUndefined();
    expect(jsonLines(ended.trajectoryPath).at(-1)).toMatchObject({ type: "session.ended", data: { status: "success" } });

    const err = byKind.get("error-grace")!;
    expect(entryOf(err)).toMatchObject({ status: "failed" });
    expect(typeof entryOf(err)!.endedAt).toBe("number");

    const embedded = byKind.get("embedded")!;
    expect(entryOf(embedded)).not.toHaveProperty("status");
    expect(fs.existsSync(embedded.transcriptPath)).toBe(true);

    expect(byKind.get("cron")!.sessionKey).toMatch(/^agent:[a-z]+:cron:[a-z-]+:run:[0-9a-f-]{36}$/);
    const sub = byKind.get("subagent")!;
    expect(sub.sessionKey).toMatch(/^agent:[a-z]+:subagent:[0-9a-f-]{36}$/);
    expect(entryOf(sub)!.spawnedBy).toMatch(/^agent:[a-z]+:main$/);
    expect(["group", "channel"]).toContain(entryOf(byKind.get("group")!)!.chatType);

    const done = byKind.get("quick")!;
    expect(entryOf(done)).toMatchObject({ status: "done", abortedLastRun: false });
    expect(entryOf(done)!.runtimeMs).toBe(entryOf(done)!.endedAt - entryOf(done)!.startedAt);

    // times never go backwards in file order, and nothing is written ahead of the clock
    const checkedAt = Date.now();
    for (const s of g.sessions()) {
      const tr = fs.existsSync(s.transcriptPath) ? jsonLines(s.transcriptPath).map((l) => Date.parse(l.timestamp)) : [];
      const tj = fs.existsSync(s.trajectoryPath) ? jsonLines(s.trajectoryPath).map((l) => Date.parse(l.ts)) : [];
      for (const times of [tr, tj]) {
        for (let i = 1; i < times.length; i++) expect(times[i]!, `${s.sessionKey} line ${i}`).toBeGreaterThanOrEqual(times[i - 1]!);
        if (times.length > 0) expect(times.at(-1)!).toBeLessThanOrEqual(checkedAt);
      }
      const e = entryOf(s)!;
      expect(e.updatedAt).toBeLessThanOrEqual(checkedAt);
    }

    expect(new Set(g.sessions().map((s) => s.agentId))).toEqual(new Set(["main", "ops", "research"]));
    for (const agent of ["main", "ops", "research"]) {
      const files = fs.readdirSync(path.join(root, "state/agents", agent, "sessions"));
      expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    }

    // the gateway itself: singleton lock naming this process, and /healthz answering
    const lock = readJson(g.gatewayLockPath!);
    expect(lock).toMatchObject({ pid: process.pid, configPath: g.configPath, port: g.port });
    const res = await fetch(`http://127.0.0.1:${g.port}/healthz`);
    expect(res.status).toBe(200);
    expect(readJson(g.configPath).diagnostics.stuckSessionWarnMs).toBe(g.thresholds.stallAfterMs);

    await g.stop();
    expect(fs.existsSync(g.gatewayLockPath!)).toBe(false);
    // a clean stop removes the gateway's own transcript locks but leaves `running` in the index
    expect(lockOf(stall)).toBeUndefined();
    expect(entryOf(stall)!.status).toBe("running");
    expect(g.intended().find((i) => i.kind === "stall")!.verdict).toMatchObject({ health: "unresponsive", lock: "none", finalizeTo: "failed" });
    expect(g.childPids()).toEqual([]);
  });

  it("stop() kills and reaps its live lock owners and leaves their locks with dead pids", async () => {
    const root = tempDir();
    const g = gateway({ stateDir: path.join(root, "state"), tmpDir: root, speed: 50, seed: 3, sessions: 2, scenarios: ["embedded", "stall"] });
    const begun = new Promise<SimSessionInfo>((resolve) =>
      g.on("event", (e) => {
        if (e.type === "step" && e.session.kind === "embedded" && e.action === "begin-run") resolve(e.session);
      }),
    );
    await g.start();
    const s = await begun;
    const pids = g.childPids();
    expect(pids).toContain(s.lockPid);
    expect(pids.every(alive)).toBe(true);
    await g.stop();
    expect(pids.some(alive)).toBe(false);
    expect(g.childPids()).toEqual([]);
    expect(lockOf(s)!.pid).toBe(s.lockPid);
    expect(g.intended().find((i) => i.kind === "embedded")!.verdict).toMatchObject({ health: "unresponsive", lock: "dead" });
  });

  it("is deterministic for a seed", async () => {
    const make = async (seed: number) => {
      const root = tempDir();
      const g = gateway({ stateDir: path.join(root, "state"), tmpDir: root, seed, sessions: 30, healthz: false });
      await g.start();
      const out = g.sessions().map((s) => [s.kind, s.agentId, s.sessionKey, s.sessionId].join(" "));
      await g.stop();
      return out;
    };
    const a = await make(11);
    expect(await make(11)).toEqual(a);
    expect(await make(12)).not.toEqual(a);
    expect(new Set(a.map((l) => l.split(" ")[2])).size).toBe(30);
  });

  it("keeps looping lives going and spawns new cron sessions in loop mode", async () => {
    const root = tempDir();
    const g = gateway({ stateDir: path.join(root, "state"), tmpDir: root, speed: 2000, seed: 5, sessions: 2, scenarios: ["cron", "quick"], loop: true });
    const quickEnds = () => {
      const quick = g.sessions().find((s) => s.kind === "quick");
      return quick && fs.existsSync(quick.trajectoryPath) ? jsonLines(quick.trajectoryPath).filter((e) => e.type === "session.ended").length : 0;
    };
    const begunCrons = () => g.sessions().filter((s) => s.kind === "cron" && s.verdict.storeStatus !== undefined).length;
    // waits on the simulator's own steps, however slowly a loaded machine runs them (the test's timeout bounds it)
    const looped = new Promise<void>((resolve) => {
      const check = (): void => {
        if (quickEnds() > 4 && begunCrons() > 1) {
          g.off("event", check);
          resolve();
        }
      };
      g.on("event", check);
    });
    await g.start();
    await looped;
    const crons = g.sessions().filter((s) => s.kind === "cron");
    expect(crons.length).toBeGreaterThan(1);
    expect(new Set(crons.map((s) => s.sessionKey)).size).toBe(crons.length);
    // every wake that has begun has its own row
    const begun = crons.filter((s) => s.verdict.storeStatus !== undefined);
    expect(begun.length).toBeGreaterThan(1);
    for (const s of begun) expect(entryOf(s)).toBeDefined();
    const quick = g.sessions().find((s) => s.kind === "quick")!;
    expect(jsonLines(quick.trajectoryPath).filter((e) => e.type === "session.ended").length).toBeGreaterThan(4);
  });
});

describe("SimulatedGateway labels", () => {
  it("no two sessions share a label, so the demo's rows never read the same", async () => {
    const root = tempDir();
    const g = gateway({ stateDir: path.join(root, "state"), tmpDir: root, sessions: 60, speed: 10, seed: 3 });
    await g.start();
    const labels = g.sessions().flatMap((s) => (s.label === undefined ? [] : [s.label]));
    expect(labels.length).toBeGreaterThan(5);
    expect(new Set(labels).size).toBe(labels.length);
  });
});
