// Stores real OpenClaw 2026.9.5 (agent schema 21), 2026.9.4 and 2026.8.2 (schema 19) wrote get the
// verdicts their README documents (test/fixtures/real-openclaw-c-older), and reading them changes
// nothing: the same reader as for 2026.9.6, with text-only transcript rows.
import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../../src/core/health/deriveHeartbeat.js";
import type { Heartbeat } from "../../../src/core/types.js";
import { checkAgentSchema, openStoreDb } from "../../../src/store/sqlite/open.js";
import { readEraCStore } from "../../../src/store/sqlite/read-store.js";
import { liveOwner, NO_TIME_LIMITS, storeFacts, treeInodes } from "../../fixtures/real-openclaw-c.js";
import { copyOlderRun, olderCapturedAt, olderRuns, OLDER_ERA_C_VERSIONS, type OlderEraCRun, type OlderEraCVersion } from "../../fixtures/real-openclaw-c-older.js";

const TH = { stallAfterMs: 120_000, perState: {} };
const MWAIT = "agent:main:c-mwait";
const TOOL = "agent:main:c-tool";
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function copyOf(version: OlderEraCVersion, run: OlderEraCRun) {
  const copy = copyOlderRun(version, run);
  cleanups.push(() => fs.rmSync(copy.root, { recursive: true, force: true }));
  return copy;
}

function judge(copy: { dbPath: string }, now: number, th = TH) {
  const result = readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" });
  expect(result.warnings).toEqual([]);
  return { result, hbs: new Map<string, Heartbeat>(result.evidence.map((ev) => [ev.sessionKey, deriveHeartbeat(ev, now, th)])) };
}

const runs = olderRuns();
const of = (run: OlderEraCRun) => runs.filter((r) => r.run === run).map((r) => r.version);

describe("real stores of OpenClaw before 2026.9.6 (owners dead, read at capture time)", () => {
  it("every version captured is here, each with the schema version it wrote", () => {
    expect(of("killed").sort()).toEqual(["2026.8.2", "2026.9.4", "2026.9.5"]);
    expect(of("done").sort()).toEqual(["2026.8.2", "2026.9.4", "2026.9.5"]);
    expect(of("live-waiting-model").sort()).toEqual(["2026.9.4", "2026.9.5"]);
    for (const { version, run } of runs) {
      const copy = copyOf(version, run);
      const { db } = openStoreDb(copy.dbPath, false);
      try {
        expect(checkAgentSchema(db, copy.dbPath), `${version}/${run}`).toMatchObject({ version: OLDER_ERA_C_VERSIONS[version], appVersion: version, zstdTranscripts: false });
      } finally {
        db.close();
      }
    }
  });

  it.each(of("killed"))("%s killed: the model wait and the running exec are unresponsive (dead gateway), resumed at the next gateway start; the store unchanged", (version) => {
    const copy = copyOf(version, "killed");
    const facts = storeFacts(copy.dbPath);
    const tree = treeInodes(copy.stateDir);
    const { result, hbs } = judge(copy, olderCapturedAt(version, "killed"));
    expect(result.owner).toMatchObject({ alive: false, role: "gateway", posixLock: "free" });
    const mwait = hbs.get(MWAIT)!;
    const tool = hbs.get(TOOL)!;
    expect([mwait.state, mwait.health, mwait.storeStatus, mwait.era]).toEqual(["awaiting_model", "unresponsive", "running", "C"]);
    expect([tool.state, tool.toolName, tool.health, tool.storeStatus]).toEqual(["tool_exec", "exec", "unresponsive", "running"]);
    for (const hb of [mwait, tool]) expect(hb.reasons.join("\n")).toMatch(/restart recovery resumes it on the next gateway start/);
    expect(storeFacts(copy.dbPath)).toEqual(facts);
    expect(treeInodes(copy.stateDir)).toEqual(tree);
  });

  it.each(of("done"))("%s done (recovery resumed both turns, clean stop): complete, idle, outcome done", (version) => {
    const { hbs } = judge(copyOf(version, "done"), olderCapturedAt(version, "done"));
    for (const key of [MWAIT, TOOL]) {
      const hb = hbs.get(key)!;
      expect([hb.state, hb.health, hb.storeStatus, hb.outcome], `${version} ${key}`).toEqual(["complete", "idle", "done", "done"]);
    }
  });

  it.each(of("live-waiting-model"))("%s live-waiting-model, its gateway gone now: unresponsive awaiting_model", (version) => {
    const { hbs } = judge(copyOf(version, "live-waiting-model"), olderCapturedAt(version, "live-waiting-model") + 60_000);
    const hb = hbs.get(MWAIT)!;
    expect([hb.state, hb.health, hb.storeStatus]).toEqual(["awaiting_model", "unresponsive", "running"]);
  });

  it.each(of("live-waiting-model"))("%s live-waiting-model with a live gateway owning the state dir (no global DB in the copy): awaiting_model, waiting", async (version) => {
    const copy = copyOf(version, "live-waiting-model");
    // the gateway that started the run: up since before it (a gateway started after it would be restart recovery's)
    const gw = await liveOwner(copy, { createdAt: olderCapturedAt(version, "live-waiting-model") - 3_600_000 });
    cleanups.push(() => gw.stop());
    const { result, hbs } = judge(copy, Date.now(), NO_TIME_LIMITS);
    expect(result.owner).toMatchObject({ alive: true, pid: gw.pid });
    expect([...hbs.keys()]).toEqual([MWAIT]);
    const hb = hbs.get(MWAIT)!;
    expect([hb.state, hb.health]).toEqual(["awaiting_model", "waiting"]);
    expect(hb.reasons.join("\n")).toMatch(/no global DB/);
  });
});
