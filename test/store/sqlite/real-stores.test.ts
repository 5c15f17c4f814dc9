// The four real OpenClaw 2026.9.6 stores get the verdicts their README documents, and reading
// them changes nothing: no byte of the DB or -wal, no file created, deleted or replaced.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../../src/core/health/deriveHeartbeat.js";
import type { Heartbeat } from "../../../src/core/types.js";
import { openStoreDb } from "../../../src/store/sqlite/open.js";
import { agentOfDatabase, readEraCStore } from "../../../src/store/sqlite/read-store.js";
import { sqliteRuntime } from "../../../src/store/sqlite/runtime.js";
import { tailReader } from "../../../src/store/sqlite/tails.js";
import { capturedAt, copyRun, liveOwner, storeFacts, treeInodes, type EraCRun } from "../../fixtures/real-openclaw-c.js";

const TH = { stallAfterMs: 120_000, perState: {} };
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function read(run: EraCRun, now = capturedAt(run)) {
  const copy = copyRun(run);
  roots.push(copy.root);
  const before = { facts: storeFacts(copy.dbPath), tree: treeInodes(copy.stateDir) };
  const result = readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" });
  const hbs = new Map<string, Heartbeat>(result.evidence.map((ev) => [ev.sessionKey, deriveHeartbeat(ev, now, TH)]));
  return { copy, result, hbs, before };
}

function expectUnchanged(copy: { dbPath: string; stateDir: string }, before: { facts: ReturnType<typeof storeFacts>; tree: Map<string, number> }) {
  const after = storeFacts(copy.dbPath);
  expect(after.db).toEqual(before.facts.db);
  expect(after.wal).toEqual(before.facts.wal);
  // -shm is SQLite's shared index, which every reader updates: only its existence and inode count
  expect({ exists: after.shm.exists, ino: after.shm.ino }).toEqual({ exists: before.facts.shm.exists, ino: before.facts.shm.ino });
  expect(treeInodes(copy.stateDir)).toEqual(before.tree);
}

describe("real OpenClaw 2026.9.6 stores, owners dead (read now)", () => {
  it("c1-quick-done: complete / idle, and its sidecars (a plain read-only open) are left as they were", () => {
    const { copy, hbs, before } = read("c1-quick-done");
    const hb = hbs.get("agent:main:main")!;
    expect([hb.state, hb.health, hb.storeStatus, hb.era, hb.source]).toEqual(["complete", "idle", "done", "C", "db"]);
    expect(before.facts.wal.exists && before.facts.shm.exists).toBe(true);
    expectUnchanged(copy, before);
  });

  it("c2-live-waiting-model: unresponsive awaiting_model, the next gateway start resumes it; never complete from turn 1's success", () => {
    const { copy, hbs, before, result } = read("c2-live-waiting-model", Date.parse("2026-12-04T14:30:00Z"));
    const hb = hbs.get("agent:main:c2-model-wait")!;
    expect([hb.state, hb.health, hb.storeStatus]).toEqual(["awaiting_model", "unresponsive", "running"]);
    expect(hb.drift).toMatch(/restart recovery resumes it on the next gateway start/);
    expect(hb.reasons.join("\n")).toMatch(/gateway pid 26517 .* is dead/);
    expect(result.owner).toMatchObject({ alive: false, pid: 26517, role: "gateway", posixLock: "free" });
    // no sidecars in the copy: read with immutable=1, which creates none
    expect(before.facts.wal.exists || before.facts.shm.exists).toBe(false);
    expectUnchanged(copy, before);
  });

  it("c5-model-error: both sessions ended with error (complete / idle, failed)", () => {
    const { copy, hbs, before } = read("c5-model-error");
    for (const key of ["agent:main:c5-http500", "agent:main:c5-malformed"]) {
      const hb = hbs.get(key)!;
      expect([hb.state, hb.health, hb.storeStatus, hb.drift]).toEqual(["complete", "idle", "failed", undefined]);
    }
    expectUnchanged(copy, before);
  });

  it("c7-aborted: ended, aborted (killed), complete / idle", () => {
    const { copy, hbs, before, result } = read("c7-aborted");
    const hb = hbs.get("agent:main:c7-abort")!;
    expect([hb.state, hb.health, hb.storeStatus]).toEqual(["complete", "idle", "killed"]);
    // a finished row is read from its columns: the window's start and end, the runtime between them
    const { entry } = result.evidence[0];
    expect([entry.startedAt, entry.endedAt, entry.runtimeMs]).toEqual([1796393006158, 1796393011308, 5150]);
    expectUnchanged(copy, before);
  });

  it("c1's second reply is a zstd row (event_json NULL) and is decoded into the transcript tail", () => {
    // a finished row's tail is never read for its verdict (read-store.ts): read it directly
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    const before = { facts: storeFacts(copy.dbPath), tree: treeInodes(copy.stateDir) };
    const { db } = openStoreDb(copy.dbPath, false);
    try {
      const sid = String(db.prepare("SELECT current_session_id AS sid FROM session_nodes WHERE session_key = 'agent:main:main'").get()?.sid);
      const zstdRows = Number(db.prepare("SELECT count(*) AS n FROM transcript_events WHERE session_id = ? AND event_json IS NULL").get(sid)?.n);
      expect(zstdRows).toBeGreaterThan(0);
      const t = tailReader(db, sqliteRuntime(), copy.dbPath, (w) => expect.fail(w)).transcript(sid, undefined);
      expect([t.lastRole, t.lastStopReason, t.model]).toEqual(["assistant", "stop", "fake-1"]);
    } finally {
      db.close();
    }
    expectUnchanged(copy, before);
  });

  it("a finished row is judged from the row: its reasons say so, its model and times are the row's", () => {
    const { hbs, result } = read("c1-quick-done");
    const ev = result.evidence.find((e) => e.sessionKey === "agent:main:main")!;
    expect([ev.transcript, ev.trajectory]).toEqual([undefined, undefined]);
    const hb = hbs.get("agent:main:main")!;
    expect(hb.reasons.join(" ")).toMatch(/run ended \(done\) at \d{4}-\d\d-\d\dT.*a finished row's trajectory is not read/);
    expect(hb.model).toBe(ev.entry.model);
    expect(hb.startedAt).toBe(ev.entry.startedAt);
    expect(hb.lastActivityAt).toBe(Math.max(ev.entry.startedAt!, ev.entry.endedAt!));
  });
});

describe("real c2 read as at capture: owner alive", () => {
  it("awaiting_model / waiting while a live gateway holds the lock JSON and its POSIX lock; nothing created or replaced", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const owner = await liveOwner(copy);
    try {
      const before = { facts: storeFacts(copy.dbPath), tree: treeInodes(copy.stateDir) };
      expect(before.facts.wal.exists && before.facts.shm.exists).toBe(true);
      const result = readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" });
      expect(result.owner).toMatchObject({ alive: true, pid: owner.pid, role: "gateway", posixLock: "held" });
      const hb = deriveHeartbeat(result.evidence[0], capturedAt("c2-live-waiting-model"), TH);
      expect([hb.state, hb.health, hb.drift]).toEqual(["awaiting_model", "waiting", undefined]);
      // the copy has no global DB: tasks are unknown, and the lock decides alone
      expect(result.evidence[0].tasksKnown).toBe(false);
      expectUnchanged(copy, before);
    } finally {
      await owner.stop();
    }
  });

  it("refuses a store whose owner is alive but whose -wal/-shm are missing, creating nothing", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const owner = await liveOwner(copy, { sidecars: false });
    try {
      const before = treeInodes(copy.stateDir);
      expect(() => readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" })).toThrow(/owner is alive but -wal\/-shm are missing/);
      expect(treeInodes(copy.stateDir)).toEqual(before);
    } finally {
      await owner.stop();
    }
  });
});

describe("whose sessions an agent database holds", () => {
  it("the agent it is read as (its dir), not its keys' prefix: a copy in agent ops's dir is ops's, with a warning naming schema_meta's agent", () => {
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    const asOwn = readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" });
    expect(asOwn.evidence.map((ev) => ev.agentId)).toEqual(["main"]);
    expect(asOwn.warnings.join("\n")).not.toContain("schema_meta");

    const opsDb = path.join(copy.stateDir, "agents", "ops", "agent", "openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(opsDb), { recursive: true });
    fs.copyFileSync(copy.dbPath, opsDb);
    const asCopy = readEraCStore({ agentId: "ops", storePath: opsDb, era: "C" });
    expect(asCopy.evidence.map((ev) => [ev.agentId, ev.sessionKey])).toEqual([["ops", "agent:main:main"]]);
    expect(asCopy.warnings).toContain(
      `${opsDb} is agent "main"'s database (its schema_meta says so) in agent "ops"'s dir: a copy? Its sessions are shown as ops's, where OpenClaw would read them`,
    );
  });

  it("a database outside any agents tree (a backup named by --store) is the agent its schema_meta names, without a warning", () => {
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    const backup = path.join(copy.root, "backup.sqlite");
    fs.copyFileSync(copy.dbPath, backup);
    const read = readEraCStore({ agentId: "main", storePath: backup, era: "C" });
    expect(read.evidence.map((ev) => ev.agentId)).toEqual(["main"]);
    expect(agentOfDatabase({ agentId: "main", storePath: backup }, { agentId: "ops" })).toEqual({ agentId: "ops" });
    expect(agentOfDatabase({ agentId: "main", storePath: backup }, { agentId: "Not Valid" })).toEqual({ agentId: "main" });
    expect(agentOfDatabase({ agentId: "main", storePath: backup }, {})).toEqual({ agentId: "main" });
  });
});
