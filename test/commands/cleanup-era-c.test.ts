// cleanup and keepalive on OpenClaw 2026.9.6 SQLite stores write nothing: they report, exit 0,
// and the store's main file and -wal are unchanged byte for byte, no file created, deleted or
// replaced (the -shm's content is SQLite's shared index, which every reader updates). In-process:
// the built CLI on an era C store is run by test/e2e/status.test.ts and demo-era-c.test.ts.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REAL_OPENCLAW } from "../fixtures/real-openclaw.js";
import { capturedAt, copyRun, liveOwner, sqlite, storeUnchangedCheck } from "../fixtures/real-openclaw-c.js";
import { bufferIo, run } from "./helpers/run.js";
import { runProgram } from "../../src/program.js";
import { howToLetOpenClaw, planEraCCleanup } from "../../src/commands/cleanup-era-c.js";
import { entry, evidence } from "../core/health/evidence.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

describe("cleanup on era C", () => {
  it("reports c2's dead running row (resumed on next gateway start), writes nothing, exits 0", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const check = storeUnchangedCheck(copy);
    const r = await run(["cleanup", "--json", "--no-probe", "--state-dir", copy.stateDir], { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" } });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.stores).toEqual([]);
    expect(doc.refusedStores).toEqual([]);
    expect(doc.eraC).toHaveLength(1);
    const [store] = doc.eraC;
    expect(store).toMatchObject({ era: "C", wrote: false, storePath: copy.dbPath });
    expect(store.staleRunning).toEqual([
      expect.objectContaining({
        sessionKey: "agent:main:c2-model-wait",
        storeStatus: "running",
        why: expect.stringMatching(/gateway pid 26517 .* is dead/),
        openclawWill: expect.stringMatching(/resume the interrupted turn on the next gateway start/),
      }),
    ]);
    expect(store.howToLetOpenClaw).toMatch(/^start the gateway on this state dir \(`openclaw gateway start` for the installed service, or `openclaw gateway` in a terminal\)/);
    check();
  });

  it("text mode, with sidecars and a live owner: the live run is not stale; OpenClaw's maintenance is reported; nothing written", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const owner = await liveOwner(copy);
    try {
      const check = storeUnchangedCheck(copy);
      // two minutes after the capture: the live owner's run is within its whole-run timeout (timeoutSeconds 600 in its config)
      const r = await run(["cleanup", "--no-probe", "--state-dir", copy.stateDir], { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T13:59:20Z" } });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/nothing written: OpenClaw manages this store itself/);
      expect(r.stdout).toMatch(/no stale running rows/);
      expect(r.stdout).toMatch(/archives nothing here now/);
      check();
    } finally {
      await owner.stop();
    }
  });

  it("a live owner's run past the whole-run timeout: stale because of the timeout (said first), and OpenClaw does nothing while the owner holds it", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    // the gateway that started the run (up since before it; one started after it would be restart recovery's)
    const owner = await liveOwner(copy, { createdAt: capturedAt("c2-live-waiting-model") - 3_600_000 });
    try {
      const check = storeUnchangedCheck(copy);
      // half an hour after the capture: past the config's timeoutSeconds (600)
      const r = await run(["cleanup", "--json", "--no-probe", "--state-dir", copy.stateDir], { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" } });
      expect(r.code).toBe(0);
      const [row] = JSON.parse(r.stdout).eraC[0].staleRunning;
      expect(row.why).toMatch(/^unresponsive: running for \S+, past the whole-run timeout of 10m00s \(agents\.defaults\.timeoutSeconds\): OpenClaw would have ended it; the gateway pid \d+ .*is alive/);
      expect(row.openclawWill).toBe("nothing while its live owner holds the run; once that process stops, OpenClaw's restart recovery resumes it on the next gateway start");
      // the gateway is running: the advice is to restart it, never to start it
      const how = JSON.parse(r.stdout).eraC[0].howToLetOpenClaw;
      expect(how).toMatch(/^restart the gateway on this state dir .*`openclaw gateway restart`/);
      expect(how).not.toMatch(/openclaw gateway start/);
      check();
    } finally {
      await owner.stop();
    }
  });

  it("--dry-run --json on old finished rows lists what OpenClaw's maintenance will archive (pruneAfter 30d, cap 5000)", async () => {
    const copy = copyRun("c5-model-error");
    roots.push(copy.root);
    const check = storeUnchangedCheck(copy);
    const r = await run(["cleanup", "--dry-run", "--json", "--no-probe", "--state-dir", copy.stateDir], { env: { OPENCLAW_SESSIONS_NOW: "2027-03-04T00:00:00Z" } });
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).eraC[0].openclawMaintenance;
    expect(m).toMatchObject({ pruneAfterMs: 30 * 86_400_000, maxEntries: 5000, byCap: [] });
    expect([...m.byAge].sort()).toEqual(["agent:main:c5-http500", "agent:main:c5-malformed"]);
    check();
  });

  it("text: a step not asked for says it was not looked at, never \"no stale running rows\" (c2 has one)", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const env = { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" } };
    const prune = await run(["cleanup", "--prune", "--no-probe", "--state-dir", copy.stateDir], env);
    expect(prune.code).toBe(0);
    expect(prune.stdout).toContain("  stale running rows: not looked for (--finalize-stale was not given)");
    expect(prune.stdout).not.toContain("no stale running rows");
    expect(prune.stdout).toMatch(/OpenClaw's maintenance \(pruneAfter/);
    const finalize = await run(["cleanup", "--finalize-stale", "--no-probe", "--state-dir", copy.stateDir], env);
    expect(finalize.stdout).toContain("1 stale running row(s):");
    expect(finalize.stdout).toContain("  OpenClaw's maintenance: not looked at (--prune was not given)");
  });

  it("OpenClaw's maintenance is reported by OpenClaw's config, not by our --prune-after/--max-entries, and the report says the flags were not applied", async () => {
    const copy = copyRun("c5-model-error");
    roots.push(copy.root);
    const env = { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" } };
    const r = await run(["cleanup", "--dry-run", "--json", "--no-probe", "--prune-after", "1h", "--max-entries", "1", "--state-dir", copy.stateDir], env);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout).eraC[0];
    expect(doc.openclawMaintenance).toEqual({ pruneAfterMs: 30 * 86_400_000, maxEntries: 5000, byAge: [], byCap: [] });
    expect(doc.warnings).toContain("--prune-after 1h, --max-entries 1 not applied to this store: OpenClaw's own maintenance prunes it, under its config's session.maintenance (shown here); set them there");
    const text = await run(["cleanup", "--prune", "--no-probe", "--enforce", "--state-dir", copy.stateDir], env);
    expect(text.stdout + text.stderr).toContain("--enforce not applied to this store");
    // no such flag, no such line
    const plain = await run(["cleanup", "--dry-run", "--json", "--no-probe", "--state-dir", copy.stateDir], env);
    expect(JSON.stringify(JSON.parse(plain.stdout).eraC[0].warnings)).not.toContain("not applied");
  });

  it("a dead embedded run's row (no status, a lifecycleRunId): stale, and OpenClaw will do nothing with it", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    // what `openclaw agent --local` leaves when killed: no status on the row, a run id, its lock
    const { DatabaseSync } = sqlite();
    const db = new DatabaseSync(copy.dbPath);
    db.prepare("UPDATE session_nodes SET status = NULL, entry_json = json_remove(json_set(entry_json, '$.lifecycleRunId', 'run-embedded-1'), '$.status')").run();
    db.close();
    const lock = fs.readdirSync(copy.lockDir).find((n) => /^gateway\.[^.]+\.lock$/.test(n) && n !== "gateway.state.lock")!;
    const body = JSON.parse(fs.readFileSync(path.join(copy.lockDir, lock), "utf8"));
    fs.writeFileSync(path.join(copy.lockDir, lock), JSON.stringify({ ...body, role: "agent-embedded" }));
    const check = storeUnchangedCheck(copy);
    // two minutes after it died: within --stale-after (10m); later the row reads as lost (idle)
    const r = await run(["cleanup", "--json", "--no-probe", "--state-dir", copy.stateDir], { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T13:59:20Z" } });
    expect(r.code).toBe(0);
    const [store] = JSON.parse(r.stdout).eraC;
    expect(store.staleRunning).toEqual([
      expect.objectContaining({
        sessionKey: "agent:main:c2-model-wait",
        storeStatus: null,
        why: expect.stringMatching(/the embedded run pid 26517 that owned this state dir is dead/),
        openclawWill: "nothing: nothing resumes an embedded run (the row stays as it is)",
      }),
    ]);
    check();
  });

  it("--undo on era C stores only: nothing to undo, so refused as an undo with no write on record is (exit 4), nothing written", async () => {
    const copy = copyRun("c7-aborted");
    roots.push(copy.root);
    const check = storeUnchangedCheck(copy);
    const r = await run(["cleanup", "--undo", "--state-dir", copy.stateDir]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/openclaw-sessions never writes, so there is nothing to undo/);
    const json = await run(["cleanup", "--undo", "--json", "--state-dir", copy.stateDir]);
    expect(json.code).toBe(4);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ undo: true, stores: [], exitCode: 4 });
    expect(doc.refusedStores).toHaveLength(1);
    check();
  });
});

describe("keepalive on era C", () => {
  it("only era C stores: says once why nothing is touched (lastInteractionAt, reset mode none) and exits 0", async () => {
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    const check = storeUnchangedCheck(copy);
    const r = await run(["keepalive", "--interval", "1s", "--state-dir", copy.stateDir]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.stdout).toMatch(/idle reset reads lastInteractionAt, not updatedAt, and session.reset.mode defaults to `none`/);
    check();
  });

  it("mixed eras: the notice, then the loop over the JSON-era store (--once), the era C store untouched", async () => {
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    fs.cpSync(path.join(REAL_OPENCLAW, "s1-quick-done", "state", "agents", "main"), path.join(copy.stateDir, "agents", "legacy"), { recursive: true });
    const check = storeUnchangedCheck(copy);
    const r = await run(["keepalive", "--once", "--json", "--no-probe", "--state-dir", copy.stateDir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ schemaVersion: 1, type: "eraC", idleResetConfigured: false });
    expect(lines[0].message).toMatch(/keeping the other stores alive/);
    expect(lines[1]).toMatchObject({ type: "tick" });
    expect(lines[1].stores.map((s: { storePath: string }) => s.storePath)).toEqual([path.join(copy.stateDir, "agents", "legacy", "sessions", "sessions.json")]);
    check();
  });
});

describe("a backup outside any agents tree (--store)", () => {
  it("its stale row is one OpenClaw will do nothing with, since it never opens the file; nothing written", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const backup = path.join(copy.root, "backup", "openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(backup));
    fs.copyFileSync(copy.dbPath, backup);
    const before = fs.readFileSync(backup);
    const r = await run(["cleanup", "--json", "--no-probe", "--store", backup], { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" } });
    expect(r.code).toBe(0);
    const [store] = JSON.parse(r.stdout).eraC;
    expect(store.staleRunning).toEqual([expect.objectContaining({ sessionKey: "agent:main:c2-model-wait", why: expect.stringMatching(/^this database sits in no state dir/), openclawWill: expect.stringMatching(/^nothing: OpenClaw opens agents\/<id>\/agent\/openclaw-agent\.sqlite in its state dir, not this file/) })]);
    expect(store.howToLetOpenClaw).toMatch(/^nothing to let: OpenClaw does not open this file/);
    expect(store.warnings.join("\n")).toContain("outside any state dir's agents tree");
    expect(fs.readFileSync(backup).equals(before)).toBe(true);
  });
});

describe("a sessions.json left beside an agent database, named by --store through a symlink", () => {
  it.each(["dir", "file"])("through a linked %s: the tree's leftover, not read and never written, as by its own path", async (linked) => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const sessions = path.join(copy.stateDir, "agents", "main", "sessions");
    fs.mkdirSync(sessions, { recursive: true });
    const leftover = JSON.stringify({ "agent:main:old": { sessionId: "old-1", updatedAt: 1, startedAt: 1, status: "running" } });
    fs.writeFileSync(path.join(sessions, "sessions.json"), leftover);
    const store = linked === "dir" ? path.join(copy.root, "link", "sessions.json") : path.join(copy.root, "link.json");
    fs.symlinkSync(linked === "dir" ? sessions : path.join(sessions, "sessions.json"), linked === "dir" ? path.dirname(store) : store);
    const check = storeUnchangedCheck(copy);
    const shown = await run(["status", "--json", "--no-probe", "--store", store], { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" } });
    expect(JSON.parse(shown.stdout).sessions.map((s: { sessionKey: string }) => s.sessionKey)).toEqual(["agent:main:c2-model-wait"]);
    const r = await run(["cleanup", "--finalize-stale", "--no-probe", "--store", store], { env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/is left beside the SQLite store and is not read/);
    expect(fs.readFileSync(path.join(sessions, "sessions.json"), "utf8")).toBe(leftover);
    expect(fs.readdirSync(sessions)).toEqual(["sessions.json"]);
    check();
  });
});

describe("cleanup --dry-run --json stopped by a signal", () => {
  it("reads no further store, era C ones included, and its document says it was interrupted (exit 130)", async () => {
    const copy = copyRun("c2-live-waiting-model");
    roots.push(copy.root);
    const other = path.join(copy.stateDir, "agents", "other", "sessions", "sessions.json");
    fs.mkdirSync(path.dirname(other), { recursive: true });
    fs.writeFileSync(other, JSON.stringify({ "agent:other:x": { sessionId: "x-1", updatedAt: 1 } }));
    // ctrl-c pressed as cleanup starts listening for it, before it has read a store
    const signals = { on: (sig: NodeJS.Signals, handler: () => void) => sig === "SIGINT" && handler(), off: () => undefined };
    const io = { ...bufferIo({ env: { OPENCLAW_SESSIONS_NOW: "2026-12-04T14:30:00Z" } }), signals };
    const code = await runProgram(["cleanup", "--dry-run", "--json", "--no-probe", "--state-dir", copy.stateDir], io);
    expect(code).toBe(130);
    const doc = JSON.parse(io.stdout.text);
    expect(doc.stores).toEqual([]);
    expect(doc.eraC).toEqual([]);
    expect(doc.interrupted).toEqual({ signal: "SIGINT", written: [], skipped: [other, copy.dbPath] });
    expect(doc.exitCode).toBe(130);
    expect(io.stderr.text).toBe(`openclaw-sessions: interrupted by SIGINT: wrote nothing; did not read or write ${other}, ${copy.dbPath}\n`);
  });
});

describe("howToLetOpenClaw: the advice follows what holds the store now", () => {
  it("nothing alive: start the gateway; a live gateway: restart it; a live embedded run: let it end first", () => {
    expect(howToLetOpenClaw("nothing")).toMatch(/^start the gateway on this state dir/);
    expect(howToLetOpenClaw("gateway")).toMatch(/^restart the gateway .*`openclaw gateway restart`/);
    expect(howToLetOpenClaw("gateway")).not.toContain("openclaw gateway start");
    expect(howToLetOpenClaw("embedded run")).toMatch(/^let the `openclaw agent --local` run holding the lock end \(or stop it\), then start the gateway/);
  });
});

describe("planEraCCleanup's report of OpenClaw's own maintenance", () => {
  it("a session key __proto__ or constructor is an entry like any other: old and finished, it is in what OpenClaw will prune", () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    const old = (sessionKey: string) => evidence({ era: "C", sessionKey, entry: entry({ sessionId: `id-${sessionKey.length}`, status: "done", updatedAt: now - 90 * 86_400_000 }) });
    const r = planEraCCleanup({ agentId: "main", storePath: "/s/agents/main/agent/openclaw-agent.sqlite", era: "C" }, [old("__proto__"), old("constructor"), old("agent:main:x")], {
      now,
      thresholds: { stallAfterMs: 120_000, perState: {} },
      policy: { pruneAfterMs: 30 * 86_400_000, maxEntries: 5000 },
    });
    expect([...r.openclawMaintenance.byAge].sort()).toEqual(["__proto__", "agent:main:x", "constructor"]);
  });
});
