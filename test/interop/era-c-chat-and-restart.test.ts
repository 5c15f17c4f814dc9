// The two era C (OpenClaw 2026.9.6) cases where a wrong owner verdict would page an operator for
// nothing (src/core/health/ownerEraC.ts), against a real gateway and the scripted model:
//
// (A) turns started through the gateway WebSocket's `chat.send` (as webchat and the TUI do: the
//     run has no task_runs row of its own, only the `agent` RPC tracks one) whose model takes
//     ~90 s: one streams slowly (`MODE=slow:18x5000`) in a fresh session, one gets no byte for
//     90 s (`MODE=delay:90000`) in a session whose latest task is an earlier `openclaw agent`
//     turn's. Past the 60 s recovery window our `status --json` must still call them the live
//     gateway's (waiting, not unresponsive) and `status --check` must exit 0; after: complete.
// (B) a mass restart: three `openclaw agent` turns hanging on the model, the gateway SIGKILLed,
//     restarted. 2026.9.6's restart recovery marks them abortedLastRun and resumes them ONE at a
//     time (STARTUP_RECOVERY_MAX_ACTIVE_RUNS = 1, main-session-restart-recovery-*.mjs), each
//     resumed turn here ~30 s (`RESUME=slow:6x5000`), so the last one waits past 60 s in the
//     queue. Sampled every ~2 s from the restart: while our status sees the new gateway alive, no
//     row may be unresponsive. The timeline (per sample, per session) is printed.
// One gateway at a time; run alone:
//   npx vitest run --config vitest.interop.config.ts test/interop/era-c-chat-and-restart.test.ts
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Driver, sleep, until, type Proc } from "./drive.js";
import { startModelServer, type ModelServer } from "./model-server.js";
import { OperatorRecorder } from "./operator-client.js";
import { cleanEnv, ensureInterop, OPENCLAW_VERSIONS, OUR_BIN, REPO_ROOT } from "./support.js";

// node:sqlite exists on the Node 24 the interop tests run on; @types/node 20 does not declare it
interface Statement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface Db {
  prepare(sql: string): Statement;
  close(): void;
}
const { DatabaseSync } = createRequire(import.meta.url)("node:sqlite") as {
  DatabaseSync: new (path: string, opts: { readOnly: boolean; timeout: number }) => Db;
};

const VERSION = OPENCLAW_VERSIONS.eraC; // 2026.9.6

interface Heartbeat {
  sessionKey: string;
  state: string;
  health: string;
  storeStatus?: string;
  outcome?: string | null;
  era?: string;
  source?: string;
  reasons: string[];
}

interface StatusDoc {
  gateway?: { pid?: number; alive?: boolean; startedAt?: number };
  sessions: Heartbeat[];
}

interface OursRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Our built CLI, asynchronously: the scripted model streams from this same process meanwhile. */
function runOursAsync(d: Driver, args: string[]): Promise<OursRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [OUR_BIN, ...args], { cwd: REPO_ROOT, env: cleanEnv(d.box), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Which owner rule of ownerEraC held a row, from its reasons (for the timeline only). */
function why(hb: Heartbeat | undefined): string {
  const r = hb?.reasons.join(" ") ?? "";
  if (/marked this run aborted/.test(r)) return "marked";
  if (/restart recovery is pending/.test(r)) return "recovery-pending";
  if (/no task tracks this run/.test(r)) return "gateway-no-task";
  if (/is running, owned by live pid|in this gateway's life/.test(r)) return "task-owner";
  if (/is dead|did not take this run up|not running it/.test(r)) return "dead";
  if (/no run in progress/.test(r)) return "ended";
  return "?";
}

function parseStatus(run: OursRun): StatusDoc | undefined {
  try {
    return JSON.parse(run.stdout) as StatusDoc;
  } catch {
    return undefined;
  }
}

interface Row {
  status: string | null;
  updatedAt: number;
  aborted: boolean;
  startedAt?: number;
  lifecycleRunId?: string;
}

interface TaskRow {
  run_id: string | null;
  status: string;
  execution_owner_pid: number | null;
  created_at: number;
}

function scenario(): void {
  let d: Driver;
  let model: ModelServer;
  let agentDb = "";
  let globalDb = "";

  /** Read-only reads, as OPENCLAW.md section 9 says: only while both sidecars exist (a live or crashed store). */
  function withDb<T>(file: string, fn: (db: Db) => T): T | undefined {
    if (!fs.existsSync(`${file}-wal`) || !fs.existsSync(`${file}-shm`)) return undefined;
    const db = new DatabaseSync(file, { readOnly: true, timeout: 5000 });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  function row(key: string): Row | undefined {
    return withDb(agentDb, (db) => {
      const r = db.prepare("SELECT status, updated_at, entry_json FROM session_nodes WHERE session_key = ?").get(key) as
        | { status: string | null; updated_at: number; entry_json: string }
        | undefined;
      if (!r) return undefined;
      const e = JSON.parse(r.entry_json) as { abortedLastRun?: boolean; startedAt?: number; lifecycleRunId?: string; updatedAt?: number };
      return { status: r.status, updatedAt: e.updatedAt ?? r.updated_at, aborted: e.abortedLastRun === true, startedAt: e.startedAt, lifecycleRunId: e.lifecycleRunId };
    });
  }

  function tasks(key: string): TaskRow[] {
    return (
      withDb(globalDb, (db) =>
        db.prepare("SELECT run_id, status, execution_owner_pid, created_at FROM task_runs WHERE requester_session_key = ? ORDER BY created_at").all(key),
      ) as TaskRow[] | undefined
    ) ?? [];
  }

  beforeAll(async () => {
    const entry = ensureInterop(VERSION);
    model = await startModelServer(0, { execTimeoutArg: "timeoutSeconds" });
    d = await Driver.create(VERSION, entry, "era-c-chat", model.baseUrl);
    agentDb = path.join(d.box.stateDir, "agents", "main", "agent", "openclaw-agent.sqlite");
    globalDb = path.join(d.box.stateDir, "state", "openclaw.sqlite");
    await d.startGateway(20 * 60_000);
  }, 25 * 60_000);

  afterAll(async () => {
    d?.killAll();
    await model?.close();
    if (d) fs.rmSync(d.box.root, { recursive: true, force: true });
  });

  describe("(A) chat.send turns whose model takes ~90 s", () => {
    const SLOW = "agent:main:chat-slow";
    const DELAY = "agent:main:chat-prior";
    const KEYS = [SLOW, DELAY];
    interface ASample {
      t: number;
      json: OursRun;
      check: OursRun;
      byKey: Map<string, Heartbeat>;
      rows: Record<string, Row | undefined>;
    }
    const samples: ASample[] = [];
    let op: OperatorRecorder | undefined;
    let hello: Record<string, unknown> | undefined;
    const sent: Record<string, Record<string, unknown>> = {};
    const runIds: Record<string, string> = {};
    const taskRowsDuring: Record<string, TaskRow[]> = {};
    const lifecycleDuring: Record<string, string | undefined> = {};
    let settled = "";
    let after: { json: OursRun; check: OursRun; byKey: Map<string, Heartbeat> } | undefined;
    let failure: Error | undefined;

    beforeAll(async () => {
      try {
        // an earlier `openclaw agent` turn gives chat-prior a task_runs row: the session's latest
        // task is then a finished one that is NOT the chat run's (ownerEraC: "no task tracks this run")
        const prior = d.turn("chat-prior", "TAG=cprior MODE=quick");
        await prior.exited;
        await until("chat-prior done", () => (row(DELAY)?.status === "done" ? true : undefined), 120_000, 500);

        op = new OperatorRecorder(["operator.read", "operator.write"]);
        hello = await op.connect(d.port);
        const t0 = Date.now();
        for (const [key, text] of [
          [SLOW, "TAG=cslow MODE=slow:18x5000"],
          [DELAY, "TAG=cdelay MODE=delay:90000"],
        ] as const) {
          const idempotencyKey = randomUUID();
          runIds[key] = idempotencyKey;
          sent[key] = await op.request("chat.send", { sessionKey: key, message: text, idempotencyKey });
        }
        for (const key of KEYS) {
          if (sent[key]?.ok !== true) throw new Error(`chat.send ${key} refused: ${JSON.stringify(sent[key])}`);
        }
        await model.waitForRequest((r) => r.tag === "cslow", 120_000);
        await model.waitForRequest((r) => r.tag === "cdelay", 120_000);
        // sample while either row is running, every ~5 s, up to 240 s
        for (;;) {
          const t = Date.now() - t0;
          const rows = Object.fromEntries(KEYS.map((k) => [k, row(k)]));
          if (KEYS.every((k) => rows[k]?.status !== "running") || t > 240_000) break;
          for (const k of KEYS) {
            if (rows[k]?.status === "running") {
              lifecycleDuring[k] = rows[k]!.lifecycleRunId;
              taskRowsDuring[k] = tasks(k);
            }
          }
          const json = await runOursAsync(d, ["status", "--json", "--state-dir", d.box.stateDir]);
          const check = await runOursAsync(d, ["status", "--check", "--state-dir", d.box.stateDir]);
          const doc = parseStatus(json);
          samples.push({ t, json, check, rows, byKey: new Map((doc?.sessions ?? []).map((s) => [s.sessionKey, s])) });
          await sleep(Math.max(0, 5_000 - (Date.now() - t0 - t)));
        }
        settled = KEYS.map((k) => `${k}=${row(k)?.status}`).join(" ");
        const json = await runOursAsync(d, ["status", "--json", "--state-dir", d.box.stateDir]);
        const check = await runOursAsync(d, ["status", "--check", "--state-dir", d.box.stateDir]);
        after = { json, check, byKey: new Map((parseStatus(json)?.sessions ?? []).map((s) => [s.sessionKey, s])) };
      } catch (e) {
        failure = e as Error;
      } finally {
        op?.close();
        const lines = samples.map((s) => {
          const cols = KEYS.map((k) => {
            const hb = s.byKey.get(k);
            return `${k.split(":").at(-1)} db=${s.rows[k]?.status ?? "-"} ours=${hb ? `${hb.state}/${hb.health}(${why(hb)})` : "missing"}`;
          });
          return `  t=${(s.t / 1000).toFixed(1)}s ${cols.join(" | ")} check=${s.check.code} (${s.json.ms}+${s.check.ms} ms)`;
        });
        const chatFinals = (op?.frames ?? [])
          .filter((f) => f.dir === "in" && (f.frame as { event?: string }).event === "chat")
          .map((f) => f.frame as { payload?: { sessionKey?: string; state?: string; runId?: string } })
          .filter((f) => f.payload?.state && f.payload.state !== "delta")
          .map((f) => `${f.payload?.sessionKey}:${f.payload?.state}`);
        const modelReqs = model.requests.filter((r) => r.tag === "cslow" || r.tag === "cdelay").map((r) => `${r.tag}@${r.mode}${r.finished ? "" : "(open)"}`);
        console.log(
          [
            `${VERSION} (A) chat.send timeline (t from the chat.send acks; ours = status --json state/health):`,
            ...lines,
            `  settled: ${settled || "not reached"}; chat events: ${chatFinals.join(", ") || "none"}; model requests: ${modelReqs.join(", ")}`,
            `  chat.send answers: ${JSON.stringify(sent)}`,
            `  lifecycleRunId while running: ${JSON.stringify(lifecycleDuring)}; task_runs of those keys then: ${JSON.stringify(taskRowsDuring)}`,
            `  after: ${KEYS.map((k) => { const hb = after?.byKey.get(k); return `${k} ${hb?.state}/${hb?.health}/${hb?.outcome}`; }).join(", ")}; check=${after?.check.code}`,
            ...(failure ? [`  FAILED: ${failure.message}`] : []),
          ].join("\n"),
        );
      }
    }, 10 * 60_000);

    it("chat.send is accepted for an operator client with operator.write (loopback, auth none)", () => {
      expect(failure?.message ?? "", "the scenario's own error").toBe("");
      expect((hello as { ok?: boolean } | undefined)?.ok, JSON.stringify(hello)).toBe(true);
      for (const key of KEYS) expect(sent[key], key).toMatchObject({ ok: true });
    });

    it("the chat runs are ones no task tracks (the case under test)", () => {
      for (const key of KEYS) {
        expect(lifecycleDuring[key], `${key}: no lifecycleRunId seen while running`).toBeTruthy();
        const own = (taskRowsDuring[key] ?? []).filter((t) => t.run_id === lifecycleDuring[key]);
        expect(own, `${key}: ${JSON.stringify(taskRowsDuring[key])}`).toEqual([]);
      }
      // chat-prior's latest task is the earlier `openclaw agent` turn's, finished
      expect(taskRowsDuring[DELAY]?.at(-1)?.status, JSON.stringify(taskRowsDuring[DELAY])).toBe("succeeded");
    });

    it("sampled past the 60 s recovery window while both still ran", () => {
      const both = samples.filter((s) => KEYS.every((k) => s.rows[k]?.status === "running"));
      expect(Math.max(0, ...both.map((s) => s.t)), samples.map((s) => s.t).join(",")).toBeGreaterThanOrEqual(75_000);
    });

    it("never unresponsive while running: awaiting_model or streaming, health waiting/active, status --check exits 0", () => {
      expect(samples.length).toBeGreaterThan(0);
      for (const s of samples) {
        expect(s.json.code, s.json.stderr).toBe(0);
        for (const key of KEYS) {
          // judged on what our status read (the row can end between the test's read and ours)
          const hb = s.byKey.get(key);
          const at = `t=${s.t} ${key}: ${JSON.stringify(hb)}`;
          expect(hb, at).toBeDefined();
          if (hb!.storeStatus !== "running") continue;
          expect(hb!.health, at).not.toBe("unresponsive");
          expect(hb, at).toMatchObject({ era: "C", source: "db" });
          expect(["awaiting_model", "streaming"], at).toContain(hb!.state);
          expect(["waiting", "active"], at).toContain(hb!.health);
        }
        expect(s.check.code, `t=${s.t} status --check: ${s.check.stdout}${s.check.stderr}`).toBe(0);
      }
    });

    it("after the turns end: complete, idle, outcome done; status --check 0", () => {
      expect(settled, "rows left running").not.toMatch(/=running/);
      for (const key of KEYS) {
        const hb = after?.byKey.get(key);
        expect(hb, `${key}: ${JSON.stringify(hb)}`).toMatchObject({ state: "complete", health: "idle", storeStatus: "done", outcome: "done" });
      }
      expect(after?.check.code, `${after?.check.stdout}${after?.check.stderr}`).toBe(0);
    });
  });

  describe("(B) a mass restart: three interrupted turns, recovered one at a time", () => {
    const KEYS = ["agent:main:mr-1", "agent:main:mr-2", "agent:main:mr-3"];
    const tagOf = (key: string) => key.split(":").at(-1)!.replace("-", "");
    interface BSample {
      t: number;
      json: OursRun;
      doc?: StatusDoc;
      rows: Record<string, Row | undefined>;
    }
    const samples: BSample[] = [];
    const logEvents: Array<{ t: number; line: string }> = [];
    const taskRowsBeforeKill: Record<string, TaskRow[]> = {};
    const taskRowsAfter: Record<string, TaskRow[]> = {};
    /** every live-gateway sample where a running row read stalled or unresponsive: the evidence */
    const flagged: Array<{ t: number; key: string; hb: Heartbeat; row?: Row; tasks: TaskRow[] }> = [];
    let killedStatus: StatusDoc | undefined;
    let restartAt = 0;
    let readyAt: number | undefined;
    let newPid: number | undefined;
    const doneAt: Record<string, number> = {};
    const markedAt: Record<string, number> = {};
    let failure: Error | undefined;
    let finalDoc: StatusDoc | undefined;

    beforeAll(async () => {
      const agents: Proc[] = [];
      try {
        for (const key of KEYS) agents.push(d.turn(key.split(":").at(-1)!, `TAG=${tagOf(key)} RESUME=slow:6x5000 MODE=hang`));
        for (const key of KEYS) await model.waitForRequest((r) => r.tag === tagOf(key) && !r.resumeTurn, 180_000);
        await until("the three rows running", () => (KEYS.every((k) => row(k)?.status === "running") ? true : undefined), 60_000, 250);
        for (const k of KEYS) taskRowsBeforeKill[k] = tasks(k);

        // SIGKILL the gateway with all three in flight (CLIs frozen first: none falls back to an embedded run)
        for (const a of agents) a.child.kill("SIGSTOP");
        await d.stopGateway("SIGKILL");
        for (const a of agents) a.child.kill("SIGKILL");
        await Promise.all(agents.map((a) => a.exited));
        killedStatus = parseStatus(await runOursAsync(d, ["status", "--json", "--state-dir", d.box.stateDir]));

        // restart, and sample from the moment it is spawned
        restartAt = Date.now();
        const starting = d.startGateway(10 * 60_000).then(
          (gw) => {
            readyAt = Date.now() - restartAt;
            newPid = gw.child.pid;
          },
          (e: Error) => {
            failure = e;
          },
        );
        const gw = d.gateway!;
        let partial = "";
        const onData = (b: Buffer) => {
          partial += b.toString();
          const lines = partial.split("\n");
          partial = lines.pop()!;
          for (const line of lines) {
            if (/restart.recovery|interrupted main session|orphaned|Task execution process exited/i.test(line)) logEvents.push({ t: Date.now() - restartAt, line: line.slice(0, 240) });
          }
        };
        gw.child.stdout!.on("data", onData);
        gw.child.stderr!.on("data", onData);
        newPid = gw.child.pid;

        for (;;) {
          const t = Date.now() - restartAt;
          const rows = Object.fromEntries(KEYS.map((k) => [k, row(k)]));
          for (const k of KEYS) {
            if (rows[k]?.aborted && markedAt[k] === undefined) markedAt[k] = t;
            if (rows[k]?.status === "done" && doneAt[k] === undefined) doneAt[k] = t;
          }
          if (KEYS.every((k) => doneAt[k] !== undefined) || t > 240_000 || failure) break;
          const json = await runOursAsync(d, ["status", "--json", "--state-dir", d.box.stateDir]);
          const doc = parseStatus(json);
          samples.push({ t, json, doc, rows });
          if (doc?.gateway?.alive && doc.gateway.pid === newPid) {
            for (const hb of doc.sessions) {
              if (KEYS.includes(hb.sessionKey) && hb.storeStatus === "running" && (hb.health === "stalled" || hb.health === "unresponsive")) {
                flagged.push({ t, key: hb.sessionKey, hb, row: row(hb.sessionKey), tasks: tasks(hb.sessionKey) });
              }
            }
          }
          await sleep(Math.max(0, 2_000 - (Date.now() - restartAt - t)));
        }
        await starting;
        for (const k of KEYS) taskRowsAfter[k] = tasks(k);
        finalDoc = parseStatus(await runOursAsync(d, ["status", "--json", "--state-dir", d.box.stateDir]));
      } catch (e) {
        failure = e as Error;
      } finally {
        for (const a of agents) a.killGroup("SIGKILL");
        const short = (k: string) => k.split(":").at(-1);
        const lines = samples.map((s) => {
          const g = s.doc?.gateway;
          const gws = g ? `gw ${g.pid === newPid ? "new" : "old"}:${g.alive ? "alive" : "dead"}` : "gw ?";
          const cols = KEYS.map((k) => {
            const r = s.rows[k];
            const hb = s.doc?.sessions.find((x) => x.sessionKey === k);
            return `${short(k)} db=${r?.status ?? "-"}${r?.aborted ? "+aborted" : ""} ours=${hb ? `${hb.state}/${hb.health}(${why(hb)})` : "missing"}`;
          });
          return `  t=${(s.t / 1000).toFixed(1)}s ${gws} | ${cols.join(" | ")}`;
        });
        const resumes = model.requests.filter((r) => r.resumeTurn && KEYS.some((k) => r.tag === tagOf(k))).map((r) => `${r.tag} resumed (model request) at t=${((r.at - restartAt) / 1000).toFixed(1)}s mode=${r.mode}`);
        console.log(
          [
            `${VERSION} (B) mass restart timeline (t from the restarted gateway's spawn; gateway ready at t=${readyAt === undefined ? "?" : (readyAt / 1000).toFixed(1)}s):`,
            ...lines,
            `  marked abortedLastRun first seen: ${JSON.stringify(Object.fromEntries(Object.entries(markedAt).map(([k, v]) => [short(k), v])))}`,
            `  done first seen: ${JSON.stringify(Object.fromEntries(Object.entries(doneAt).map(([k, v]) => [short(k), v])))}`,
            ...resumes.map((r) => `  ${r}`),
            ...logEvents.map((e) => `  log t=${(e.t / 1000).toFixed(1)}s ${e.line}`),
            `  tasks before the kill: ${JSON.stringify(taskRowsBeforeKill)}`,
            `  tasks at the end: ${JSON.stringify(taskRowsAfter)}`,
            ...flagged.map((f) => `  FLAGGED t=${(f.t / 1000).toFixed(1)}s ${f.key}: ${JSON.stringify(f.hb)}\n    row after: ${JSON.stringify(f.row)}\n    tasks after: ${JSON.stringify(f.tasks)}`),
            `  unresponsive reasons seen: ${[
              ...new Set(
                samples.flatMap((s) =>
                  (s.doc?.sessions ?? []).filter((h) => KEYS.includes(h.sessionKey) && h.health === "unresponsive").map((h) => `${short(h.sessionKey)}@t=${(s.t / 1000).toFixed(0)}: ${h.reasons.at(-2)}`),
                ),
              ),
            ]
              .slice(0, 12)
              .join(" || ")}`,
            ...(failure ? [`  FAILED: ${failure.message}`] : []),
          ].join("\n"),
        );
      }
    }, 15 * 60_000);

    it("the scenario ran (three turns hanging, all tracked by a task; the gateway killed and restarted)", () => {
      expect(failure?.message ?? "", "the scenario's own error").toBe("");
      for (const k of KEYS) expect(taskRowsBeforeKill[k]?.some((t) => t.status === "running"), `${k}: ${JSON.stringify(taskRowsBeforeKill[k])}`).toBe(true);
    });

    it("after the SIGKILL: all three unresponsive (dead owner)", () => {
      for (const k of KEYS) {
        const hb = killedStatus?.sessions.find((s) => s.sessionKey === k);
        expect(hb, `${k}: ${JSON.stringify(hb)}`).toMatchObject({ health: "unresponsive", storeStatus: "running" });
      }
    });

    it("recovery held a marked row queued past the 60 s window (the case under test)", () => {
      const resumedAt = (k: string) => model.requests.find((r) => r.resumeTurn && r.tag === tagOf(k))?.at;
      const waits = KEYS.map((k) => {
        const at = resumedAt(k);
        return markedAt[k] === undefined || at === undefined ? -1 : at - restartAt - markedAt[k]!;
      });
      expect(Math.max(...waits), `mark -> resume per key (ms): ${waits.join(", ")}`).toBeGreaterThan(60_000);
    });

    it("no row unresponsive while the restarted gateway is alive (its recovery holds them queued or running)", () => {
      const live = samples.filter((s) => s.doc?.gateway?.alive === true && s.doc.gateway.pid === newPid);
      expect(live.length, "no sample saw the restarted gateway alive").toBeGreaterThan(5);
      for (const s of live) {
        expect(s.json.code, s.json.stderr).toBe(0);
        for (const k of KEYS) {
          const hb = s.doc!.sessions.find((x) => x.sessionKey === k);
          expect(hb, `t=${s.t} ${k} missing`).toBeDefined();
          if (hb!.storeStatus !== "running") continue;
          expect(hb!.health, `t=${s.t} ${k}: ${JSON.stringify(hb)} row=${JSON.stringify(s.rows[k])}`).not.toBe("unresponsive");
        }
      }
    });

    it("no false stall either: a turn recovery has just dispatched is not older than the stall limit", () => {
      // DESIGN.md: stalled = a non-terminal state older than its threshold (2 min here)
      const stalls = flagged.filter((f) => f.hb.health === "stalled");
      expect(stalls.map((f) => `t=${f.t} ${f.key} startedAt=${f.row?.startedAt} reasons=${JSON.stringify(f.hb.reasons)}`)).toEqual([]);
    });

    it("all three recovered: complete, idle, outcome done", () => {
      for (const k of KEYS) {
        expect(doneAt[k], `${k} never done`).toBeDefined();
        const hb = finalDoc?.sessions.find((s) => s.sessionKey === k);
        expect(hb, `${k}: ${JSON.stringify(hb)}`).toMatchObject({ state: "complete", health: "idle", storeStatus: "done", outcome: "done" });
      }
    });
  });
}

describe(`real OpenClaw ${VERSION} (era C): chat.send runs and a mass restart, read by our status`, () => scenario());
