// The global DB's task_runs decides a `running` row of a live gateway: a running task with a live
// owner is the run itself; none (or an orphaned one) is restart recovery pending.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../../src/core/health/deriveHeartbeat.js";
import { readProcStartTime } from "../../../src/store/proc.js";
import { readEraCStore } from "../../../src/store/sqlite/read-store.js";
import { c2UnderLiveGateway, capturedAt, copyRun, liveOwner, NO_TIME_LIMITS, sqlite, storeFacts, treeInodes } from "../../fixtures/real-openclaw-c.js";

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KEY = "agent:main:c2-model-wait";
const RUN = "5e0b8be6-1ab4-4995-8e37-6d98a2d18bc9";

/** c2 with a live gateway, and a global DB whose task for turn 2 is owned by `owner`. */
async function c2WithTask(owner: { pid: number; startTime?: number }, status = "running") {
  const { copy, gw, db, file } = await c2UnderLiveGateway(cleanups);
  const at = capturedAt("c2-live-waiting-model") - 3000;
  db.prepare("INSERT INTO task_runs VALUES ('t1', ?, 'c20ad7c1', ?, ?, 'succeeded', NULL, ?, ?, ?, ?)").run(KEY, owner.pid, String(owner.startTime ?? ""), at - 8000, at - 8000, at - 6000, at - 6000);
  db.prepare("INSERT INTO task_runs VALUES ('t2', ?, ?, ?, ?, ?, NULL, ?, ?, NULL, ?)").run(KEY, RUN, owner.pid, String(owner.startTime ?? ""), status, at, at, at);
  return { copy, gw, file };
}

describe("task_runs in the global DB", () => {
  it("a running task owned by the live gateway: the run is alive (waiting on the model); the global DB is untouched", async () => {
    const { copy, gw, file } = await c2WithTask({ pid: 0 });
    // the task names the live gateway itself, with its start time
    const { DatabaseSync } = sqlite();
    const w = new DatabaseSync(file);
    w.prepare("UPDATE task_runs SET execution_owner_pid = ?, execution_owner_start_identity = ?").run(gw.pid, String(readProcStartTime(gw.pid)));
    w.close();
    const facts = storeFacts(file);
    const tree = treeInodes(copy.stateDir);
    const read = readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" });
    const ev = read.evidence[0]!;
    expect(ev.tasksKnown).toBe(true);
    expect(ev.task).toMatchObject({ runId: RUN, status: "running", owner: "alive", ownerPid: gw.pid });
    const hb = deriveHeartbeat(ev, capturedAt("c2-live-waiting-model"), { stallAfterMs: 120_000, perState: {} });
    expect([hb.state, hb.health]).toEqual(["awaiting_model", "waiting"]);
    expect(hb.reasons.join("\n")).toMatch(/task 5e0b8be6 is running, owned by live pid/);
    const after = storeFacts(file);
    expect([after.db, after.wal]).toEqual([facts.db, facts.wal]);
    expect(treeInodes(copy.stateDir)).toEqual(tree);
  });

  it("a running task whose owner is dead, beside a live gateway: restart recovery pending (waiting)", async () => {
    const { copy } = await c2WithTask({ pid: 26517, startTime: 2439736 });
    const ev = readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" }).evidence[0]!;
    expect(ev.task).toMatchObject({ status: "running", owner: expect.stringMatching(/dead|reused/) });
    const hb = deriveHeartbeat(ev, capturedAt("c2-live-waiting-model"), { stallAfterMs: 120_000, perState: {} });
    expect(hb.health).toBe("waiting");
    expect(hb.reasons.join("\n")).toMatch(/restart recovery is pending/);
  });

  it("the turn's task already cancelled while the row still says running: restart recovery pending", async () => {
    const { copy } = await c2WithTask({ pid: 26517, startTime: 2439736 }, "cancelled");
    const ev = readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" }).evidence[0]!;
    const hb = deriveHeartbeat(ev, capturedAt("c2-live-waiting-model"), { stallAfterMs: 120_000, perState: {} });
    expect(hb.reasons.join("\n")).toMatch(/latest task 5e0b8be6 is cancelled: restart recovery is pending/);
  });
});

// Before OpenClaw 2026.9.5, task_runs has no execution_owner_pid/start_identity columns: a task does
// not name its owner. The reader still reads it (owner unknown), and the live gateway's start time
// tells whose it is: a task started in its life is its own run, one started before belongs to a
// gateway that is gone (restart recovery pending).
describe("task_runs of OpenClaw before 2026.9.5 (no owner columns)", () => {
  async function c2WithOwnerlessTask(startedAt: (gatewayStart: number) => number) {
    const copy = copyRun("c2-live-waiting-model");
    cleanups.push(() => fs.rmSync(copy.root, { recursive: true, force: true }));
    const gw = await liveOwner(copy);
    cleanups.push(() => gw.stop());
    const gatewayStart = JSON.parse(fs.readFileSync(path.join(copy.lockDir, fs.readdirSync(copy.lockDir).find((n) => /^gateway\.[^.]+\.lock$/.test(n) && n !== "gateway.state.lock")!), "utf8")) as { createdAt: string };
    const at = startedAt(Date.parse(gatewayStart.createdAt));
    const file = path.join(copy.stateDir, "state", "openclaw.sqlite");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { DatabaseSync } = sqlite();
    const db = new DatabaseSync(file);
    // the 2026.9.4 columns this reader uses, without the owner pair
    db.exec(`PRAGMA journal_mode = WAL;
      CREATE TABLE task_runs (task_id TEXT PRIMARY KEY, requester_session_key TEXT, run_id TEXT, status TEXT, error TEXT,
        created_at INTEGER, started_at INTEGER, ended_at INTEGER, last_event_at INTEGER)`);
    db.prepare("INSERT INTO task_runs VALUES ('t2', ?, ?, 'running', NULL, ?, ?, NULL, ?)").run(KEY, RUN, at, at, at);
    cleanups.push(() => db.close());
    return copy;
  }
  const judge = (copy: { dbPath: string }) => {
    const read = readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" });
    expect(read.warnings).toEqual([]);
    const ev = read.evidence[0]!;
    return { ev, hb: deriveHeartbeat(ev, Date.now() + 1000, NO_TIME_LIMITS) };
  };

  it("a running task started after the live gateway: its own run, alive (waiting on the model)", async () => {
    const { ev, hb } = judge(await c2WithOwnerlessTask((start) => start + 500));
    expect(ev.tasksKnown).toBe(true);
    expect(ev.task).toMatchObject({ runId: RUN, status: "running", owner: "unknown" });
    expect(ev.task?.ownerPid).toBeUndefined();
    expect([hb.state, hb.health]).toEqual(["awaiting_model", "waiting"]);
    expect(hb.reasons.join("\n")).toMatch(/task 5e0b8be6 is running, started .* in this gateway's life/);
  });

  it("a running task started before the live gateway: a previous gateway's, restart recovery pending", async () => {
    const { hb } = judge(await c2WithOwnerlessTask((start) => start - 60_000));
    expect(hb.health).toBe("waiting");
    expect(hb.reasons.join("\n")).toMatch(/task 5e0b8be6 is running but started .* before this gateway: restart recovery is pending/);
  });
});
