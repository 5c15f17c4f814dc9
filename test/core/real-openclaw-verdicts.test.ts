// The four captures of real OpenClaw 2026.7.1 (test/fixtures/real-openclaw) read through the REAL
// store reader and judged by the health model, as `status` does: once "at capture time" (the
// locks rewritten to name a live process of this test, with its real start time) and once a day
// later with the original, long-dead owners.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../src/core/health/index.js";
import { parseStallAfter, stallDefaultFromConfig } from "../../src/core/thresholds.js";
import type { Evidence, Heartbeat } from "../../src/core/types.js";
import { stuckSessionWarnMs } from "../../src/store/config.js";
import { readSnapshot, type Snapshot } from "../../src/store/snapshot.js";
import { copyRealState, makeTempDir } from "../fixtures/store-builder.js";
import { procStartTime } from "../e2e/helpers/cli.js";
import { REAL_OPENCLAW as REAL } from "../fixtures/real-openclaw.js";

const DAY = 24 * 60 * 60 * 1000;
const SESSIONS = "agents/main/sessions";

type Run = "s1-quick-done" | "s2-live-waiting-model" | "s3-tool-killed" | "s5-errors-within-grace";
type Owners = "live" | "original";

/** This test's own process: certainly alive while the test runs. */
const self = () => ({ pid: process.pid, starttime: procStartTime(process.pid) });

function gatewayLockFile(tmpDir: string, configPath: string): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const hash = createHash("sha256").update(configPath).digest("hex").slice(0, 8);
  return path.join(tmpDir, uid === undefined ? "openclaw" : `openclaw-${uid}`, `gateway.${hash}.lock`);
}

/**
 * A writable copy of the capture, with its gateway lock placed where the reader looks for the
 * copy's config path. `live`: every lock (transcript and gateway) rewritten to name this process.
 */
function stage(run: Run, owners: Owners) {
  const state = copyRealState(run);
  const tmpDir = makeTempDir("ocs-real-tmp-");
  const configPath = path.join(state, "openclaw.json");
  const me = self();
  const lockDir = path.join(REAL, run, "gateway-lock");
  if (fs.existsSync(lockDir)) {
    const [name] = fs.readdirSync(lockDir);
    let body = fs.readFileSync(path.join(lockDir, name), "utf8");
    if (owners === "live") body = JSON.stringify({ ...JSON.parse(body), pid: me.pid, configPath, startTime: me.starttime });
    const target = gatewayLockFile(tmpDir, configPath);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, body);
  }
  if (owners === "live") {
    for (const name of fs.readdirSync(path.join(state, SESSIONS)).filter((n) => n.endsWith(".jsonl.lock"))) {
      const file = path.join(state, SESSIONS, name);
      const body = JSON.parse(fs.readFileSync(file, "utf8"));
      fs.writeFileSync(file, `${JSON.stringify({ ...body, pid: me.pid, starttime: me.starttime }, null, 2)}\n`);
    }
  }
  return { state, tmpDir };
}

async function judge(run: Run, owners: Owners, now: number): Promise<{ snap: Snapshot; verdicts: Map<string, { ev: Evidence; hb: Heartbeat }> }> {
  const { state, tmpDir } = stage(run, owners);
  const snap = await readSnapshot({ stateDir: state, env: { HOME: makeTempDir() }, tmpDir, probe: false });
  const th = parseStallAfter([], stallDefaultFromConfig(stuckSessionWarnMs(snap.config)));
  const verdicts = new Map(snap.evidence.map((ev) => [ev.sessionKey, { ev, hb: deriveHeartbeat(ev, now, th) }]));
  return { snap, verdicts };
}

function only(verdicts: Map<string, { ev: Evidence; hb: Heartbeat }>, key: string) {
  expect([...verdicts.keys()]).toEqual([key]);
  return verdicts.get(key)!;
}

describe("s1-quick-done: two quick turns, gateway stopped cleanly", () => {
  const ENDED = 1795293178434;
  for (const [label, now] of [["at capture", ENDED + 5_000], ["a day later", ENDED + DAY]] as const) {
    it(`${label}: complete / idle, no drift`, async () => {
      const { hb } = only((await judge("s1-quick-done", "original", now)).verdicts, "agent:main:main");
      expect(hb).toMatchObject({ state: "complete", health: "idle", storeStatus: "done" });
      expect(hb.drift).toBeUndefined();
    });
  }
});

describe("s2-live-waiting-model: turn 2's model never answers", () => {
  const KEY = "agent:main:s2-model-wait";
  const CAPTURE = Date.parse("2026-11-21T20:33:25.000Z");

  it("at capture, owners alive: awaiting_model / waiting", async () => {
    const { snap, verdicts } = await judge("s2-live-waiting-model", "live", CAPTURE);
    expect(snap.gateway).toMatchObject({ pid: process.pid, alive: true, port: 18999 });
    const { ev, hb } = only(verdicts, KEY);
    expect(ev.lock?.owner).toBe("alive");
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting", storeStatus: "running", startedAt: 1795293201799 });
    expect(hb.drift).toBeUndefined();
  });

  it("turn 1's session.ended(success), the trajectory's last event, is NOT taken as the current run", async () => {
    const { verdicts } = await judge("s2-live-waiting-model", "live", CAPTURE);
    const { ev, hb } = only(verdicts, KEY);
    const lastRun = ev.trajectory!.run!;
    expect(lastRun.ended!.status).toBe("success");
    expect(lastRun.ended!.at).toBeLessThan(ev.entry.startedAt!);
    expect(hb.turnId).toBeUndefined();
    expect(hb.state).not.toBe("complete");
    expect(hb.reasons.some((r) => r.includes(`ended success`) && r.endsWith("before the current run started: the current run is not recorded yet"))).toBe(true);
  });

  it("a day later, original dead owners: unresponsive (never complete because of turn 1's success)", async () => {
    const { snap, verdicts } = await judge("s2-live-waiting-model", "original", CAPTURE + DAY);
    expect(snap.gateway).toMatchObject({ pid: 23939, alive: false });
    const { ev, hb } = only(verdicts, KEY);
    expect(ev.lock?.pid).toBe(23939);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "unresponsive" });
    expect(hb.turnId).toBeUndefined();
    expect(hb.drift).toMatch(/^running in index, lock owner pid 23939 is (dead|gone)/);
  });
});

describe("s3-tool-killed: gateway SIGKILLed 4 s into exec", () => {
  const KEY = "agent:main:s3-tool-exec";
  const CAPTURE = Date.parse("2026-11-21T20:34:23.000Z");

  it("at capture, owners alive: tool_exec (exec) / active", async () => {
    const { snap, verdicts } = await judge("s3-tool-killed", "live", CAPTURE);
    expect(snap.gateway.alive).toBe(true);
    const { ev, hb } = only(verdicts, KEY);
    expect(ev.trajectory).toBeUndefined();
    expect(hb).toMatchObject({ state: "tool_exec", health: "active", toolName: "exec" });
    expect(hb.drift).toBeUndefined();
  });

  it("a day later, original dead owners: unresponsive, still naming the tool", async () => {
    const { snap, verdicts } = await judge("s3-tool-killed", "original", CAPTURE + DAY);
    expect(snap.gateway).toMatchObject({ pid: 25653, alive: false });
    const { hb } = only(verdicts, KEY);
    expect(hb).toMatchObject({ state: "tool_exec", health: "unresponsive", toolName: "exec" });
    expect(hb.drift).toMatch(/^running in index, lock owner pid 25653 is (dead|gone)/);
  });
});

describe("s5-errors-within-grace: both runs failed, index still running inside OpenClaw's 15 s grace", () => {
  const CAPTURE = Date.parse("2026-11-21T20:35:11.000Z");
  const cases = [
    ["at capture, gateway alive", "live", CAPTURE],
    ["a day later, gateway dead", "original", CAPTURE + DAY],
  ] as const;
  for (const [label, owners, now] of cases) {
    it(`${label}: both complete / idle, with drift (ended with error)`, async () => {
      const { snap, verdicts } = await judge("s5-errors-within-grace", owners, now);
      expect(snap.gateway.alive).toBe(owners === "live");
      expect([...verdicts.keys()]).toEqual(["agent:main:s5-http500", "agent:main:s5-malformed"]);
      for (const { hb } of verdicts.values()) {
        expect(hb).toMatchObject({ state: "complete", health: "idle", storeStatus: "running" });
        expect(hb.drift).toMatch(/^running in index, run ended .* \(error\)$/);
      }
    });
  }
});
