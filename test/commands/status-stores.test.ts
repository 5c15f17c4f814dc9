// What `status` does with the stores it finds: eras, an empty or missing state dir, an index
// whose sessionFile leads out of the agents tree, and a huge trajectory.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  format,
  indexPath,
  line,
  makeStateDir,
  makeTempDir,
  runEvents,
  sessionsDir,
  transcriptPath,
  trajectoryPath,
  writeIndex,
  writeLock,
  writeTranscript,
  writeTrajectory,
} from "../fixtures/store-builder.js";
import { generateEraCStore } from "../../src/sim/era-c/generate.js";
import { sqlite } from "../fixtures/real-openclaw-c.js";
import { REPO_ROOT, useOwners } from "../e2e/helpers/cli.js";
import { run, runJson, unknownFailureStdout } from "./helpers/run.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");
const S = 1000;
const M = 60 * S;
const ERA_C_DB = path.join(REPO_ROOT, "test/store/fixtures/era/era-c.sqlite");

const { live } = useOwners();

const env = () => ({ OPENCLAW_SESSIONS_NOW: String(NOW), TMPDIR: makeTempDir("ocs-e2e-tmp-") });
const status = (state: string, args: string[] = []) => run(["status", "--state-dir", state, "--no-probe", ...args], { env: env() });
const statusJson = (state: string, args: string[] = []) => runJson(["status", "--state-dir", state, "--no-probe", ...args], { env: env() });

function doneSession(state: string, agentId: string, key: string, id: string): void {
  writeIndex(state, agentId, {
    [key]: format.indexEntry({ sessionId: id, updatedAt: NOW - M, sessionStartedAt: NOW - 5 * M, lastInteractionAt: NOW - M, status: "done", startedAt: NOW - 2 * M, endedAt: NOW - M, rich: false }),
  });
}

function filesNamed(dir: string, name: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => path.basename(p) === name);
}

describe("storage eras", () => {
  it("a sessions.json.lock beside the index means era A; without it, and with no config version stamp, A or B (AB)", async () => {
    const state = makeStateDir();
    doneSession(state, "main", "agent:main:main", "s-a");
    const b = await statusJson(state);
    expect(b.doc.stores).toEqual([{ agentId: "main", storePath: indexPath(state), era: "AB" }]);
    // each session carries its store's era: it picks the version's outcome table
    expect(b.doc.sessions.map((s: any) => s.era)).toEqual(["AB"]);

    const lock = `${indexPath(state)}.lock`;
    fs.writeFileSync(lock, JSON.stringify({ pid: 999_999, createdAt: new Date(NOW - 5 * S).toISOString() }));
    const lockBefore = fs.readFileSync(lock);
    const a = await statusJson(state);
    expect(a.result.code).toBe(0);
    expect(a.doc.stores).toEqual([{ agentId: "main", storePath: indexPath(state), era: "A" }]);
    expect(a.doc.sessions.map((s: any) => [s.sessionKey, s.era])).toEqual([["agent:main:main", "A"]]);
    expect(fs.readFileSync(lock).equals(lockBefore)).toBe(true);
  });

  it("an era C database of an unsupported schema version: says so on stderr, exit 3, and creates no sessions.json", async () => {
    const state = makeStateDir();
    const db = path.join(state, "agents/main/agent/openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.copyFileSync(ERA_C_DB, db);
    const dbBefore = fs.readFileSync(db);

    const text = await status(state);
    expect(text.code).toBe(3);
    expect(text.stderr).toContain(`agent main: OpenClaw's SQLite store was not read: ${db}: unsupported store version`);
    expect(text.stderr).not.toMatch(/\n\s+at /);

    const json = await statusJson(state, ["--check"]);
    expect(json.result.code).toBe(3);
    expect(json.result.stderr).toContain("unsupported store version");
    expect(json.doc.stores).toEqual([{ agentId: "main", storePath: db, era: "C" }]);
    expect(json.doc.sessions).toEqual([]);

    expect(filesNamed(state, "sessions.json")).toEqual([]);
    expect(fs.existsSync(sessionsDir(state))).toBe(false);
    expect(fs.readFileSync(db).equals(dbBefore)).toBe(true);
  });

  it("an empty agent database (0 bytes) on a 2026.8+ install, no sessions.json: unread with why (exit 3), never 'no sessions'; on 2026.7 left alone", async () => {
    const state = makeStateDir();
    const db = path.join(state, "agents/main/agent/openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.writeFileSync(db, "");
    fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: "2026.9.6" } }));
    const json = await statusJson(state);
    expect(json.result.code).toBe(3);
    expect(json.doc.unreadableStores).toEqual([expect.objectContaining({ agentId: "main", storePath: db, why: expect.stringContaining("an empty file (0 bytes)") })]);
    expect(fs.statSync(db).size).toBe(0);
    expect(filesNamed(state, "sessions.json")).toEqual([]);

    // 2026.6/2026.7 make this database for other data: no store there
    fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: "2026.7.1" } }));
    const old = await statusJson(state);
    expect(old.doc.unreadableStores).toEqual([]);
    expect(old.doc.stores).toEqual([]);
  });

  it.each(["-wal", "-shm", "-journal"])("--store naming a database's %s: usage error (64) naming the database, nothing read as an index", async (suffix) => {
    const state = makeStateDir();
    const db = path.join(state, "agents/main/agent/openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.copyFileSync(ERA_C_DB, db);
    fs.writeFileSync(`${db}${suffix}`, "");
    const res = await status(state, ["--store", `${db}${suffix}`]);
    expect(res.code).toBe(64);
    expect(res.stderr).toContain(`is SQLite's ${suffix} of ${db}: pass --store ${db} (the database itself)`);
  });

  it("an era C store whose read fails midway (a table gone): none of its sessions shown, it is listed unread, the other agent whole", async () => {
    const state = makeStateDir();
    const m = await generateEraCStore({ outDir: state, sessions: 12, agents: ["main", "ops"], seed: 4 });
    const { DatabaseSync } = sqlite();
    const db = new DatabaseSync(path.join(state, "agents/main/agent/openclaw-agent.sqlite"));
    db.exec("DROP TABLE transcript_events");
    db.close();
    const json = await statusJson(state);
    expect(json.result.code).toBe(3);
    expect(json.doc.sessions.map((s: any) => s.agentId)).toEqual(m.sessions.filter((s) => s.sessionKey.startsWith("agent:ops:")).map(() => "ops"));
    expect(json.doc.total).toBe(json.doc.sessions.length);
    expect(json.doc.unreadableStores).toEqual([expect.objectContaining({ agentId: "main", why: expect.stringContaining("transcript_events") })]);
  });

  it("a mixed fleet: the era B agent is shown, the era C agent's leftover sessions.json is neither read nor touched", async () => {
    const state = makeStateDir();
    doneSession(state, "work", "agent:work:main", "s-work");
    const db = path.join(state, "agents/main/agent/openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.copyFileSync(ERA_C_DB, db);
    doneSession(state, "main", "agent:main:leftover", "s-leftover");
    const leftover = fs.readFileSync(indexPath(state, "main"));

    const { result, doc } = await statusJson(state);
    expect(result.code).toBe(3);
    expect(doc.sessions.map((s: any) => s.sessionKey)).toEqual(["agent:work:main"]);
    expect(doc.stores).toEqual([
      { agentId: "work", storePath: indexPath(state, "work"), era: "AB" },
      { agentId: "main", storePath: db, era: "C" },
    ]);
    expect(doc.warnings.join("\n")).toContain(`${indexPath(state, "main")} is left beside the SQLite store and is not read`);
    expect(fs.readFileSync(indexPath(state, "main")).equals(leftover)).toBe(true);
  });
});

describe("empty and missing state dirs", () => {
  it("a state dir with no agents: exit 0, No sessions found (--check: 3, nothing to check)", async () => {
    const state = makeStateDir();
    expect((await status(state, ["--check"])).code).toBe(3);
    const r = await status(state);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^No sessions found\.\n/);
    const { doc } = await statusJson(state);
    expect(doc).toMatchObject({ stateDir: state, stores: [], sessions: [], warnings: [] });
    expect(fs.readdirSync(state)).toEqual([]);
  });

  it("no config is OpenClaw's defaults, silently; a config OPENCLAW_CONFIG_PATH names that is not there is a warning", async () => {
    const state = makeStateDir();
    expect((await statusJson(state)).doc.warnings).toEqual([]);
    const named = path.join(makeTempDir(), "typo.json");
    const r = await runJson(["status", "--state-dir", state, "--no-probe"], { env: { ...env(), OPENCLAW_CONFIG_PATH: named } });
    expect(r.doc.warnings).toEqual([`OPENCLAW_CONFIG_PATH names ${named}, which does not exist: OpenClaw's defaults are used`]);
    expect(fs.existsSync(named)).toBe(false);
  });

  it("a missing state dir: exit 3 with a clear one-line message, and nothing created", async () => {
    const missing = path.join(makeTempDir(), "no-such-state");
    for (const args of [[], ["--json"], ["--check"]]) {
      const r = await status(missing, args);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`openclaw-sessions: no OpenClaw state dir at ${missing} (set --state-dir or OPENCLAW_STATE_DIR)\n`);
      expect(r.stdout).toBe(unknownFailureStdout(args, r.stderr));
    }
    expect(fs.existsSync(missing)).toBe(false);
  });
});

describe("a sessionFile leading out of the agents tree is never read", () => {
  const ID = "esc-0001";
  const KEY = "agent:main:escape";

  /**
   * The real transcript (the fallback) ends with the user's message: waiting for the model.
   * The poisoned one elsewhere ends with an unanswered call of `poisoned_tool`: tool_exec.
   */
  function build(sessionFile: (state: string, poison: string) => string) {
    const state = makeStateDir();
    const start = NOW - 30 * S;
    const poisonLines = [line.header(ID, start), line.user(start), line.assistant(NOW - 10 * S, { toolCalls: [{ id: "call_poison", name: "poisoned_tool" }] })];
    const outside = makeTempDir("ocs-e2e-outside-");
    const poison = writeTranscript(path.join(outside, `${ID}.jsonl`), poisonLines);
    // were the escape followed, the poisoned transcript's lock would be live too
    writeLock(`${poison}.lock`, { pid: live.pid, starttime: live.starttime, createdAt: start });
    const fallback = writeTranscript(transcriptPath(state, ID), [line.header(ID, start), line.user(start)]);
    writeLock(`${fallback}.lock`, { pid: live.pid, starttime: live.starttime, createdAt: start });
    const file = sessionFile(state, poison);
    writeIndex(state, "main", {
      [KEY]: format.indexEntry({ sessionId: ID, updatedAt: start, sessionStartedAt: start, lastInteractionAt: start, sessionFile: file, status: "running", startedAt: start, rich: false }),
    });
    return { state, poisonLines, file };
  }

  async function verdict(state: string) {
    const { result, doc } = await statusJson(state);
    expect(result.code).toBe(0);
    expect(doc.sessions).toHaveLength(1);
    return doc.sessions[0];
  }

  it("control: the poisoned content inside the tree does change the verdict", async () => {
    const { state } = build((st, poison) => {
      const inside = path.join(sessionsDir(st), "moved.jsonl");
      fs.copyFileSync(poison, inside);
      writeLock(`${inside}.lock`, { pid: live.pid, starttime: live.starttime, createdAt: NOW - 30 * S });
      return inside;
    });
    expect(await verdict(state)).toMatchObject({ state: "tool_exec", health: "active", toolName: "poisoned_tool" });
  });

  it("an absolute sessionFile outside the agents tree: the fallback <sessionId>.jsonl decides", async () => {
    const { state, file } = build((_st, poison) => poison);
    const hb = await verdict(state);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting", toolName: null });
    expect(hb.reasons).toContain(`sessionFile ${file} is outside its sessions dir, which OpenClaw refuses; using ${transcriptPath(state, ID)}`);
    expect(JSON.stringify(hb)).not.toContain("poisoned_tool");
  });

  it("a symlink inside the sessions dir pointing outside: the fallback decides", async () => {
    const { state, file } = build((st, poison) => {
      const link = path.join(sessionsDir(st), "linked.jsonl");
      fs.mkdirSync(sessionsDir(st), { recursive: true });
      fs.symlinkSync(poison, link);
      fs.symlinkSync(`${poison}.lock`, `${link}.lock`);
      return link;
    });
    const hb = await verdict(state);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting", toolName: null });
    expect(hb.reasons).toContain(`sessionFile ${file} escapes the agents tree; using ${transcriptPath(state, ID)}`);
  });

  it("the fallback itself a symlink pointing outside: no transcript is read at all", async () => {
    const { state } = build((st, poison) => {
      const fallback = transcriptPath(st, ID);
      fs.rmSync(fallback);
      fs.symlinkSync(poison, fallback);
      return fallback;
    });
    const hb = await verdict(state);
    expect(hb.toolName).toBeNull();
    expect(hb.state).not.toBe("tool_exec");
    expect(hb.reasons.join("\n")).toContain(`${transcriptPath(state, ID)} escapes the agents tree; transcript not read`);
  });
});

/** Bytes this process has read through read(2) and its kin so far (Linux /proc/self/io rchar). */
function bytesRead(): number {
  const m = /^rchar: (\d+)$/m.exec(fs.readFileSync("/proc/self/io", "utf8"));
  if (!m) throw new Error("no rchar in /proc/self/io");
  return Number(m[1]);
}

describe("a 500 MB sparse trajectory", () => {
  it("is read from its tail (a few MB at most, not 500), and the verdict comes from the events at its end", async () => {
    const state = makeStateDir();
    const ID = "big-0001";
    const KEY = "agent:main:big";
    const start = NOW - 3 * M;
    writeIndex(state, "main", {
      [KEY]: format.indexEntry({ sessionId: ID, updatedAt: start, sessionStartedAt: start, lastInteractionAt: start, status: "running", startedAt: start, rich: false }),
    });
    // alone, this transcript (user spoke last, no lock, no gateway) would be unresponsive
    writeTranscript(transcriptPath(state, ID), [line.header(ID, start), line.user(start)]);
    const traj = trajectoryPath(state, ID);
    const SIZE = 500 * 1024 * 1024;
    try {
      fs.writeFileSync(traj, "");
      fs.truncateSync(traj, SIZE);
      const events = runEvents("run-big", start + 1, "success", { sessionId: ID, sessionKey: KEY });
      fs.appendFileSync(traj, `\n${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
      expect(fs.statSync(traj).size).toBeGreaterThan(SIZE);

      // bounded by what is read, not by how long it took: the kernel counts every byte read(2) returned
      const before = bytesRead();
      const { result, doc } = await statusJson(state);
      const read = bytesRead() - before;
      expect(result.code).toBe(0);
      expect(doc.sessions[0]).toMatchObject({ state: "complete", health: "idle", turnId: "run-big" });
      expect(doc.sessions[0].drift).toMatch(/^running in index, run ended .* \(success\)$/);
      expect(read).toBeLessThan(16 * 1024 * 1024);
    } finally {
      fs.rmSync(traj, { force: true });
    }
    expect(fs.existsSync(traj)).toBe(false);
  });
});

describe("whose session it is", () => {
  it("a copied agent dir lists its sessions under the copy's agent: --agent selects them by what AGENT shows", async () => {
    const state = makeStateDir();
    const entries = { "agent:main:main": { sessionId: "s-main", updatedAt: NOW - 5 * M } };
    writeIndex(state, "main", entries);
    writeIndex(state, "backup", { "agent:main:main": { sessionId: "s-copy", updatedAt: NOW - 5 * M } });
    const env = { OPENCLAW_SESSIONS_NOW: String(NOW) };
    const all = await runJson(["status", "--state-dir", state, "--no-probe"], { env });
    expect(all.doc.sessions.map((s: { agentId: string; sessionId: string }) => `${s.agentId}/${s.sessionId}`).sort()).toEqual(["backup/s-copy", "main/s-main"]);
    for (const [agent, id] of [["main", "s-main"], ["backup", "s-copy"]]) {
      const one = await runJson(["status", "--state-dir", state, "--no-probe", "--agent", agent!], { env });
      expect(one.doc.sessions).toEqual([expect.objectContaining({ agentId: agent, sessionId: id })]);
    }
    const table = await run(["status", "--state-dir", state, "--no-probe", "--agent", "backup"], { env });
    expect(table.stdout).toMatch(/main\s+backup\s/); // SESSION shows the key's short name, AGENT the store's
  });
});
