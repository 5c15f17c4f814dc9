// What `status` prints for a store holding every kind of session: filters, sorting, and
// the --json document checked against schema/status.schema.json.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HEALTH_ORDER } from "../../src/ui/dots.js";
import { format, line, makeStateDir, makeTempDir, transcriptPath, writeGatewayLock, writeIndex, writeLock, writeTranscript } from "../fixtures/store-builder.js";
import { copyRun, liveOwner } from "../fixtures/real-openclaw-c.js";
import { type OwnerProcess, procStartTime, REPO_ROOT, useOwners } from "../e2e/helpers/cli.js";
import { run, runJson } from "./helpers/run.js";
import { loadSchema, validate, type Schema } from "../e2e/helpers/schema.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");
const S = 1000;
const M = 60 * S;
const H = 60 * M;

const { live, dead } = useOwners();

/** Keys deliberately not in any sorted order in the file. */
const KEYS = {
  waiting: "agent:main:b-waiting",
  oldIdle: "agent:main:a-done-3h-ago",
  unresponsive: "agent:main:d-dead-owner",
  tool: "agent:main:e-tool",
  stalled: "agent:main:c-stalled",
  recentIdle: "agent:main:f-done-2m-ago",
  fresh: "agent:main:g-no-files",
} as const;

function mixedStore(): string {
  const state = makeStateDir();
  const entries: Record<string, unknown> = {};
  const add = (key: string, id: string, spec: Partial<format.IndexEntrySpec>, lines: string[], lockOwner?: OwnerProcess, lockAt?: number) => {
    const at = spec.endedAt ?? spec.startedAt ?? NOW - 2 * H;
    entries[key] = format.indexEntry({ sessionId: id, updatedAt: at, sessionStartedAt: NOW - 4 * H, lastInteractionAt: at, rich: false, model: "fake-1", modelProvider: "fake", ...spec });
    const t = transcriptPath(state, id);
    if (lines.length > 0) writeTranscript(t, [line.header(id, NOW - 4 * H), ...lines]);
    if (lockOwner) writeLock(`${t}.lock`, { pid: lockOwner.pid, starttime: lockOwner.starttime, createdAt: lockAt! });
  };
  add(KEYS.waiting, "s-waiting", { status: "running", startedAt: NOW - 30 * S }, [line.user(NOW - 30 * S)], live, NOW - 30 * S);
  add(KEYS.oldIdle, "s-old", { status: "done", startedAt: NOW - 3 * H - 5 * S, endedAt: NOW - 3 * H }, [line.user(NOW - 3 * H - 5 * S), line.assistant(NOW - 3 * H - S)]);
  add(KEYS.unresponsive, "s-dead", { status: "running", startedAt: NOW - 5 * M }, [line.user(NOW - 5 * M)], dead, NOW - 5 * M);
  add(KEYS.tool, "s-tool", { status: "running", startedAt: NOW - 40 * S }, [line.user(NOW - 40 * S), line.assistant(NOW - 20 * S, { toolCalls: [{ id: "c1", name: "exec" }] })], live, NOW - 40 * S);
  add(KEYS.stalled, "s-stalled", { status: "running", startedAt: NOW - 10 * M }, [line.user(NOW - 10 * M)], live, NOW - 10 * M);
  add(KEYS.recentIdle, "s-recent", { status: "done", startedAt: NOW - 2 * M - 5 * S, endedAt: NOW - 2 * M }, [line.user(NOW - 2 * M - 5 * S), line.assistant(NOW - 2 * M - S)]);
  add(KEYS.fresh, "s-fresh", {}, []);
  writeIndex(state, "main", entries);
  return state;
}

const env = (extra: Record<string, string> = {}) => ({ OPENCLAW_SESSIONS_NOW: String(NOW), TMPDIR: makeTempDir("ocs-e2e-tmp-"), ...extra });
const keysOf = (doc: any): string[] => doc.sessions.map((s: any) => s.sessionKey);

async function statusJson(state: string, args: string[] = []) {
  const { result, doc } = await runJson(["status", "--state-dir", state, "--no-probe", ...args], { env: env() });
  expect(result.code).toBe(0);
  expect(result.stderr).toBe("");
  return doc;
}

describe("the mixed store", () => {
  it("holds one session of each health (the fixture the filters rely on)", async () => {
    const doc = await statusJson(mixedStore());
    const health = Object.fromEntries(doc.sessions.map((s: any) => [s.sessionKey, `${s.health}/${s.state}`]));
    expect(health).toEqual({
      [KEYS.waiting]: "waiting/awaiting_model",
      [KEYS.oldIdle]: "idle/complete",
      [KEYS.unresponsive]: "unresponsive/awaiting_model",
      [KEYS.tool]: "active/tool_exec",
      [KEYS.stalled]: "stalled/awaiting_model",
      [KEYS.recentIdle]: "idle/complete",
      [KEYS.fresh]: "idle/idle",
    });
  });
});

describe("filters and order", () => {
  it("--problems: only unresponsive then stalled", async () => {
    expect(keysOf(await statusJson(mixedStore(), ["--problems"]))).toEqual([KEYS.unresponsive, KEYS.stalled]);
  });

  it("--active 5: runs in progress (however old) and sessions active in the last 5 minutes", async () => {
    const keys = keysOf(await statusJson(mixedStore(), ["--active", "5"]));
    expect([...keys].sort()).toEqual([KEYS.waiting, KEYS.unresponsive, KEYS.tool, KEYS.stalled, KEYS.recentIdle].sort());
  });

  it("--sort session:asc: problems first, then the rest by key", async () => {
    const keys = keysOf(await statusJson(mixedStore(), ["--sort", "session:asc"]));
    expect(keys).toEqual([KEYS.unresponsive, KEYS.stalled, KEYS.oldIdle, KEYS.waiting, KEYS.tool, KEYS.recentIdle, KEYS.fresh]);
    const desc = keysOf(await statusJson(mixedStore(), ["--sort", "session:desc"]));
    expect(desc).toEqual([KEYS.unresponsive, KEYS.stalled, KEYS.fresh, KEYS.recentIdle, KEYS.tool, KEYS.waiting, KEYS.oldIdle]);
  });

  it("--limit applies after sorting", async () => {
    expect(keysOf(await statusJson(mixedStore(), ["--sort", "session:asc", "--limit", "3"]))).toEqual([KEYS.unresponsive, KEYS.stalled, KEYS.oldIdle]);
  });

  it("the table honours the same filters", async () => {
    const r = await run(["status", "--state-dir", mixedStore(), "--no-probe", "--problems"], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(KEYS.unresponsive);
    expect(r.stdout).toContain(KEYS.stalled);
    expect(r.stdout).not.toContain(KEYS.waiting);
    expect(r.stdout).toMatch(/^2 sessions: /m);
  });

  it("--limit and --problems say how many were left out: the table's last line and --json total/matched/omitted", async () => {
    const limited = await run(["status", "--state-dir", mixedStore(), "--no-probe", "--sort", "session:asc", "--limit", "3"], { env: env() });
    expect(limited.stdout.trimEnd().split("\n").at(-1)).toBe("showing 3 of 7 sessions: 4 left out by --limit 3");
    const both = await run(["status", "--state-dir", mixedStore(), "--no-probe", "--problems", "--limit", "1"], { env: env() });
    expect(both.stdout.trimEnd().split("\n").at(-1)).toBe("showing 1 of 7 sessions: 6 left out by --problems, --limit 1");
    // the summary counts what the filters kept, not the rows --limit let through: 2 problems, 1 row
    expect(both.stdout).toMatch(/^2 sessions: ✖ 1 unresponsive {2}▲ 1 stalled/m);
    const all = await run(["status", "--state-dir", mixedStore(), "--no-probe", "--limit", "7"], { env: env() });
    expect(all.stdout).not.toMatch(/left out/);
    expect(await statusJson(mixedStore(), ["--problems", "--limit", "1"])).toMatchObject({ total: 7, matched: 2, omitted: 6 });
    expect(await statusJson(mixedStore())).toMatchObject({ total: 7, matched: 7, omitted: 0 });
  });

  it("bad filter values are usage errors (exit 64), one line", async () => {
    for (const args of [["--limit", "0"], ["--sort", "colour"], ["--stall-after", "idle=5m"], ["--active", "-1"]]) {
      const r = await run(["status", "--state-dir", mixedStore(), "--no-probe", ...args], { env: env() });
      expect(r.code).toBe(64);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^openclaw-sessions: [^\n]+\n$/);
      expect(r.stderr, "the message names the option").toContain(args[0]);
    }
  });
});

// colour (a pipe, FORCE_COLOR, NO_COLOR, --no-color) depends on the real process: test/e2e/status.test.ts

// ------------------------------------------------------------------ the JSON Schema

const SCHEMA: Schema = loadSchema("status.schema.json");
const SESSION: Schema = loadSchema("heartbeat.schema.json");

describe("schema/status.schema.json", () => {
  it("is a draft 2020-12 schema whose enums match the product's", () => {
    expect(SCHEMA.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect([...SESSION.properties.health.enum].sort()).toEqual([...HEALTH_ORDER].sort());
    expect([...SESSION.properties.state.enum].sort()).toEqual(["awaiting_model", "complete", "idle", "streaming", "tool_exec", "tool_wait"]);
  });

  it("validates the mixed store's document, with every gateway field present", async () => {
    const state = mixedStore();
    const tmp = makeTempDir("ocs-e2e-gw-");
    writeGatewayLock(tmp, path.join(state, "openclaw.json"), { pid: process.pid, startTime: procStartTime(process.pid), createdAt: NOW - 2 * H, port: 18999 });
    const { result, doc } = await runJson(["status", "--state-dir", state, "--no-probe"], { env: env({ TMPDIR: tmp }) });
    expect(result.code).toBe(0);
    expect(Object.keys(doc.gateway).sort()).toEqual(["alive", "lockPath", "pid", "port", "probe", "startedAt"]);
    expect(doc.sessions).toHaveLength(7);
    expect(validate(SCHEMA, doc)).toEqual([]);
  });

  it("validates the documents of an empty state dir and of an era C store (with a warning)", async () => {
    const empty = await runJson(["status", "--state-dir", makeStateDir(), "--no-probe"], { env: env() });
    expect(validate(SCHEMA, empty.doc)).toEqual([]);

    const state = makeStateDir();
    const db = path.join(state, "agents/main/agent/openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, "test/store/fixtures/era/era-c.sqlite"), db);
    const eraC = await runJson(["status", "--state-dir", state, "--no-probe"], { env: env() });
    expect(eraC.result.code).toBe(3);
    expect(eraC.doc.warnings.length).toBeGreaterThan(0);
    expect(validate(SCHEMA, eraC.doc)).toEqual([]);
  });

  it("validates the document of a real era C store with a live gateway (role, posixLock)", async () => {
    const copy = copyRun("c2-live-waiting-model");
    const owner = await liveOwner(copy);
    try {
      const live = await runJson(["status", "--state-dir", copy.stateDir, "--no-probe"], { env: env() });
      expect(live.doc.gateway).toMatchObject({ role: "gateway", posixLock: "held" });
      expect(live.doc.stores[0].era).toBe("C");
      expect(validate(SCHEMA, live.doc)).toEqual([]);
    } finally {
      await owner.stop();
      fs.rmSync(copy.root, { recursive: true, force: true });
    }
  });

  it("the validator rejects documents that break the schema", async () => {
    const doc = await statusJson(mixedStore());
    const broken = (edit: (d: any) => void) => {
      const d = structuredClone(doc);
      edit(d);
      return validate(SCHEMA, d);
    };
    expect(broken((d) => delete d.sessions[0].drift)).toEqual(["$.sessions[0]: missing drift"]);
    expect(broken((d) => (d.sessions[1].extra = 1))).toEqual(["$.sessions[1]: unexpected extra"]);
    expect(broken((d) => (d.sessions[0].health = "healthy"))).toHaveLength(1);
    expect(broken((d) => (d.sessions[0].sessionKey = null))).toEqual(["$.sessions[0].sessionKey: expected string, got null"]);
    expect(broken((d) => (d.stores[0].era = "D"))).toHaveLength(1);
    expect(broken((d) => (d.gateway.probe = "maybe"))).toHaveLength(1);
    expect(broken((d) => (d.schemaVersion = 2))).toHaveLength(1);
    expect(broken((d) => (d.sessions[0].source = "guess"))).toHaveLength(1);
    expect(broken((d) => delete d.sessions[0].outcome)).toEqual(["$.sessions[0]: missing outcome"]);
    expect(broken((d) => (d.warnings = [1]))).toEqual(["$.warnings[0]: expected string, got 1"]);
  });
});
