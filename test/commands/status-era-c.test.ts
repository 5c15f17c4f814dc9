// `status` and `watch --once` on OpenClaw 2026.9.6 SQLite stores, in-process: read
// (not "not read"), the documented verdicts, era C beside a JSON-era agent, --store naming the
// .sqlite, and not one byte or file of the store changed.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REAL_OPENCLAW } from "../fixtures/real-openclaw.js";
import { capturedAt, copyRun, liveOwner, storeFacts, treeInodes } from "../fixtures/real-openclaw-c.js";
import { run } from "./helpers/run.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});
const NOW = { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" };

describe("status on era C", () => {
  it("reads a real 2026.9.6 store: c2's dead run is unresponsive (--check 2), era C in --json, store untouched", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const facts = storeFacts(copy.dbPath);
    const tree = treeInodes(copy.stateDir);
    const r = await run(["status", "--json", "--check", "--no-probe", "--state-dir", copy.stateDir], { env: NOW });
    // no ExperimentalWarning from node:sqlite: a process-wide warning, checked with the built CLI in test/e2e/status.test.ts
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.stores).toEqual([{ agentId: "main", storePath: copy.dbPath, era: "C" }]);
    expect(doc.sessions).toHaveLength(1);
    expect(doc.sessions[0]).toMatchObject({ sessionKey: "agent:main:c2-model-wait", health: "unresponsive", state: "awaiting_model", storeStatus: "running" });
    expect(doc.sessions[0].drift).toMatch(/restart recovery resumes it on the next gateway start/);
    expect(storeFacts(copy.dbPath)).toEqual(facts);
    expect(treeInodes(copy.stateDir)).toEqual(tree);
  });

  it("an era C agent and a JSON-era agent side by side in one state dir: both read, exit 0", async () => {
    const copy = copyRun("c5-model-error");
    roots.push(copy.root);
    fs.cpSync(path.join(REAL_OPENCLAW, "s1-quick-done", "state", "agents", "main"), path.join(copy.stateDir, "agents", "legacy"), { recursive: true });
    const r = await run(["status", "--json", "--no-probe", "--state-dir", copy.stateDir], { env: NOW });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.stores.map((s: { agentId: string; era: string }) => `${s.agentId}:${s.era}`).sort()).toEqual(["legacy:AB", "main:C"]);
    const keys = doc.sessions.map((s: { sessionKey: string; health: string }) => `${s.sessionKey}=${s.health}`).sort();
    expect(keys).toEqual(["agent:main:c5-http500=idle", "agent:main:c5-malformed=idle", "agent:main:main=idle"]);
  });

  it("a session.store without {agentId} (one shared JSON file) still reads every era C agent's own database", async () => {
    const copy = copyRun("c5-model-error");
    roots.push(copy.root);
    fs.cpSync(path.join(copy.root, "state", "agents", "main"), path.join(copy.stateDir, "agents", "work"), { recursive: true });
    const config = path.join(copy.root, "shared-store.json");
    fs.writeFileSync(config, JSON.stringify({ session: { store: path.join(copy.root, "shared", "sessions.json") } }));
    const r = await run(["status", "--json", "--no-probe", "--state-dir", copy.stateDir], { env: { ...NOW, OPENCLAW_CONFIG_PATH: config } });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.stores.map((s: { agentId: string; era: string }) => `${s.agentId}:${s.era}`)).toEqual(["main:C", "work:C"]);
    expect(doc.sessions).toHaveLength(4);
  });

  it("an agent dir copied under another name: its sessions are listed as the copy's agent (once each), with a warning naming the copy", async () => {
    const copy = copyRun("c5-model-error");
    roots.push(copy.root);
    fs.cpSync(path.join(copy.stateDir, "agents", "main"), path.join(copy.stateDir, "agents", "main-copy"), { recursive: true });
    const r = await run(["status", "--json", "--no-probe", "--state-dir", copy.stateDir], { env: NOW });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const rows = doc.sessions.map((s: { agentId: string; sessionKey: string }) => `${s.agentId} ${s.sessionKey}`).sort();
    expect(rows).toEqual(["main agent:main:c5-http500", "main agent:main:c5-malformed", "main-copy agent:main:c5-http500", "main-copy agent:main:c5-malformed"]);
    expect(doc.warnings.filter((w: string) => w.includes("schema_meta"))).toEqual([expect.stringContaining(path.join("agents", "main-copy", "agent", "openclaw-agent.sqlite"))]);
    const only = await run(["status", "--json", "--no-probe", "--agent", "main-copy", "--state-dir", copy.stateDir], { env: NOW });
    expect(JSON.parse(only.stdout).sessions.map((s: { agentId: string }) => s.agentId)).toEqual(["main-copy", "main-copy"]);
  });

  it("--store takes an openclaw-agent.sqlite", async () => {
    const copy = copyRun("c7-aborted");
    roots.push(copy.root);
    const r = await run(["status", "--json", "--no-probe", "--store", copy.dbPath], { env: NOW });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.stores[0]).toMatchObject({ era: "C", storePath: copy.dbPath });
    expect(doc.sessions[0]).toMatchObject({ sessionKey: "agent:main:c7-abort", state: "complete", storeStatus: "killed" });
  });

  it("a store it cannot read safely exits 3 with one line saying why, and creates nothing", async () => {
    const copy = copyRun("c7-aborted");
    roots.push(copy.root);
    // a -wal with content but no -shm: immutable would miss the -wal, a plain open would create -shm
    fs.writeFileSync(`${copy.dbPath}-wal`, Buffer.alloc(4096, 1));
    const tree = treeInodes(copy.stateDir);
    const r = await run(["status", "--no-probe", "--state-dir", copy.stateDir], { env: NOW });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/agent main: OpenClaw.s SQLite store was not read: .*-wal holds/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(treeInodes(copy.stateDir)).toEqual(tree);
  });

  it("watch --once reads era C too", async () => {
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    const r = await run(["watch", "--once", "--json", "--no-probe", "--state-dir", copy.stateDir], { env: NOW });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout.trim());
    expect(doc.sessions[0]).toMatchObject({ sessionKey: "agent:main:main", health: "idle", state: "complete" });
  });

  it("watch --once on an agent database that is not SQLite: exit 3, the store named once on stderr, with why", async () => {
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    const broken = path.join(copy.stateDir, "agents", "broken", "agent", "openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(broken), { recursive: true });
    fs.writeFileSync(broken, "garbage\n");
    for (const json of [[], ["--json"]]) {
      const r = await run(["watch", "--once", ...json, "--no-probe", "--state-dir", copy.stateDir], { env: NOW });
      expect(r.code).toBe(3);
      expect(r.stderr.split(broken).length - 1, r.stderr).toBe(1);
      expect(r.stderr).toContain(`${broken}: not an SQLite database`);
    }
  });

  it("c2 read as at capture (a live gateway holding its lock): waiting on the model, the owner shown as the gateway, exit 0", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const owner = await liveOwner(copy);
    try {
      const tree = treeInodes(copy.stateDir);
      const r = await run(["status", "--json", "--check", "--no-probe", "--state-dir", copy.stateDir], {
        env: { OPENCLAW_SESSIONS_NOW: String(capturedAt("c2-live-waiting-model")) },
      });
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.gateway).toMatchObject({ alive: true, pid: owner.pid, role: "gateway", posixLock: "held" });
      expect(doc.sessions[0]).toMatchObject({ health: "waiting", state: "awaiting_model", drift: null });
      expect(treeInodes(copy.stateDir)).toEqual(tree);
    } finally {
      await owner.stop();
    }
  });
});
