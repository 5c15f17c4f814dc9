// The live source on real temp dirs: what a file change re-reads (only that session), what an
// index change re-reads, stores that appear and vanish, a corrupt index, a crashed lock owner,
// and a tick that re-judges without reading anything.
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Heartbeat } from "../../src/core/types.js";
import { openLiveSource, type LiveSource, type LiveSourceOptions } from "../../src/store/live-source.js";
import { readHeartbeatView } from "../../src/commands/heartbeats.js";
import { readSessionEvidence } from "../../src/store/snapshot.js";
import type { watchStores } from "../../src/store/watcher.js";
import { indexPath, makeStateDir, makeTempDir, sessionsDir, transcriptPath, writeLock } from "../fixtures/store-builder.js";
import { startLiveProcess, type LiveProcess } from "../e2e/helpers/cli.js";
import { ID, KEY, OTHER_ID, OTHER_KEY, appendUser, callTool, idleStore, readEntries, startRun, writeIndexAtomic } from "../e2e/watch-fixture.js";

const opened: LiveSource[] = [];
let live: LiveProcess;

beforeAll(async () => {
  live = await startLiveProcess();
});

afterAll(async () => {
  await live?.stop();
});

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

interface Opened {
  source: LiveSource;
  /** session keys read from disk, in order, the initial read included */
  reads: string[];
  warnings: string[];
}

async function open(state: string, opts: LiveSourceOptions = {}): Promise<Opened> {
  const reads: string[] = [];
  const warnings: string[] = [];
  const source = await openLiveSource({
    stateDir: state,
    env: {},
    tmpDir: makeTempDir("ocs-live-tmp-"),
    probe: false,
    tickMs: 100,
    debounceMs: 20,
    retryMs: 200,
    onWarning: (w) => warnings.push(w),
    readSession: (store, key, entry, ctx, w) => {
      reads.push(key);
      return readSessionEvidence(store, key, entry, ctx, w);
    },
    ...opts,
  });
  opened.push(source);
  return { source, reads, warnings };
}

const find = (s: LiveSource, key: string): Heartbeat | undefined => s.get().find((hb) => hb.sessionKey === key);
const keys = (s: LiveSource): string[] => s.get().map((hb) => hb.sessionKey).sort();

async function until(probe: () => boolean, what: () => string, timeoutMs = 4_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("openLiveSource", () => {
  it("reads every session once at start", async () => {
    const state = makeStateDir();
    idleStore(state);
    const { source, reads } = await open(state);
    expect(keys(source)).toEqual([KEY, OTHER_KEY].sort());
    expect(reads.sort()).toEqual([KEY, OTHER_KEY].sort());
    expect(find(source, KEY)).toMatchObject({ health: "idle", state: "complete", storeStatus: "done" });
    expect(source.lastUpdateAt()).toBeGreaterThan(0);
  });

  it("a transcript append re-reads only that session, and no index", async () => {
    const state = makeStateDir();
    idleStore(state);
    const { source, reads } = await open(state);
    const before = find(source, OTHER_KEY)!;
    const indexReads = source.stats.indexReads;
    reads.length = 0;
    const at = Date.now();
    appendUser(state, OTHER_ID, at);
    await until(() => find(source, OTHER_KEY)!.lastActivityAt === at, () => JSON.stringify(find(source, OTHER_KEY)));
    await source.settled();
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads)).toEqual(new Set([OTHER_KEY]));
    expect(source.stats.indexReads).toBe(indexReads);
    expect(before.lastActivityAt).not.toBe(at);
  });

  it("an index rewrite re-reads the index and only the entries that changed", async () => {
    const state = makeStateDir();
    idleStore(state);
    const { source, reads } = await open(state);
    const indexReads = source.stats.indexReads;
    reads.length = 0;
    const entries = readEntries(state);
    entries[OTHER_KEY] = { ...entries[OTHER_KEY], status: "failed", label: "renamed" };
    writeIndexAtomic(state, entries);
    await until(() => find(source, OTHER_KEY)?.label === "renamed", () => JSON.stringify(find(source, OTHER_KEY)));
    await source.settled();
    expect(find(source, OTHER_KEY)!.storeStatus).toBe("failed");
    expect(source.stats.indexReads).toBeGreaterThan(indexReads);
    expect(new Set(reads)).toEqual(new Set([OTHER_KEY]));
  });

  it("adds a session that appears in the index and drops one that leaves it", async () => {
    const state = makeStateDir();
    idleStore(state);
    const { source } = await open(state);
    const entries = readEntries(state);
    entries["agent:main:new"] = { ...entries[OTHER_KEY], sessionId: "0f0e0d0c-0000-4000-8000-0000000000ff" };
    delete entries[OTHER_KEY];
    writeIndexAtomic(state, entries);
    await until(() => keys(source).join() === [KEY, "agent:main:new"].sort().join(), () => keys(source).join());
  });

  it("follows a run start, a tool call and a crash of the lock owner", async () => {
    const state = makeStateDir();
    idleStore(state);
    const owner = await startLiveProcess();
    try {
      const { source } = await open(state);
      startRun(state, owner);
      await until(() => find(source, KEY)?.health === "waiting", () => JSON.stringify(find(source, KEY)));
      expect(find(source, KEY)).toMatchObject({ state: "awaiting_model", storeStatus: "running" });
      callTool(state, "exec");
      await until(() => find(source, KEY)?.health === "active", () => JSON.stringify(find(source, KEY)));
      expect(find(source, KEY)).toMatchObject({ state: "tool_exec", toolName: "exec" });
      // no file changes when a process dies: the tick's owner check must notice
      await owner.stop();
      await until(() => find(source, KEY)?.health === "unresponsive", () => JSON.stringify(find(source, KEY)));
      expect(find(source, KEY)!.reasons.join("\n")).toContain(`lock owner pid ${owner.pid} is dead`);
    } finally {
      await owner.stop();
    }
  });

  it("judges with the config's whole-run timeout (agents.defaults.timeoutSeconds), giving the verdict status gives", async () => {
    const state = makeStateDir();
    const at = Date.now();
    // the last turn ended an hour ago; the run in progress started 30 minutes ago (timeout: 10)
    idleStore(state, at - 60 * 60_000);
    fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify({ agents: { defaults: { timeoutSeconds: 600 } } }));
    const owner = await startLiveProcess();
    try {
      startRun(state, owner, at - 30 * 60_000);
      const { source } = await open(state, { now: () => at });
      const hb = find(source, KEY)!;
      expect(hb.health, hb.reasons.join("\n")).toBe("unresponsive");
      expect(hb.reasons.join("\n")).toContain("past the whole-run timeout of 10m00s (agents.defaults.timeoutSeconds)");
      const view = await readHeartbeatView({ stateDir: state, env: {}, tmpDir: makeTempDir("ocs-live-tmp-"), probe: false, now: at });
      expect(view.heartbeats.find((h) => h.sessionKey === KEY)).toEqual(hb);
    } finally {
      await owner.stop();
    }
  });

  it("each notification's delta, applied to the list before it, gives the list after it", async () => {
    const state = makeStateDir();
    idleStore(state);
    const owner = await startLiveProcess();
    try {
      const { source } = await open(state);
      const id = (hb: Heartbeat) => `${hb.agentId}\u0000${hb.sessionKey}`;
      const mirror = new Map(source.get().map((hb) => [id(hb), hb]));
      const mismatches: string[] = [];
      let deltas = 0;
      source.subscribe((delta) => {
        if (!delta) return mismatches.push("no delta for a JSON-era store");
        deltas++;
        for (const hb of delta.removed) mirror.delete(id(hb));
        for (const hb of delta.changed) mirror.set(id(hb), hb);
        const want = new Map(source.get().map((hb) => [id(hb), hb]));
        if (want.size !== mirror.size || [...want].some(([k, hb]) => mirror.get(k) !== hb)) mismatches.push(`after delta ${deltas}`);
      });
      appendUser(state, OTHER_ID, Date.now());
      const entries = readEntries(state);
      entries["agent:main:new"] = { ...entries[OTHER_KEY], sessionId: "0f0e0d0c-0000-4000-8000-0000000000ff" };
      delete entries[OTHER_KEY];
      writeIndexAtomic(state, entries);
      await until(() => keys(source).join() === [KEY, "agent:main:new"].sort().join(), () => keys(source).join());
      startRun(state, owner);
      await until(() => find(source, KEY)?.health === "waiting", () => JSON.stringify(find(source, KEY)));
      // a run its live owner can move gets serve's timer heartbeats; a dead one does not
      expect(source.moving(find(source, KEY)!)).toBe(true);
      await owner.stop();
      await until(() => find(source, KEY)?.health === "unresponsive", () => JSON.stringify(find(source, KEY)));
      expect(source.moving(find(source, KEY)!)).toBe(false);
      expect(source.moving(find(source, "agent:main:new")!)).toBe(false);
      await source.settled();
      expect(deltas).toBeGreaterThan(2);
      expect(mismatches).toEqual([]);
    } finally {
      await owner.stop();
    }
  });

  it("a tick re-judges cached evidence against the clock without reading any file", async () => {
    const state = makeStateDir();
    idleStore(state);
    const t0 = Date.now();
    startRun(state, live, t0);
    let clock = t0 + 1_000;
    const { source, reads } = await open(state, { now: () => clock, stallAfter: ["1m"] });
    expect(find(source, KEY)).toMatchObject({ health: "waiting", state: "awaiting_model" });
    const list = source.get();
    const updated = source.lastUpdateAt();
    let notified = 0;
    source.subscribe(() => notified++);
    reads.length = 0;
    clock = t0 + 5 * 60_000;
    await until(() => find(source, KEY)?.health === "stalled", () => JSON.stringify(find(source, KEY)));
    expect(notified).toBeGreaterThan(0);
    expect(reads).toEqual([]);
    expect(source.lastUpdateAt()).toBe(clock);
    expect(source.lastUpdateAt()).toBeGreaterThan(updated);
    expect(source.get()).not.toBe(list);
  });

  it("a dead embedded run reads lost on the first tick once the fake clock passes the default --stale-after", async () => {
    const state = makeStateDir();
    const t0 = Date.now();
    idleStore(state, t0 - 60_000);
    // an embedded run (no status: nothing can repair it) whose process died: its lock is left
    const owner = await startLiveProcess();
    await owner.stop();
    const entries = readEntries(state);
    delete entries[KEY].status;
    writeIndexAtomic(state, entries);
    appendUser(state, ID, t0);
    writeLock(`${transcriptPath(state, ID)}.lock`, { pid: owner.pid, starttime: owner.starttime, createdAt: t0, maxHoldMs: 300_000 });
    let clock = t0 + 1_000;
    // no slow tick in this test: the ages' re-wording (every slow tick here) cannot stand in for the rule
    const { source, reads } = await open(state, { now: () => clock, slowEvery: 1_000_000 });
    expect(find(source, KEY)).toMatchObject({ health: "unresponsive" });
    reads.length = 0;
    // a dead owner stays dead: nothing is due before --stale-after, and a tick there changes nothing
    clock = t0 + 10 * 60_000 - 1;
    await until(() => source.lastUpdateAt() === clock, () => String(source.lastUpdateAt()));
    expect(find(source, KEY)).toMatchObject({ health: "unresponsive" });
    clock = t0 + 10 * 60_000;
    await until(() => find(source, KEY)?.outcome === "lost", () => JSON.stringify(find(source, KEY)));
    expect(find(source, KEY)).toMatchObject({ health: "idle", state: "idle" });
    expect(reads).toEqual([]);
  });

  it("keeps the list and advances lastUpdateAt on ticks that change nothing", async () => {
    const state = makeStateDir();
    let clock = Date.now();
    // ages in the reasons are exact ("5m00s ago") until a whole second has passed
    idleStore(state, clock);
    const { source } = await open(state, { now: () => clock });
    const list = source.get();
    let notified = 0;
    source.subscribe(() => notified++);
    const first = source.lastUpdateAt();
    clock += 5;
    await until(() => source.lastUpdateAt() === clock, () => String(source.lastUpdateAt() - first));
    // unchanged heartbeats keep their objects and the list its identity: the view has nothing to redo
    expect(source.get()).toBe(list);
    expect(notified).toBe(0);
  });

  it("a corrupt index keeps the last good view with a warning; a good one replaces it", async () => {
    const state = makeStateDir();
    idleStore(state);
    const { source, warnings } = await open(state);
    const good = source.get();
    fs.writeFileSync(`${indexPath(state)}.tmp`, '{"agent:main:main": {"sessionId": ');
    fs.renameSync(`${indexPath(state)}.tmp`, indexPath(state));
    await until(() => source.warnings().some((w) => w.includes("not valid JSON")), () => source.warnings().join("\n"));
    await source.settled();
    expect(source.get()).toEqual(good);
    expect(warnings.find((w) => w.includes("not valid JSON"))).toContain(`${indexPath(state)} is not valid JSON`);
    expect(warnings.find((w) => w.includes("not valid JSON"))).toContain("showing its last good read");

    const entries: Record<string, unknown> = {};
    for (const hb of good) entries[hb.sessionKey] = { sessionId: hb.sessionId, updatedAt: hb.updatedAt, status: "done", label: `fixed ${hb.sessionKey}` };
    writeIndexAtomic(state, entries);
    await until(() => find(source, KEY)?.label === `fixed ${KEY}`, () => JSON.stringify(find(source, KEY)));
    expect(source.warnings().some((w) => w.includes("not valid JSON"))).toBe(false);

    // broken again the same way: news again
    fs.writeFileSync(`${indexPath(state)}.tmp`, '{"agent:main:main": {"sessionId": ');
    fs.renameSync(`${indexPath(state)}.tmp`, indexPath(state));
    await until(() => warnings.filter((w) => w.includes("not valid JSON")).length === 2, () => warnings.join("\n"));
    expect(find(source, KEY)?.label).toBe(`fixed ${KEY}`);
  });

  it("picks up a new agent's store, and drops the sessions of a store that vanishes", async () => {
    const state = makeStateDir();
    idleStore(state);
    const { source } = await open(state);
    expect(source.stores().map((s) => s.agentId)).toEqual(["main"]);
    idleStore(state, Date.now(), "ops");
    await until(() => keys(source).includes("agent:ops:main"), () => keys(source).join());
    expect(source.stores().map((s) => s.agentId).sort()).toEqual(["main", "ops"]);
    expect(find(source, "agent:ops:other")!.agentId).toBe("ops");

    fs.rmSync(path.join(state, "agents", "ops"), { recursive: true });
    await until(() => !keys(source).some((k) => k.startsWith("agent:ops:")), () => keys(source).join());
    expect(source.stores().map((s) => s.agentId)).toEqual(["main"]);
  });

  it("a store not read is the first warning, before another store's entry warnings (a short banner shows it)", async () => {
    const state = makeStateDir();
    idleStore(state, Date.now(), "aaa");
    idleStore(state, Date.now(), "zzz");
    // agent aaa's index has entries that are skipped, each a warning
    const aaa = JSON.parse(fs.readFileSync(indexPath(state, "aaa"), "utf8")) as Record<string, unknown>;
    for (let i = 0; i < 5; i++) aaa[`agent:aaa:broken-${i}`] = { updatedAt: 1 };
    writeIndexAtomic(state, aaa, "aaa");
    const { source } = await open(state);
    fs.writeFileSync(`${indexPath(state, "zzz")}.tmp`, "{bad");
    fs.renameSync(`${indexPath(state, "zzz")}.tmp`, indexPath(state, "zzz"));
    await until(() => source.warnings().some((w) => w.includes("was not read")), () => source.warnings().join("\n"));
    expect(source.warnings()[0]).toContain(`agent zzz: ${indexPath(state, "zzz")} was not read`);
    expect(source.warnings().filter((w) => w.includes("has no sessionId"))).toHaveLength(5);
  });

  it("a state dir that goes away keeps the last read on screen, with why, and is read again when it is back", async () => {
    const root = makeTempDir("ocs-live-gone-");
    const state = path.join(root, "state");
    fs.mkdirSync(state);
    idleStore(state);
    const { source } = await open(state);
    expect(keys(source)).toEqual([KEY, OTHER_KEY].sort());
    // ages in the reasons move with the clock; what they say of the files must not
    const verdicts = () => source.get().map((hb) => [hb.sessionKey, hb.health, hb.state, hb.reasons.join("|").replace(/\d+[dhms]/g, "")]).sort();
    const before = verdicts();
    fs.renameSync(state, path.join(root, "moved"));
    await until(() => source.warnings().some((w) => w.includes(`the state dir ${state} is gone`)), () => source.warnings().join("\n"));
    await new Promise((r) => setTimeout(r, 300)); // a few ticks and any re-reads
    // not "0 sessions, all fine": the last read stays, verdicts and all
    expect(verdicts()).toEqual(before);
    fs.renameSync(path.join(root, "moved"), state);
    await until(() => !source.warnings().some((w) => w.includes("is gone")), () => source.warnings().join("\n"));
    expect(keys(source)).toEqual([KEY, OTHER_KEY].sort());
  });

  it("a sessions dir deleted and created again is read again, and watched again", async () => {
    const state = makeStateDir();
    idleStore(state);
    const { source } = await open(state);
    fs.rmSync(sessionsDir(state), { recursive: true });
    await until(() => source.get().length === 0, () => keys(source).join());
    idleStore(state);
    await until(() => keys(source).length === 2, () => keys(source).join());
    const at = Date.now();
    appendUser(state, OTHER_ID, at);
    await until(() => find(source, OTHER_KEY)?.lastActivityAt === at, () => JSON.stringify(find(source, OTHER_KEY)));
  });

  it("reads a store whose sessions dir is created after the start", async () => {
    const state = makeStateDir();
    fs.mkdirSync(path.join(state, "agents", "main"), { recursive: true });
    const { source } = await open(state, { agent: "main" });
    expect(source.get()).toEqual([]);
    idleStore(state);
    await until(() => keys(source).length === 2, () => keys(source).join());
    // once the dir is watched, a change to a file in it is seen
    const at = Date.now();
    appendUser(state, ID, at);
    await until(() => find(source, KEY)?.lastActivityAt === at, () => JSON.stringify(find(source, KEY)));
  });

  it("watches a moved trajectory dir ($OPENCLAW_TRAJECTORY_DIR)", async () => {
    const state = makeStateDir();
    idleStore(state);
    const trajDir = makeTempDir("ocs-live-traj-");
    // the sidecars live in the moved dir only
    for (const id of [ID, OTHER_ID]) {
      fs.renameSync(path.join(sessionsDir(state), `${id}.trajectory.jsonl`), path.join(trajDir, `${id}.jsonl`));
    }
    const { source, reads } = await open(state, { env: { OPENCLAW_TRAJECTORY_DIR: trajDir } });
    expect(find(source, KEY)!.turnId).toBe("run-0");
    reads.length = 0;
    const at = Date.now();
    const ev = (type: string, seq: number) =>
      JSON.stringify({ traceSchema: "openclaw-trajectory", schemaVersion: 1, traceId: ID, source: "runtime", type, ts: new Date(at + seq).toISOString(), seq, sourceSeq: seq, sessionId: ID, sessionKey: KEY, runId: "run-9", data: {} });
    fs.appendFileSync(path.join(trajDir, `${ID}.jsonl`), `${ev("session.started", 1)}\n${ev("prompt.submitted", 2)}\n`);
    await until(() => reads.includes(KEY), () => reads.join());
    await source.settled();
    expect(new Set(reads)).toEqual(new Set([KEY]));
  });

  it("a directory that cannot be watched is reported once and re-read on the slow tick", async () => {
    const state = makeStateDir();
    idleStore(state);
    const failing: typeof watchStores = (dirs, _onChange, o) => {
      const err = Object.assign(new Error("no more watches"), { code: "ENOSPC" });
      queueMicrotask(() => o?.onError?.(err, dirs[0]));
      return { close() {} };
    };
    const { source, warnings } = await open(state, { watchDir: failing, slowEvery: 3 });
    await until(() => warnings.some((w) => w.startsWith("cannot watch")), () => warnings.join("\n"));
    expect(warnings.filter((w) => w.startsWith("cannot watch"))).toEqual([`cannot watch ${sessionsDir(state)} (ENOSPC): re-reading it every few seconds instead`]);
    const at = Date.now();
    appendUser(state, OTHER_ID, at);
    const entries = readEntries(state);
    entries[KEY] = { ...entries[KEY], label: "seen without a watch" };
    writeIndexAtomic(state, entries);
    await until(
      () => find(source, OTHER_KEY)?.lastActivityAt === at && find(source, KEY)?.label === "seen without a watch",
      () => JSON.stringify(source.get()),
    );
  });

  it("fails at start on a corrupt index, like status, and leaves nothing running", async () => {
    const state = makeStateDir();
    idleStore(state);
    fs.writeFileSync(indexPath(state), "{ not json");
    await expect(open(state)).rejects.toThrow(/not valid JSON/);
  });

  it("a corrupt index at start beside a good one: the good one is shown, the corrupt one named as unread until it parses", async () => {
    const state = makeStateDir();
    idleStore(state);
    fs.mkdirSync(path.dirname(indexPath(state, "ops")), { recursive: true });
    fs.writeFileSync(indexPath(state, "ops"), "{ not json");
    const { source, warnings } = await open(state);
    expect(keys(source)).toEqual([KEY, OTHER_KEY].sort());
    expect(source.unread()).toEqual([expect.objectContaining({ agentId: "ops", storePath: indexPath(state, "ops"), why: expect.stringContaining("not valid JSON") })]);
    const warning = warnings.find((w) => w.includes("not valid JSON"))!;
    expect(warning).toContain(`agent ops: ${indexPath(state, "ops")} was not read`);
    // there was no good read to show
    expect(warning).not.toContain("last good read");

    writeIndexAtomic(state, { "agent:ops:fixed": { sessionId: "fixed-1", updatedAt: Date.now(), status: "done" } }, "ops");
    await until(() => find(source, "agent:ops:fixed") !== undefined, () => keys(source).join(", "));
    expect(source.unread()).toEqual([]);
    expect(source.warnings().some((w) => w.includes("not valid JSON"))).toBe(false);
  });

  it("stops notifying after close()", async () => {
    const state = makeStateDir();
    idleStore(state);
    const { source } = await open(state);
    let notified = 0;
    source.subscribe(() => notified++);
    source.close();
    appendUser(state, ID);
    fs.appendFileSync(transcriptPath(state, OTHER_ID), "\n");
    await new Promise((r) => setTimeout(r, 400));
    expect(notified).toBe(0);
  });
});
