// The built CLI's cleanup and keepalive on real OpenClaw 2026.9.6 stores (copied): they write
// nothing of them, whatever a file-era index beside them claims, and exit per DESIGN.md 5. The
// in-process suite (test/commands/cleanup-era-c.test.ts) covers the reports themselves.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateEraCStore } from "../../src/sim/era-c/generate.js";
import { copyOlderRun, olderCapturedAt } from "../fixtures/real-openclaw-c-older.js";
import { crashedWriterStore } from "../fixtures/era-c-crash.js";
import { copyRun, storeFacts, storeUnchangedCheck, treeInodes, type EraCRun } from "../fixtures/real-openclaw-c.js";
import { nameAppears, runCli, spawnCli } from "./helpers/cli.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

const OLD = Date.parse("2020-01-01T00:00:00Z");

/** c1 (era C agent `main`) plus a file-era agent `legacy` whose old, finished entries name `sessionFile`s. */
function mixedStateDir(sessionFiles: Record<string, string>) {
  const copy = copyRun("c1-quick-done");
  roots.push(copy.root);
  return { ...copy, sessions: addLegacyAgent(copy.stateDir, sessionFiles) };
}

/** A file-era agent `legacy` in stateDir whose old, finished entries name `sessionFile`s; its sessions dir. */
function addLegacyAgent(stateDir: string, sessionFiles: Record<string, string>): string {
  const sessions = path.join(stateDir, "agents", "legacy", "sessions");
  fs.mkdirSync(sessions, { recursive: true });
  const index: Record<string, unknown> = {};
  let n = 0;
  for (const [key, sessionFile] of Object.entries(sessionFiles)) {
    n++;
    const sessionId = `aaaaaaaa-0000-4000-8000-00000000000${n}`;
    index[key] = { sessionId, updatedAt: OLD, status: "done", startedAt: OLD - 1000, endedAt: OLD, sessionFile };
  }
  fs.writeFileSync(path.join(sessions, "sessions.json"), `${JSON.stringify(index, null, 2)}\n`);
  return sessions;
}

describe("cleanup beside an era C store (built CLI)", () => {
  it("an old file-era entry whose sessionFile names the era C database, its -wal, a database copy or the index itself: evicted, but none of those files is renamed", async () => {
    const mix = mixedStateDir({
      // relative names climbing out of the sessions dir: OpenClaw refuses them (its <sessionId>.jsonl stands)
      "agent:legacy:db": "../../main/agent/openclaw-agent.sqlite",
      "agent:legacy:wal": "../../main/agent/openclaw-agent.sqlite-wal",
      // inside the sessions dir, so named: refused by its name
      "agent:legacy:copy": "copy.sqlite",
      "agent:legacy:index": "sessions.json",
      "agent:legacy:ok": "ok.jsonl",
    });
    fs.writeFileSync(`${mix.dbPath}-wal`, "");
    fs.writeFileSync(path.join(mix.sessions, "copy.sqlite"), "");
    fs.writeFileSync(path.join(mix.sessions, "ok.jsonl"), '{"type":"session"}\n');
    const facts = storeFacts(mix.dbPath);
    const eraCDir = path.dirname(mix.dbPath);
    const before = treeInodes(eraCDir);
    const r = await runCli(["cleanup", "--prune", "--prune-after", "1d", "--enforce", "--json", "--no-probe", "--state-dir", mix.stateDir], {
      env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const legacy = doc.stores.find((s: { agentId: string }) => s.agentId === "legacy");
    // all five entries go; of their files only the transcript moves, the database copy and the
    // index are refused with the reason, the era C database and its -wal are never even named
    expect(legacy.afterCount).toBe(0);
    const archived = (legacy.actions as Array<{ action: string; from?: string; applied: boolean }>).filter((a) => a.action === "archive" && a.applied);
    expect(archived.map((a) => path.basename(a.from!))).toEqual(["ok.jsonl"]);
    expect(legacy.refused).toEqual([
      { sessionKey: "agent:legacy:copy", path: path.join(mix.sessions, "copy.sqlite"), why: "copy.sqlite is an OpenClaw database file (era C), never renamed or written" },
      { sessionKey: "agent:legacy:index", path: path.join(mix.sessions, "sessions.json"), why: "sessions.json is not a transcript or trajectory (*.jsonl): only those are archived" },
    ]);
    // the index just written is still there, and names nothing
    expect(JSON.parse(fs.readFileSync(path.join(mix.sessions, "sessions.json"), "utf8"))).toEqual({});
    expect(storeFacts(mix.dbPath)).toEqual(facts);
    expect(treeInodes(eraCDir)).toEqual(before);
    expect(doc.eraC[0]).toMatchObject({ era: "C", wrote: false });
  });
});

describe("cleanup and keepalive on era C stores alone (built CLI)", () => {
  const stores: EraCRun[] = ["c1-quick-done", "c2-live-waiting-model", "c5-model-error", "c7-aborted"];

  it.each(stores)("%s: cleanup (finalize and prune, enforced) and keepalive exit 0 and leave the store byte for byte, inode for inode", async (run) => {
    const copy = copyRun(run);
    roots.push(copy.root);
    const unchanged = storeUnchangedCheck(copy);
    const env = { OPENCLAW_SESSIONS_NOW: "2027-03-04T00:00:00Z" };
    const cleanup = await runCli(["cleanup", "--enforce", "--prune-after", "1h", "--json", "--no-probe", "--state-dir", copy.stateDir], { env });
    expect(cleanup.code).toBe(0);
    expect(JSON.parse(cleanup.stdout).eraC[0]).toMatchObject({ era: "C", wrote: false });
    const keepalive = await runCli(["keepalive", "--json", "--interval", "1s", "--no-probe", "--state-dir", copy.stateDir], { env });
    expect(keepalive.code).toBe(0);
    const lines = keepalive.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ schemaVersion: 1, type: "eraC", idleResetConfigured: false })]);
    unchanged();
  });
});

// OpenClaw 2026.8.1-2026.9.4 write agent schema 19 and 2026.9.5 schema 21 (text transcript rows,
// task_runs without owner columns): every command reads them as it reads 23, and writes nothing.
describe("stores older era C releases wrote (schema 19 and 21, generated; built CLI)", () => {
  it.each([19, 21] as const)("schema %i: status --json gives every session its intended verdict; cleanup and keepalive exit 0 and write nothing", async (version) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `ocs-e2e-c${version}-`));
    roots.push(out);
    const m = await generateEraCStore({ outDir: out, sessions: 25, agents: ["main"], seed: 11, now: Date.parse("2026-12-04T12:00:00Z"), schemaVersion: version });
    const dbPath = m.dbPaths[0]!;
    const facts = storeFacts(dbPath);
    const tree = treeInodes(m.stateDir);
    const env = { OPENCLAW_SESSIONS_NOW: String(m.now) };
    const status = await runCli(["status", "--json", "--no-probe", "--state-dir", m.stateDir], { env });
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout);
    expect(doc.unreadableStores).toEqual([]);
    expect(doc.stores).toEqual([{ agentId: "main", storePath: dbPath, era: "C" }]);
    const got = new Map((doc.sessions as Array<{ sessionKey: string; state: string; health: string }>).map((s) => [s.sessionKey, `${s.state}/${s.health}`]));
    expect(got.size).toBe(m.sessions.length);
    for (const s of m.sessions) expect(got.get(s.sessionKey), `${s.sessionKey} (${s.kind})`).toBe(`${s.verdict.state}/${s.verdict.health}`);
    const cleanup = await runCli(["cleanup", "--enforce", "--prune-after", "1h", "--json", "--no-probe", "--state-dir", m.stateDir], { env });
    expect(cleanup.code).toBe(0);
    expect(JSON.parse(cleanup.stdout).eraC[0]).toMatchObject({ era: "C", wrote: false });
    const keepalive = await runCli(["keepalive", "--json", "--interval", "1s", "--no-probe", "--state-dir", m.stateDir], { env });
    expect(keepalive.code).toBe(0);
    expect(storeFacts(dbPath)).toMatchObject({ db: facts.db, wal: facts.wal });
    expect(treeInodes(m.stateDir)).toEqual(tree);
  });
});

describe("real stores of OpenClaw 2026.9.5, 2026.9.4 and 2026.8.2 (built CLI)", () => {
  it.each(["2026.9.5", "2026.9.4", "2026.8.2"] as const)("%s killed: status --json says both runs are unresponsive (exit 0, --check 2); cleanup and keepalive write nothing", async (version) => {
    const copy = copyOlderRun(version, "killed");
    roots.push(copy.root);
    const facts = storeFacts(copy.dbPath);
    const tree = treeInodes(copy.stateDir);
    const env = { OPENCLAW_SESSIONS_NOW: String(olderCapturedAt(version, "killed")) };
    const status = await runCli(["status", "--json", "--no-probe", "--state-dir", copy.stateDir], { env });
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    const sessions = JSON.parse(status.stdout).sessions as Array<{ sessionKey: string; state: string; health: string; toolName: string | null }>;
    expect(sessions.map((s) => [s.sessionKey, s.state, s.health, s.toolName]).sort()).toEqual([
      ["agent:main:c-mwait", "awaiting_model", "unresponsive", null],
      ["agent:main:c-tool", "tool_exec", "unresponsive", "exec"],
    ]);
    expect((await runCli(["status", "--check", "--no-probe", "--state-dir", copy.stateDir], { env })).code).toBe(2);
    const cleanup = await runCli(["cleanup", "--finalize-stale", "--json", "--no-probe", "--state-dir", copy.stateDir], { env });
    expect(cleanup.code).toBe(0);
    expect(JSON.parse(cleanup.stdout).eraC[0]).toMatchObject({ era: "C", wrote: false });
    expect((await runCli(["keepalive", "--json", "--interval", "1s", "--no-probe", "--state-dir", copy.stateDir], { env })).code).toBe(0);
    expect(storeFacts(copy.dbPath)).toEqual(facts);
    expect(treeInodes(copy.stateDir)).toEqual(tree);
  });
});

// A gateway killed mid-write leaves its last commit only in a non-empty -wal: the store read
// plainly read-only, through the -wal. Faults injected into the one writer (OPENCLAW_SESSIONS_FAULT)
// and a SIGKILL of cleanup in the middle of writing the file-era index beside it never reach it.
describe("a crashed gateway's era C store (last commit only in -wal) beside a file-era agent, under injected faults (built CLI)", () => {
  async function crashedMixed() {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-e2e-crash-"));
    roots.push(out);
    const crash = await crashedWriterStore(out, { now: Date.parse("2026-12-04T12:00:00Z") });
    const sessions = addLegacyAgent(crash.m.stateDir, { "agent:legacy:ok": "ok.jsonl" });
    fs.writeFileSync(path.join(sessions, "ok.jsonl"), '{"type":"session"}\n');
    // a config that names no version: the file-era agent's index is one we write (under a config
    // of 2026.8+ it awaits OpenClaw's import and is never written: test/commands/import-pending.test.ts)
    fs.writeFileSync(path.join(crash.m.stateDir, "openclaw.json"), JSON.stringify({ agents: { list: [{ id: "main" }, { id: "legacy" }] } }));
    const unchanged = storeUnchangedCheck({ dbPath: crash.dbPath, stateDir: path.dirname(crash.dbPath) });
    const facts = storeFacts(crash.dbPath);
    expect([facts.wal.size! > 0, facts.shm.exists]).toEqual([true, true]);
    const env = { OPENCLAW_SESSIONS_NOW: String(crash.m.now) };
    return { ...crash, sessions, unchanged, env };
  }
  // finalize and prune (neither flag given: both steps), enforced
  const CLEANUP = ["cleanup", "--prune-after", "1d", "--enforce", "--json", "--no-probe", "--state-dir"];

  it.each([
    ["none", "", 0, "{}\n"],
    ["enospc", "enospc", 4, undefined],
    ["short-write", "short-write", 0, "{}\n"],
  ] as const)("fault %s: status reads the -wal's commit; cleanup and keepalive --once write the file-era index as the fault allows and leave the era C store byte for byte, inode for inode", async (_name, fault, code, index) => {
    const s = await crashedMixed();
    const indexPath = path.join(s.sessions, "sessions.json");
    const oldIndex = fs.readFileSync(indexPath, "utf8");
    const status = await runCli(["status", "--json", "--no-probe", "--state-dir", s.m.stateDir], { env: s.env });
    const doc = JSON.parse(status.stdout);
    expect(doc.sessions.find((x: { sessionKey: string }) => x.sessionKey === s.doneInWal.sessionKey)).toMatchObject({ storeStatus: "done", era: "C" });
    const env = { ...s.env, OPENCLAW_SESSIONS_FAULT: fault };
    const cleanup = await runCli([...CLEANUP, s.m.stateDir], { env });
    expect(cleanup.code, cleanup.stderr).toBe(code);
    expect(JSON.parse(cleanup.stdout).eraC[0]).toMatchObject({ era: "C", wrote: false });
    // the fault did reach the writer: the index beside is rewritten, or left as it was
    expect(fs.readFileSync(indexPath, "utf8").replace(/\s+/g, "")).toBe((index ?? oldIndex).replace(/\s+/g, ""));
    const keepalive = await runCli(["keepalive", "--once", "--json", "--no-probe", "--state-dir", s.m.stateDir], { env });
    expect(keepalive.code, keepalive.stderr).toBe(0);
    s.unchanged();
  });

  it("cleanup SIGKILLed between the verified temp file of the index beside it and its rename: the era C store is as the crash left it", async () => {
    const s = await crashedMixed();
    const oldIndex = fs.readFileSync(path.join(s.sessions, "sessions.json"), "utf8");
    const tempWritten = nameAppears(s.sessions, (n) => n.endsWith(".tmp"));
    const run = spawnCli([...CLEANUP, s.m.stateDir], { ...s.env, OPENCLAW_SESSIONS_FAULT: "slow-rename:10000" });
    try {
      await tempWritten.promise;
      run.child.kill("SIGKILL");
      expect((await run.exited).signal).toBe("SIGKILL");
    } finally {
      tempWritten.close();
    }
    expect(fs.readFileSync(path.join(s.sessions, "sessions.json"), "utf8")).toBe(oldIndex);
    s.unchanged();
  });
});
