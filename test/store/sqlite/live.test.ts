// watch on era C: one connection per store, re-read only when PRAGMA data_version moves (another
// connection committed), never on a timer, never by watching the main file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { judgeLive } from "../../../src/core/live/judge-live.js";
import type { Evidence } from "../../../src/core/types.js";
import { sameHeartbeat, sameVerdict } from "../../../src/store/live-source.js";
import { openLiveSource } from "../../../src/store/live-source.js";
import { openEraCLive } from "../../../src/store/sqlite/live.js";
import { generateEraCStore } from "../../../src/sim/era-c/generate.js";
import { crashedWriterStore } from "../../fixtures/era-c-crash.js";
import { capturedAt, copyRun, liveOwner, sqlite, storeFacts, treeInodes } from "../../fixtures/real-openclaw-c.js";

const TH = { stallAfterMs: 120_000, perState: {} };
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A generated store plus a writer connection standing in for the gateway (it keeps -wal/-shm). */
async function storeWithWriter() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "oc-live-c-"));
  cleanups.push(() => fs.rmSync(out, { recursive: true, force: true }));
  const m = await generateEraCStore({ outDir: out, sessions: 6, agents: ["main"], seed: 5 });
  const { DatabaseSync } = sqlite();
  const writer = new DatabaseSync(m.dbPaths[0]!);
  writer.prepare("SELECT count(*) FROM session_nodes").get();
  cleanups.push(() => writer.close());
  const running = m.sessions.find((s) => s.kind === "running-dead")!;
  const finish = () => {
    const t = m.now + 1000;
    writer.prepare("UPDATE session_nodes SET status = 'done', updated_at = ? WHERE session_key = ?").run(t, running.sessionKey);
    writer.prepare("UPDATE session_windows SET status = 'done', ended_at = ?, updated_at = ? WHERE session_id = ?").run(t, t, running.sessionId);
  };
  return { m, dbPath: m.dbPaths[0]!, running, finish };
}

describe("openEraCLive", () => {
  it("re-reads a store only after a commit by another connection", async () => {
    const { m, dbPath, running, finish } = await storeWithWriter();
    const live = openEraCLive([{ agentId: "main", storePath: dbPath, era: "C" }], (ev) => judgeLive(ev, m.now, TH), () => m.now);
    cleanups.push(() => live.close());
    expect(live.reads).toBe(1);
    const health = () => live.heartbeats().find((h) => h.sessionKey === running.sessionKey)!.health;
    expect(health()).toBe("unresponsive");
    expect(live.poll(false)).toBe(false);
    expect(live.poll(false)).toBe(false);
    expect(live.reads).toBe(1);
    finish();
    expect(live.poll(false)).toBe(true);
    expect(live.reads).toBe(2);
    expect(health()).toBe("idle");
    expect(live.rederive(sameHeartbeat)).toBe(false);
  });

  it("a clock tick re-judges only the verdicts time can change; resting ones on a slow tick once their ages' wording can have moved", async () => {
    const { m, dbPath } = await storeWithWriter();
    let now = m.now;
    const judged: string[] = [];
    /** when each session's verdict can next change by time alone, as last judged */
    const dueAt = new Map<string, number>();
    const judge = (ev: Evidence) => {
      judged.push(ev.sessionKey);
      const v = judgeLive(ev, now, TH);
      dueAt.set(ev.sessionKey, v.verdictDueAt);
      return v;
    };
    const live = openEraCLive([{ agentId: "main", storePath: dbPath, era: "C" }], judge, () => now);
    cleanups.push(() => live.close());
    const all = live.heartbeats();
    expect(judged).toHaveLength(all.length);
    const timed = [...dueAt].filter(([, at]) => Number.isFinite(at));
    expect(timed.length).toBeGreaterThan(0);
    judged.length = 0;
    // a plain tick before any threshold: nothing to judge (a dead run stays dead; ages wait)
    live.rederive(sameVerdict, false);
    expect(judged).toEqual([]);
    // resting sessions whose activity is over a day old are due again only after an hour
    live.rederive(sameHeartbeat, true);
    expect(judged.length).toBeLessThan(all.length);
    judged.length = 0;
    // a plain tick at the first threshold: exactly the sessions whose verdict time can have changed
    const first = Math.min(...timed.map(([, at]) => at));
    const everyTick = [...dueAt].filter(([, at]) => at <= first).map(([k]) => k);
    now = first;
    live.rederive(sameVerdict, false);
    expect(judged.sort()).toEqual([...everyTick].sort());
    judged.length = 0;
    now += 2 * 3_600_000;
    live.rederive(sameHeartbeat, true);
    expect(judged).toHaveLength(all.length);
    judged.length = 0;
    live.rederive(sameHeartbeat);
    expect(judged).toHaveLength(all.length);
  });

  it("polling leaves the main file and -wal as the writer left them and replaces no file", async () => {
    const { m, dbPath } = await storeWithWriter();
    const facts = storeFacts(dbPath);
    const tree = treeInodes(path.dirname(dbPath));
    const live = openEraCLive([{ agentId: "main", storePath: dbPath, era: "C" }], (ev) => judgeLive(ev, m.now, TH), () => m.now);
    for (let i = 0; i < 20; i++) live.poll(i % 5 === 0);
    live.close();
    const after = storeFacts(dbPath);
    expect([after.db, after.wal]).toEqual([facts.db, facts.wal]);
    expect(treeInodes(path.dirname(dbPath))).toEqual(tree);
  });
});

describe("a store opened immutable (no owner, no -wal/-shm: a stopped 2026.9.4/9.5 gateway, a copy)", () => {
  /** A generated store, closed by its writer: no sidecars, so the reader opens it immutable. */
  async function quiescentStore() {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "oc-live-c-imm-"));
    cleanups.push(() => fs.rmSync(out, { recursive: true, force: true }));
    const m = await generateEraCStore({ outDir: out, sessions: 6, agents: ["main"], seed: 5 });
    const dbPath = m.dbPaths[0]!;
    expect(fs.existsSync(`${dbPath}-wal`) || fs.existsSync(`${dbPath}-shm`)).toBe(false);
    const running = m.sessions.find((s) => s.kind === "running-dead")!;
    const live = openEraCLive([{ agentId: "main", storePath: dbPath, era: "C" }], (ev) => judgeLive(ev, m.now, TH), () => m.now);
    cleanups.push(() => live.close());
    const health = () => live.heartbeats().find((h) => h.sessionKey === running.sessionKey)!.health;
    const finish = (writer: { prepare(s: string): { run(...a: unknown[]): unknown } }) => {
      const t = m.now + 1000;
      writer.prepare("UPDATE session_nodes SET status = 'done', updated_at = ? WHERE session_key = ?").run(t, running.sessionKey);
      writer.prepare("UPDATE session_windows SET status = 'done', ended_at = ?, updated_at = ? WHERE session_id = ?").run(t, t, running.sessionId);
    };
    return { dbPath, live, health, finish };
  }

  it("is reopened when a writer appears (its -wal/-shm), and the writer's commit is read", async () => {
    const { dbPath, live, health, finish } = await quiescentStore();
    expect(health()).toBe("unresponsive");
    expect(live.poll(false)).toBe(false);
    const { DatabaseSync } = sqlite();
    const writer = new DatabaseSync(dbPath);
    cleanups.push(() => writer.close());
    writer.exec("PRAGMA wal_autocheckpoint = 0");
    finish(writer);
    expect(fs.existsSync(`${dbPath}-wal`) && fs.existsSync(`${dbPath}-shm`)).toBe(true);
    expect(live.poll(false)).toBe(true);
    expect(health()).toBe("idle");
    // reopened once, then plain: no reopening (and no re-read) while nothing changes
    const reads = live.reads;
    expect(live.poll(false)).toBe(false);
    expect(live.poll(false)).toBe(false);
    expect(live.reads).toBe(reads);
  });

  it("is reopened when a writer committed and closed between two polls (the main file changed, no sidecar left)", async () => {
    const { dbPath, live, health, finish } = await quiescentStore();
    const reads = live.reads;
    const { DatabaseSync } = sqlite();
    const writer = new DatabaseSync(dbPath);
    finish(writer);
    writer.close();
    expect(fs.existsSync(`${dbPath}-wal`)).toBe(false);
    expect(live.poll(false)).toBe(true);
    expect(live.reads).toBe(reads + 1);
    expect(health()).toBe("idle");
    expect(live.poll(false)).toBe(false);
  });

  it("is not reopened (nor re-read) by polls while nothing on disk changes", async () => {
    const { live } = await quiescentStore();
    const reads = live.reads;
    for (let i = 0; i < 5; i++) expect(live.poll(i % 2 === 0)).toBe(false);
    expect(live.reads).toBe(reads);
  });
});

describe("a store refused because its owner is alive but its sidecars are not there yet (a gateway starting)", () => {
  it("is read at the next fast poll once the sidecars appear, not at the slow tick", async () => {
    const copy = copyRun("c2-live-waiting-model");
    cleanups.push(() => fs.rmSync(copy.root, { recursive: true, force: true }));
    const owner = await liveOwner(copy, { sidecars: false });
    try {
      const at = capturedAt("c2-live-waiting-model");
      const live = openEraCLive([{ agentId: "main", storePath: copy.dbPath, era: "C" }], (ev) => judgeLive(ev, at, TH), () => at);
      cleanups.push(() => live.close());
      expect(live.unread()).toEqual([expect.objectContaining({ why: expect.stringContaining("its owner is alive but -wal/-shm are missing") })]);
      expect(live.heartbeats()).toEqual([]);
      expect(live.poll(false)).toBe(false);
      // the gateway opens its store: -wal and -shm appear
      const { DatabaseSync } = sqlite();
      const writer = new DatabaseSync(copy.dbPath);
      cleanups.push(() => writer.close());
      writer.prepare("SELECT count(*) FROM session_nodes").get();
      expect(live.poll(false)).toBe(true);
      expect(live.unread()).toEqual([]);
      expect(live.heartbeats().map((h) => h.sessionKey)).toEqual(["agent:main:c2-model-wait"]);
    } finally {
      await owner.stop();
    }
  });
});

describe("a store whose open works but whose read fails", () => {
  it("is not read again, nor reported changed, at every poll; a commit that fixes it is read and clears the reason", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-live-c-badread-"));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "openclaw-agent.sqlite");
    const { DatabaseSync } = sqlite();
    // the version gate passes (user_version 23, role agent) but session_windows, which the row statement joins, is missing
    const setup = new DatabaseSync(file);
    setup.exec(`CREATE TABLE schema_meta (meta_key TEXT PRIMARY KEY, role TEXT NOT NULL, schema_version INTEGER NOT NULL, agent_id TEXT, app_version TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
                CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY, current_session_id TEXT, entry_json TEXT, entry_valid INTEGER, updated_at INTEGER, status TEXT, created_at INTEGER, spawned_by TEXT, parent_session_key TEXT, label TEXT, display_name TEXT, archived_at INTEGER, last_interaction_at INTEGER);
                CREATE TABLE transcript_events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, event_json TEXT, created_at INTEGER NOT NULL, event_zstd BLOB);
                INSERT INTO schema_meta VALUES ('primary', 'agent', 23, 'main', '2026.9.6', 0, 0);
                INSERT INTO session_nodes (session_key, current_session_id, entry_json, entry_valid, updated_at, status) VALUES ('agent:main:main', 's1', '{}', 1, 1, 'done');
                PRAGMA user_version = 23;`);
    setup.close();
    const live = openEraCLive([{ agentId: "main", storePath: file, era: "C" }], (ev) => judgeLive(ev, 1, TH), () => 1);
    cleanups.push(() => live.close());
    expect(live.unread()).toEqual([expect.objectContaining({ why: expect.stringContaining("no such table: session_windows") })]);
    for (let i = 0; i < 3; i++) expect(live.poll(false)).toBe(false);
    const writer = new DatabaseSync(file);
    cleanups.push(() => writer.close());
    writer.exec("CREATE TABLE session_windows (session_id TEXT PRIMARY KEY, started_at INTEGER, ended_at INTEGER, model TEXT, model_provider TEXT, created_at INTEGER, transcript_updated_at INTEGER, chat_type TEXT)");
    expect(live.poll(false)).toBe(true);
    expect(live.unread()).toEqual([]);
    expect(live.heartbeats().map((h) => h.sessionKey)).toEqual(["agent:main:main"]);
  });
});

describe("a Node without node:sqlite (the runtime cannot appear while the process runs)", () => {
  it("a store that failed is not tried again, not on a fast poll after its files change nor on a slow tick", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "oc-live-c-noruntime-"));
    cleanups.push(() => fs.rmSync(out, { recursive: true, force: true }));
    const m = await generateEraCStore({ outDir: out, sessions: 4, agents: ["main"], seed: 5 });
    const dbPath = m.dbPaths[0]!;
    const good = fs.readFileSync(dbPath);
    fs.writeFileSync(dbPath, "garbage\n");
    const live = openEraCLive([{ agentId: "main", storePath: dbPath, era: "C" }], (ev) => judgeLive(ev, m.now, TH), () => m.now, () => "reading OpenClaw's SQLite store needs Node 24");
    cleanups.push(() => live.close());
    const why = live.unread()[0]!.why;
    expect(why).toContain("not an SQLite database");
    fs.writeFileSync(dbPath, good);
    expect(live.poll(false)).toBe(false);
    expect(live.poll(true)).toBe(false);
    expect(live.reads).toBe(0);
    expect(live.unread()[0]!.why).toBe(why);
  });
});

describe("a store whose main file is replaced under the reader", () => {
  it("by garbage: its last good read stays, named unread with why; a good file put back is read again", async () => {
    for (const withWriter of [true, false]) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "oc-live-c-swap-"));
      cleanups.push(() => fs.rmSync(out, { recursive: true, force: true }));
      const m = await generateEraCStore({ outDir: out, sessions: 6, agents: ["main"], seed: 5 });
      const dbPath = m.dbPaths[0]!;
      const good = path.join(out, "good.sqlite");
      fs.copyFileSync(dbPath, good);
      if (withWriter) {
        // a writer that came and went while the reader held the store: -wal/-shm stay (plain open)
        const { DatabaseSync } = sqlite();
        const writer = new DatabaseSync(dbPath);
        writer.prepare("SELECT count(*) FROM session_nodes").get();
        cleanups.push(() => writer.close());
      }
      const live = openEraCLive([{ agentId: "main", storePath: dbPath, era: "C" }], (ev) => judgeLive(ev, m.now, TH), () => m.now);
      cleanups.push(() => live.close());
      const before = live.heartbeats().map((h) => h.sessionKey).sort();
      expect(before).toHaveLength(6);
      const swap = (from: Buffer | string) => {
        fs.writeFileSync(`${dbPath}.new`, from);
        fs.renameSync(`${dbPath}.new`, dbPath);
      };
      swap("garbage\n");
      expect(live.poll(false), `writer: ${withWriter}`).toBe(true);
      expect(live.heartbeats().map((h) => h.sessionKey).sort()).toEqual(before);
      expect(live.unread()).toEqual([{ agentId: "main", storePath: dbPath, era: "C", why: `${dbPath}: not an SQLite database (its first bytes are not the SQLite header)` }]);
      // nothing changed on disk: no retry, no read
      const reads = live.reads;
      expect(live.poll(false)).toBe(false);
      // put back: read again at the next poll, not only at the slow tick
      swap(fs.readFileSync(good));
      expect(live.poll(false)).toBe(true);
      expect(live.unread()).toEqual([]);
      expect(live.reads).toBe(reads + 1);
      expect(live.heartbeats().map((h) => h.sessionKey).sort()).toEqual(before);
    }
  });

  it("by another store (a restored backup) under a plain connection: the new file's rows are read, not the old inode's forever", async () => {
    const { m, dbPath, running } = await storeWithWriter();
    const live = openEraCLive([{ agentId: "main", storePath: dbPath, era: "C" }], (ev) => judgeLive(ev, m.now, TH), () => m.now);
    cleanups.push(() => live.close());
    const health = () => live.heartbeats().find((h) => h.sessionKey === running.sessionKey)!.health;
    expect(health()).toBe("unresponsive");
    // the backup: a copy in which the run ended, closed (no sidecars of its own), renamed over the
    // store; the writer committed nothing, so the -wal beside it holds no frame to replay onto it
    const backup = path.join(path.dirname(dbPath), "backup.sqlite");
    fs.copyFileSync(dbPath, backup);
    const { DatabaseSync } = sqlite();
    const db = new DatabaseSync(backup);
    const t = m.now + 1000;
    db.prepare("UPDATE session_nodes SET status = 'done', updated_at = ? WHERE session_key = ?").run(t, running.sessionKey);
    db.prepare("UPDATE session_windows SET status = 'done', ended_at = ?, updated_at = ? WHERE session_id = ?").run(t, t, running.sessionId);
    db.close();
    const reads = live.reads;
    fs.renameSync(backup, dbPath);
    expect(live.poll(false)).toBe(true);
    expect(live.unread()).toEqual([]);
    expect(live.reads).toBe(reads + 1);
    expect(health()).toBe("idle");
    expect(live.poll(false)).toBe(false);
  });
});

describe("openLiveSource on an era C state dir", () => {
  it("publishes a committed change (running -> done) from the data_version poll, without any file event on the main file", async () => {
    const { m, running, finish } = await storeWithWriter();
    // the clock tick is an hour away: only the data_version poll can publish the change
    const source = await openLiveSource({ stateDir: m.stateDir, env: {}, probe: false, tickMs: 3_600_000, eraCPollMs: 20, now: () => m.now });
    cleanups.push(() => source.close());
    const health = () => source.get().find((h) => h.sessionKey === running.sessionKey)?.health;
    expect(health()).toBe("unresponsive");
    const changed = new Promise<void>((resolve) => {
      const off = source.subscribe(() => {
        if (health() === "idle") {
          off();
          resolve();
        }
      });
    });
    finish();
    await changed;
    expect(source.get().every((h) => h.era === "C")).toBe(true);
  });
});

describe("a store whose writer was SIGKILLed (the data only in -wal)", () => {
  it("is read through its -wal with a plain read-only open; -wal bytes and every inode stay as the crash left them", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "oc-crash-c-"));
    cleanups.push(() => fs.rmSync(out, { recursive: true, force: true }));
    const { dbPath, doneInWal: running } = await crashedWriterStore(out);
    const before = storeFacts(dbPath);
    expect(before.wal.size).toBeGreaterThan(0);
    expect(before.shm.exists).toBe(true);
    const tree = treeInodes(path.dirname(dbPath));
    const { readEraCStore } = await import("../../../src/store/sqlite/read-store.js");
    const read = readEraCStore({ agentId: "main", storePath: dbPath, era: "C" });
    // the committed change lives only in the -wal: immutable=1 would have missed it
    expect(read.evidence.find((e) => e.sessionKey === running.sessionKey)?.entry.status).toBe("done");
    const after = storeFacts(dbPath);
    expect([after.db, after.wal]).toEqual([before.db, before.wal]);
    expect(treeInodes(path.dirname(dbPath))).toEqual(tree);
  });
});

describe("openLiveSource: an era C agent that appears while watching", () => {
  it("is picked up from the agents dir's events and read beside the JSON-era agent", async () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "oc-appear-"));
    cleanups.push(() => fs.rmSync(state, { recursive: true, force: true }));
    const { REAL_OPENCLAW } = await import("../../fixtures/real-openclaw.js");
    fs.cpSync(path.join(REAL_OPENCLAW, "s1-quick-done", "state", "agents", "main"), path.join(state, "agents", "main"), { recursive: true });
    const source = await openLiveSource({ stateDir: state, env: {}, probe: false, tickMs: 50, slowEvery: 1, eraCPollMs: 50 });
    cleanups.push(() => source.close());
    expect(source.get().map((h) => h.era)).toEqual(["AB"]);
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "oc-appear-src-"));
    cleanups.push(() => fs.rmSync(elsewhere, { recursive: true, force: true }));
    await generateEraCStore({ outDir: elsewhere, sessions: 3, agents: ["ops"], seed: 2 });
    const seen = new Promise<void>((resolve) => {
      const off = source.subscribe(() => {
        if (source.get().filter((h) => h.era === "C").length === 3) {
          off();
          resolve();
        }
      });
    });
    fs.renameSync(path.join(elsewhere, "agents", "ops"), path.join(state, "agents", "ops"));
    await seen;
    expect(source.eraC().map((r) => r.agentId)).toEqual(["ops"]);
  });
});
