import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UnreadableError } from "../../src/core/errors.js";
import { deriveHeartbeat } from "../../src/core/health/index.js";
import { planTick } from "../../src/core/keepalive-schedule.js";
import { resolveMaintenancePolicy } from "../../src/core/maintenance.js";
import { planItem } from "../../src/core/plan/actions.js";
import { planFinalize } from "../../src/core/plan/finalize.js";
import { protectedBecause } from "../../src/core/plan/protect.js";
import { planPrune } from "../../src/core/plan/prune.js";
import type { Evidence } from "../../src/core/types.js";
import { generateStore } from "../../src/sim/generate.js";
import { agentDbPath } from "../../src/store/era.js";
import { readProcStartTime } from "../../src/store/proc.js";
import { readIndex } from "../../src/store/read-index.js";
import { readSessionEvidence, readSnapshot, readStoreEvidence } from "../../src/store/snapshot.js";
import { REAL_OPENCLAW } from "../fixtures/real-openclaw.js";
import { copyRealState, indexPath, makeStateDir, makeTempDir, writeGatewayLock, writeIndex, writeLock } from "../fixtures/store-builder.js";

const byKey = (evidence: Evidence[], key: string): Evidence => {
  const e = evidence.find((x) => x.sessionKey === key);
  if (!e) throw new Error(`no evidence for ${key}`);
  return e;
};

async function snapshotOf(state: string, extra: Record<string, unknown> = {}) {
  return readSnapshot({ stateDir: state, env: { HOME: makeTempDir() }, tmpDir: makeTempDir(), probe: false, ...extra });
}

describe("readSnapshot over real OpenClaw 2026.7.1 stores", () => {
  it("s1: a finished session, two runs, the last ended success", async () => {
    const state = copyRealState("s1-quick-done");
    const snap = await snapshotOf(state);
    expect(snap.stores).toEqual([{ agentId: "main", storePath: indexPath(state), era: "AB" }]); // its config carries no version stamp and no lock is held: A or B
    expect(snap.eraC).toEqual([]);
    expect(snap.configPath).toBe(path.join(state, "openclaw.json"));
    expect(snap.config).toHaveProperty("gateway.port", 18999);
    const e = byKey(snap.evidence, "agent:main:main");
    expect(e.agentId).toBe("main");
    expect(e.entry.status).toBe("done");
    expect(e.transcriptPath).toBe(path.join(state, "agents/main/sessions/6247fe16-f29a-4a96-be6b-6520c3cd0178.jsonl"));
    expect(e.sessionFileNote).toMatch(/^sessionFile \/home\/operator\/.* does not exist; using /);
    expect(e.transcript!.lastRole).toBe("assistant");
    expect(e.transcript!.lastStopReason).toBe("stop");
    expect(e.trajectory!.run!.runId).toBe("75c1aa26-c477-4aec-92c7-2ff2a3475084");
    expect(e.trajectory!.run!.ended!.status).toBe("success");
    expect(e.lock).toBeUndefined();
  });

  it("s2: running with a startedAt newer than the trajectory's last success; user spoke last; lock left by a dead owner", async () => {
    const state = copyRealState("s2-live-waiting-model");
    const snap = await snapshotOf(state);
    const e = byKey(snap.evidence, "agent:main:s2-model-wait");
    expect(e.entry.status).toBe("running");
    const ended = e.trajectory!.run!.ended!;
    expect(ended.status).toBe("success");
    expect(ended.at).toBeLessThan(e.entry.startedAt!);
    expect(e.transcript!.lastRole).toBe("user");
    expect(e.transcript!.lastMessageAt).toBe(1795293201233);
    expect(e.transcript!.openToolCalls).toEqual([]);
    expect(e.lock).toMatchObject({ pid: 23939, starttime: 434168, maxHoldMs: 300000 });
    expect(["dead", "reused"]).toContain(e.lock!.owner);
  });

  it("s2 with the lock rewritten to name this live process: owner alive", async () => {
    const state = copyRealState("s2-live-waiting-model");
    const lockFile = path.join(state, "agents/main/sessions/fc4ca43d-e885-46ff-af9b-f20dc6eea468.jsonl.lock");
    writeLock(lockFile, { pid: process.pid, createdAt: Date.parse("2026-11-21T20:33:21.824Z"), starttime: readProcStartTime(process.pid), maxHoldMs: 300000 });
    const snap = await snapshotOf(state);
    expect(byKey(snap.evidence, "agent:main:s2-model-wait").lock!.owner).toBe("alive");
  });

  it("s3: exec called and never answered, no trajectory yet (only the pointer)", async () => {
    const state = copyRealState("s3-tool-killed");
    const snap = await snapshotOf(state);
    const e = byKey(snap.evidence, "agent:main:s3-tool-exec");
    expect(e.transcript!.openToolCalls.map((c) => c.name)).toEqual(["exec"]);
    expect(e.transcript!.lastStopReason).toBe("toolUse");
    expect(e.trajectory).toBeUndefined();
    expect(e.lock!.pid).toBe(25653);
    expect(e.lock!.owner).not.toBe("alive");
  });

  it("s5: both runs ended with error while the index still says running; no locks", async () => {
    const state = copyRealState("s5-errors-within-grace");
    const snap = await snapshotOf(state);
    expect(snap.evidence.map((e) => e.sessionKey)).toEqual(["agent:main:s5-http500", "agent:main:s5-malformed"]);
    for (const e of snap.evidence) {
      expect(e.entry.status).toBe("running");
      expect(e.trajectory!.run!.ended!.status).toBe("error");
      expect(e.transcript!.lastStopReason).toBe("error");
      expect(e.lock).toBeUndefined();
    }
    const http500 = byKey(snap.evidence, "agent:main:s5-http500").trajectory!.run!;
    expect(http500.lastEventAt).toBeGreaterThan(http500.ended!.at);
  });

  it("attaches the gateway (found by its lock for our config path) to every session", async () => {
    const state = copyRealState("s5-errors-within-grace");
    const tmpDir = makeTempDir();
    const lock = writeGatewayLock(tmpDir, path.join(state, "openclaw.json"), { pid: process.pid, createdAt: Date.parse("2026-11-21T20:34:56.040Z"), port: 18999, startTime: readProcStartTime(process.pid) });
    const snap = await readSnapshot({ stateDir: state, env: { HOME: makeTempDir() }, tmpDir, probe: false });
    expect(snap.gateway).toMatchObject({ lockPath: lock, pid: process.pid, alive: true, port: 18999, probe: "skipped" });
    expect(snap.evidence.every((e) => e.gateway === snap.gateway)).toBe(true);
  });
});

describe("readSnapshot: stores and errors", () => {
  it("finds the state dir through OPENCLAW_STATE_DIR", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", { "agent:main:main": { sessionId: "s1", updatedAt: 1 } });
    const snap = await readSnapshot({ env: { HOME: "/nonexistent", OPENCLAW_STATE_DIR: state }, tmpDir: makeTempDir(), probe: false });
    expect(snap.stateDir).toBe(state);
    expect(snap.evidence).toHaveLength(1);
    expect(snap.evidence[0].transcript).toBeUndefined();
    expect(snap.evidence[0].transcriptPath).toBe(path.join(state, "agents/main/sessions/s1.jsonl"));
  });

  it("a missing state dir is a clear UnreadableError", async () => {
    const missing = path.join(makeTempDir(), "nope");
    await expect(snapshotOf(missing)).rejects.toThrow(new UnreadableError(`no OpenClaw state dir at ${missing} (set --state-dir or OPENCLAW_STATE_DIR)`));
  });

  it("one corrupt index is listed as unread with why; the other stores are still read", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", { a: { sessionId: "s1", updatedAt: 1 } });
    fs.mkdirSync(path.dirname(indexPath(state, "work")), { recursive: true });
    fs.writeFileSync(indexPath(state, "work"), '{"a": ');
    const snap = await snapshotOf(state);
    expect(snap.evidence.map((e) => e.sessionKey)).toEqual(["a"]);
    expect(snap.unread).toEqual([expect.objectContaining({ agentId: "work", storePath: indexPath(state, "work"), why: expect.stringContaining("not valid JSON") })]);
    expect(snap.warnings).toEqual([expect.stringContaining(`agent work: ${indexPath(state, "work")} was not read`)]);
  });

  it("a corrupt index that is the only store fails the snapshot with its own error", async () => {
    const state = makeStateDir();
    fs.mkdirSync(path.dirname(indexPath(state, "work")), { recursive: true });
    fs.writeFileSync(indexPath(state, "work"), '{"a": ');
    const err = await snapshotOf(state).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadableError);
    expect((err as Error).message).toContain(indexPath(state, "work"));
  });

  it("a session no run named a model for shows the configured one, and says so", async () => {
    const state = makeStateDir();
    fs.writeFileSync(path.join(state, "openclaw.json"), '{ agents: { defaults: { model: { primary: "fake/fake-1" } }, list: [{ id: "work", model: "w/own" }] } }');
    writeIndex(state, "main", { "agent:main:new": { sessionId: "s1", updatedAt: 1 }, "agent:main:ran": { sessionId: "s2", updatedAt: 1, model: "ran-1" } });
    writeIndex(state, "work", { "agent:work:new": { sessionId: "s3", updatedAt: 1 } });
    const snap = await snapshotOf(state);
    const hb = (key: string) => deriveHeartbeat(byKey(snap.evidence, key), 10, { stallAfterMs: 120_000, perState: {} });
    expect(hb("agent:main:new")).toMatchObject({ model: "fake/fake-1", modelSource: "default-config" });
    expect(hb("agent:main:ran")).toMatchObject({ model: "ran-1", modelSource: "run" });
    expect(hb("agent:work:new")).toMatchObject({ model: "w/own", modelSource: "agent-config" });
  });

  it("readStoreEvidence reads one store alone", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", { a: { sessionId: "s1", updatedAt: 1 } });
    const ok = await readStoreEvidence({ agentId: "main", storePath: indexPath(state, "main"), era: "B" }, { stateDir: state, env: {} });
    expect(ok.evidence.map((e) => e.sessionKey)).toEqual(["a"]);
    expect(ok.index.keys).toEqual(["a"]);
  });

  it("keeps era C stores apart from the JSON ones; one of an unsupported version is unread, with why", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", { a: { sessionId: "s1", updatedAt: 1 } });
    writeIndex(state, "newer", { b: { sessionId: "s2", updatedAt: 1 } });
    const db = agentDbPath(state, "newer");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.copyFileSync(path.join(import.meta.dirname, "fixtures/era/era-c.sqlite"), db);
    const snap = await snapshotOf(state);
    expect(snap.eraC).toEqual([{ agentId: "newer", storePath: db, era: "C" }]);
    expect(snap.stores.map((s) => s.agentId)).toEqual(["main"]);
    expect(snap.evidence.map((e) => e.sessionKey)).toEqual(["a"]);
    expect(snap.unread).toEqual([{ agentId: "newer", storePath: db, era: "C", why: expect.stringMatching(/unsupported store version/) }]);
    expect(snap.warnings.join("\n")).toMatch(/sessions\.json is left beside the SQLite store and is not read/);
    await expect(readStoreEvidence(snap.eraC[0], { stateDir: state })).rejects.toThrow(UnreadableError);
  });

  it("an agent database that cannot be read, with no sessions.json, is an unread era C store with why, never \"no sessions\"", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", { a: { sessionId: "s1", updatedAt: 1 } });
    const garbage = agentDbPath(state, "broken");
    fs.mkdirSync(path.dirname(garbage), { recursive: true });
    fs.writeFileSync(garbage, "garbage\n");
    const cut = agentDbPath(state, "cut");
    fs.mkdirSync(path.dirname(cut), { recursive: true });
    fs.writeFileSync(cut, fs.readFileSync(path.join(import.meta.dirname, "fixtures/era/era-c.sqlite")).subarray(0, 8192));
    const snap = await snapshotOf(state);
    expect(snap.evidence.map((e) => e.sessionKey)).toEqual(["a"]);
    expect(snap.eraC.map((s) => s.agentId).sort()).toEqual(["broken", "cut"]);
    expect(snap.unread).toEqual(
      expect.arrayContaining([
        { agentId: "broken", storePath: garbage, era: "C", why: `${garbage}: not an SQLite database (its first bytes are not the SQLite header)` },
        { agentId: "cut", storePath: cut, era: "C", why: expect.stringMatching(/: cut short: its header counts \d+ pages of 4096 bytes \(\d+ bytes\), the file has 8192$/) },
      ]),
    );
  });

  it("an empty agent database with its -wal and -shm beside it: unread with why, and the -wal is still there after the read", async () => {
    const state = makeStateDir();
    const db = agentDbPath(state, "main");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.writeFileSync(db, "");
    fs.copyFileSync(path.join(import.meta.dirname, "fixtures/era/wal-only.sqlite-wal"), `${db}-wal`);
    fs.writeFileSync(`${db}-shm`, Buffer.alloc(32768));
    const wal = fs.readFileSync(`${db}-wal`);
    const snap = await snapshotOf(state);
    expect(snap.unread).toEqual([{ agentId: "main", storePath: db, era: "C", why: `${db}: the main file is empty but a -wal is beside it: SQLite would delete that -wal on opening it` }]);
    expect(fs.readFileSync(`${db}-wal`)).toEqual(wal);
    expect(fs.statSync(db).size).toBe(0);
  });

  it("an agent database that cannot be read beside a sessions.json: the index is read, and a warning names the database and why", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", { a: { sessionId: "s1", updatedAt: 1 } });
    const db = agentDbPath(state, "main");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.writeFileSync(db, "garbage\n");
    const snap = await snapshotOf(state);
    expect(snap.eraC).toEqual([]);
    expect(snap.unread).toEqual([]);
    expect(snap.evidence.map((e) => e.sessionKey)).toEqual(["a"]);
    expect(snap.warnings).toContain(
      `agent main: ${db} cannot be read (not an SQLite database (its first bytes are not the SQLite header)); ${indexPath(state, "main")} is read instead (on OpenClaw 2026.8+ the sessions are in that database, not in sessions.json)`,
    );
  });

  it("the config's version decides an unreadable agent database beside a sessions.json: < 2026.8 it holds no sessions (no warning), 2026.8+ it is the store (never the index)", async () => {
    for (const [version, want] of [
      ["2026.7.1", "index"],
      ["2026.9.6", "database"],
    ] as const) {
      const state = makeStateDir();
      fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: version } }));
      writeIndex(state, "main", { a: { sessionId: "s1", updatedAt: 1 } });
      const db = agentDbPath(state, "main");
      fs.mkdirSync(path.dirname(db), { recursive: true });
      fs.writeFileSync(db, "garbage\n");
      const snap = await snapshotOf(state);
      if (want === "index") {
        expect(snap.evidence.map((e) => e.sessionKey), version).toEqual(["a"]);
        expect(snap.unread).toEqual([]);
        expect(snap.warnings.join("\n")).not.toContain(db);
      } else {
        expect(snap.stores, version).toEqual([]);
        expect(snap.unread).toEqual([{ agentId: "main", storePath: db, era: "C", why: expect.stringContaining("not an SQLite database") }]);
      }
    }
  });

  it("--store naming an openclaw-agent.sqlite that is not SQLite, or an SQLite file without session tables: unread with why, not \"bad JSON\"", async () => {
    const dir = makeTempDir();
    const garbage = path.join(dir, "openclaw-agent.sqlite");
    fs.writeFileSync(garbage, "garbage\n");
    const other = path.join(dir, "backup.db");
    const named = path.join(dir, "copy.sqlite");
    fs.writeFileSync(named, "garbage\n");
    fs.copyFileSync(path.join(import.meta.dirname, "fixtures/era/no-sessions.sqlite"), other);
    for (const [store, why] of [
      [garbage, "not an SQLite database"],
      [named, "not an SQLite database"],
      [other, "an SQLite database without OpenClaw's session tables"],
    ] as const) {
      const snap = await readSnapshot({ store, stateDir: makeTempDir(), env: {}, tmpDir: makeTempDir(), probe: false });
      expect(snap.unread).toEqual([{ agentId: "main", storePath: store, era: "C", why: `${store}: ${why}${why.startsWith("not") ? " (its first bytes are not the SQLite header)" : " (no session_nodes): not an OpenClaw 2026.8+ agent database"}` }]);
    }
  });

  it("--store: era C is judged by the agent database beside that store, not the default state dir's", async () => {
    const state = makeStateDir();
    const store = writeIndex(state, "main", { a: { sessionId: "s1", updatedAt: 1 } });
    const db = agentDbPath(state, "main");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.copyFileSync(path.join(import.meta.dirname, "fixtures/era/era-c.sqlite"), db);
    const inTree = await readSnapshot({ store, stateDir: makeTempDir(), env: {}, tmpDir: makeTempDir(), probe: false });
    expect(inTree.eraC.map((s) => s.storePath)).toEqual([db]);
    expect(inTree.evidence).toEqual([]);
    const copy = path.join(makeTempDir(), "sessions.json");
    fs.copyFileSync(store, copy);
    const outside = await readSnapshot({ store: copy, stateDir: state, env: {}, tmpDir: makeTempDir(), probe: false });
    expect(outside.eraC).toEqual([]);
    expect(outside.stores).toEqual([{ agentId: "main", storePath: copy, era: "AB", keyNamesAgent: true }]);
    expect(outside.evidence.map((e) => e.sessionKey)).toEqual(["a"]);
  });

  it("a session is its store's agent's whatever agent its key names (a copied agent dir), unless the store does not tell", async () => {
    const state = makeStateDir();
    const entry = { sessionId: "s1", updatedAt: 1 };
    // agents/work holds a copy of main's index: its sessions are work's, as OpenClaw lists them for work
    const copied = writeIndex(state, "work", { "agent:main:x": entry, "agent:work:y": { ...entry, sessionId: "s2" } });
    const all = await readSnapshot({ stateDir: state, env: {}, tmpDir: makeTempDir(), probe: false });
    expect(all.evidence.map((e) => [e.sessionKey, e.agentId])).toEqual([["agent:main:x", "work"], ["agent:work:y", "work"]]);
    // --store on that file in its tree: the same; on a copy outside any agents tree, the keys say whose
    const inTree = await readSnapshot({ store: copied, env: {}, tmpDir: makeTempDir(), probe: false });
    expect(inTree.evidence.map((e) => e.agentId)).toEqual(["work", "work"]);
    const copy = path.join(makeTempDir(), "sessions.json");
    fs.copyFileSync(copied, copy);
    const outside = await readSnapshot({ store: copy, env: {}, tmpDir: makeTempDir(), probe: false });
    expect(outside.evidence.map((e) => e.agentId)).toEqual(["main", "work"]);
  });

  it("session.store naming an index that is not there, while one sits at OpenClaw's default path: a warning, the configured path read", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", { "agent:main:x": { sessionId: "s1", updatedAt: 1 } });
    const moved = path.join(state, "nowhere", "{agentId}.json");
    fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify({ session: { store: moved } }));
    const snap = await readSnapshot({ stateDir: state, env: {}, tmpDir: makeTempDir(), probe: false });
    expect(snap.evidence).toEqual([]);
    expect(snap.warnings).toContain(
      `agent main: session.store puts its index at ${path.join(state, "nowhere", "main.json")}, which does not exist; ${indexPath(state, "main")} is there and is not read (OpenClaw reads the configured path too)`,
    );
    // without a config, or one that names the default path itself, nothing to say
    fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify({ session: { store: indexPath(state, "{agentId}") } }));
    expect((await readSnapshot({ stateDir: state, env: {}, tmpDir: makeTempDir(), probe: false })).warnings).toEqual([]);
  });

  it("a store every agent shares (session.store without {agentId}) gives each session the agent its key names", async () => {
    const state = makeStateDir();
    const shared = path.join(state, "shared-sessions.json");
    fs.writeFileSync(shared, JSON.stringify({ "agent:main:x": { sessionId: "s1", updatedAt: 1 }, "agent:work:y": { sessionId: "s2", updatedAt: 1 }, legacy: { sessionId: "s3", updatedAt: 1 } }));
    fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify({ agents: { list: [{ id: "main" }, { id: "work" }] }, session: { store: shared } }));
    const snap = await readSnapshot({ stateDir: state, env: {}, tmpDir: makeTempDir(), probe: false });
    expect(snap.stores).toEqual([expect.objectContaining({ storePath: shared, keyNamesAgent: true })]);
    expect(snap.evidence.map((e) => [e.sessionKey, e.agentId])).toEqual([["agent:main:x", "main"], ["agent:work:y", "work"], ["legacy", "main"]]);
  });

  it("--agent and --store select one store; a missing explicit index is a warning", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", { a: { sessionId: "s1", updatedAt: 1 } });
    writeIndex(state, "work", { b: { sessionId: "s2", updatedAt: 1 } });
    expect((await snapshotOf(state, { agent: "work" })).evidence.map((e) => e.sessionKey)).toEqual(["b"]);
    const viaStore = await readSnapshot({ store: indexPath(state, "work"), env: { HOME: makeTempDir() }, tmpDir: makeTempDir(), probe: false });
    expect(viaStore.stores).toEqual([{ agentId: "work", storePath: indexPath(state, "work"), era: "AB" }]);
    const ghost = await snapshotOf(state, { agent: "ghost" });
    expect(ghost.evidence).toEqual([]);
    // both places it could be (on OpenClaw 2026.8+ the database, not a sessions.json), and the agents there are
    expect(ghost.warnings).toEqual([
      `agent ghost has no session store: neither ${indexPath(state, "ghost")} nor ${path.join(state, "agents", "ghost", "agent", "openclaw-agent.sqlite")} (OpenClaw 2026.8+) exists; agents in ${path.join(state, "agents")}: main, work`,
    ]);
  });

  it("entries without sessionId are warned about, not read", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", { bad: { updatedAt: 1 }, good: { sessionId: "s1", updatedAt: 2 } });
    const snap = await snapshotOf(state);
    expect(snap.evidence.map((e) => e.sessionKey)).toEqual(["good"]);
    expect(snap.warnings.join("\n")).toMatch(/"bad" has no sessionId/);
  });

  it("reports config $include warnings", async () => {
    const state = makeStateDir();
    fs.writeFileSync(path.join(state, "openclaw.json"), '{ $include: "x.json5" }');
    writeIndex(state, "main", {});
    expect((await snapshotOf(state)).warnings.join("\n")).toMatch(/\$include/);
  });
});

describe("readSessionEvidence", () => {
  it("re-derives one session after its files change", async () => {
    const state = copyRealState("s3-tool-killed");
    const store = { agentId: "main", storePath: indexPath(state), era: "B" as const };
    const { index } = await readStoreEvidence(store, { stateDir: state });
    const key = "agent:main:s3-tool-exec";
    const before = await readSessionEvidence(store, key, index.entries[key], { stateDir: state });
    expect(before.transcript!.openToolCalls).toHaveLength(1);
    const transcript = before.transcriptPath!;
    fs.appendFileSync(transcript, JSON.stringify({ type: "message", id: "x", parentId: "947d4d49", timestamp: "2026-11-21T20:34:38.900Z", message: { role: "toolResult", toolCallId: "call_fake_5", toolName: "exec", content: [], isError: false, timestamp: 1795293278900 } }) + "\n");
    fs.rmSync(`${transcript}.lock`);
    const after = await readSessionEvidence(store, key, index.entries[key], { stateDir: state });
    expect(after.transcript!.openToolCalls).toEqual([]);
    expect(after.transcript!.lastRole).toBe("toolResult");
    expect(after.lock).toBeUndefined();
  });
});

describe("slim index entries (readStoreEvidence) decide exactly what full entries decide", () => {
  const NOW = Date.parse("2026-11-21T21:00:00.000Z");

  async function compare(stateDir: string, now: number): Promise<number> {
    const thresholds = { stallAfterMs: 120_000, perState: {} };
    const policy = resolveMaintenancePolicy(undefined, { pruneAfter: "1d", maxEntries: 5 });
    let compared = 0;
    for (const agentId of fs.readdirSync(path.join(stateDir, "agents"))) {
      const store = { agentId, storePath: indexPath(stateDir, agentId), era: "B" as const };
      if (!fs.existsSync(store.storePath)) continue;
      const slim = await readStoreEvidence(store, { stateDir, env: {} });
      const full = readIndex(store.storePath);
      const fullEvidence: Evidence[] = [];
      for (const key of Object.keys(full.entries)) fullEvidence.push(await readSessionEvidence(store, key, full.entries[key], { stateDir, env: {} }));
      // the slim evidence differs in its entries only
      expect(slim.evidence.map((e) => ({ ...e, entry: undefined }))).toEqual(fullEvidence.map((e) => ({ ...e, entry: undefined })));
      const th = { ...thresholds, staleAfterMs: 600_000, runTimeoutMs: 172_800_000 };
      const items = (evidence: Evidence[]) => evidence.map((ev) => planItem(ev, now, th));
      const [a, b] = [items(slim.evidence), items(fullEvidence)];
      expect(a.map((i) => i.hb)).toEqual(b.map((i) => i.hb));
      expect(a.map((i) => deriveHeartbeat(i.ev, now, th))).toEqual(a.map((i) => i.hb));
      const [fa, fb] = [planFinalize(a), planFinalize(b)];
      expect(fa).toEqual(fb);
      const pruneOpts = { now, policy, enforce: true, activeKeys: [], agentsRoot: path.join(stateDir, "agents") };
      expect(planPrune(a, { ...pruneOpts, finalized: fa.patches })).toEqual(planPrune(b, { ...pruneOpts, finalized: fb.patches }));
      const tickOpts = { now, activityThresholdMs: 600_000, freshWithinMs: 30_000, idleResetConfigured: true };
      expect(planTick(a, tickOpts)).toEqual(planTick(b, tickOpts));
      for (const ev of slim.evidence) expect(protectedBecause(ev.sessionKey, ev.entry)).toBe(protectedBecause(ev.sessionKey, full.entries[ev.sessionKey]));
      compared += a.length;
    }
    return compared;
  }

  it("over the real OpenClaw 2026.7.1 stores", async () => {
    let n = 0;
    for (const run of fs.readdirSync(REAL_OPENCLAW)) {
      if (!fs.existsSync(path.join(REAL_OPENCLAW, run, "state"))) continue;
      n += await compare(copyRealState(run), NOW);
    }
    expect(n).toBeGreaterThanOrEqual(4);
  });

  it("over a generated store of every kind of session", async () => {
    const stateDir = path.join(makeTempDir(), "state");
    const manifest = await generateStore({ outDir: stateDir, sessions: 300, seed: 7, now: NOW });
    expect(await compare(stateDir, manifest.now)).toBe(manifest.sessions.length);
  });
});

describe("a transcript or trajectory that is not a regular file: the health reasons say what is there", () => {
  const NOW = Date.parse("2026-11-21T21:00:00.000Z");
  const th = { stallAfterMs: 120_000, perState: {}, staleAfterMs: 600_000, runTimeoutMs: 172_800_000 };
  it.each([
    ["a FIFO transcript", "transcript", /^transcript .*sess-f\.jsonl is a FIFO \(named pipe\), not a regular file: not read$/, /transcript not found/],
    ["a FIFO trajectory", "trajectory", /^trajectory .*sess-f\.trajectory\.jsonl is a FIFO \(named pipe\), not a regular file: not read$/, /capture off/],
  ] as const)("%s is named as one, never as missing or capture off", async (_name, which, problem, wrong) => {
    const state = makeStateDir();
    writeIndex(state, "main", { "agent:main:f": { sessionId: "sess-f", updatedAt: NOW - 60_000, status: "done", endedAt: NOW - 60_000 } });
    const dir = path.join(state, "agents", "main", "sessions");
    const file = path.join(dir, which === "transcript" ? "sess-f.jsonl" : "sess-f.trajectory.jsonl");
    execFileSync("mkfifo", [file]);
    if (which === "trajectory") fs.writeFileSync(path.join(dir, "sess-f.jsonl"), "");
    const store = { agentId: "main", storePath: indexPath(state), era: "B" as const };
    const { evidence, warnings } = await readStoreEvidence(store, { stateDir: state });
    const ev = evidence[0];
    expect(which === "transcript" ? ev.transcriptProblem : ev.trajectoryProblem).toMatch(problem);
    expect(warnings.join(" ")).toMatch(/not a regular file/);
    const reasons = deriveHeartbeat(ev, NOW, th).reasons.join(" | ");
    expect(reasons).toMatch(/is a FIFO \(named pipe\), not a regular file: not read/);
    expect(reasons).not.toMatch(wrong);
  });
});
