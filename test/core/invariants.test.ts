// The commands can never disagree about a session: over the real OpenClaw stores and a generated
// store of 5,000 sessions (dead owners, drifted rows, unreadable locks, embedded runs, live runs),
// each read through the real store reader and judged as status, cleanup and keepalive judge it,
// with variants that put a live gateway, a restarted gateway, OpenClaw's own recovery, a live
// owner and era C ownership on the same evidence.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../src/core/health/index.js";
import { planItem, type PlanItem } from "../../src/core/plan/actions.js";
import { planFinalize } from "../../src/core/plan/finalize.js";
import { planKeepalive } from "../../src/core/plan/keepalive.js";
import { planPrune } from "../../src/core/plan/prune.js";
import type { Evidence, Thresholds } from "../../src/core/types.js";
import { generateStore } from "../../src/sim/generate.js";
import { readSnapshot } from "../../src/store/snapshot.js";
import { cleanupStateDirs, copyRealState, makeTempDir } from "../fixtures/store-builder.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const TH: Thresholds = { stallAfterMs: 2 * MIN, perState: {}, staleAfterMs: 10 * MIN, runTimeoutMs: 48 * HOUR };

/** The same evidence as other owners would leave it: every branch of the one liveness rule. */
function variants(ev: Evidence, now: number): Evidence[] {
  const last = Math.max(ev.entry.startedAt ?? 0, ev.transcript?.lastEntryAt ?? 0, ev.trajectory?.lastEventAt ?? 0);
  const out: Evidence[] = [ev];
  out.push({ ...ev, gateway: { pid: 9001, alive: true, probe: "skipped", startedAt: last - DAY } });
  out.push({ ...ev, gateway: { pid: 9002, alive: true, probe: "skipped", startedAt: now - MIN } });
  if (ev.entry.status === "running") {
    out.push({ ...ev, entry: { ...ev.entry, abortedLastRun: true, updatedAt: now - 5_000 }, gateway: { pid: 9003, alive: true, probe: "skipped", startedAt: now - 10_000 } });
  }
  if (ev.lock) out.push({ ...ev, lock: { ...ev.lock, owner: "alive" } });
  const { lock: _lock, ...noLock } = ev;
  const task = { runId: "run-invariant", status: "running", owner: "alive" as const, ownerPid: 9004 };
  out.push({ ...noLock, era: "C", tasksKnown: true, gateway: { pid: 9004, alive: true, probe: "skipped", startedAt: now - DAY }, task });
  out.push({ ...noLock, era: "C", tasksKnown: true, gateway: { pid: 9004, alive: true, probe: "skipped", startedAt: now - DAY } });
  out.push({ ...noLock, era: "C", tasksKnown: true, gateway: { pid: 9004, alive: false, probe: "skipped", startedAt: now - DAY }, task: { ...task, owner: "dead" } });
  out.push({ ...noLock, era: "C", gateway: { pid: 9005, alive: false, probe: "skipped", role: "agent-embedded" } });
  // the same session, relabelled so every variant is its own session in one store
  return out.map((v, i) => ({ ...v, sessionKey: `${v.sessionKey}#${i}` }));
}

interface Checked {
  sessions: number;
  finalized: number;
  touched: number;
  evicted: number;
  lost: number;
  unresponsive: number;
}

/** Judges `evidence` as each command does and returns every broken invariant, one line each. */
function check(evidence: Evidence[], now: number, th: Thresholds, agentsRoot: string, counts: Checked): string[] {
  const problems: string[] = [];
  const items: PlanItem[] = evidence.map((ev) => planItem(ev, now, th));
  const status = new Map(evidence.map((ev) => [ev.sessionKey, deriveHeartbeat(ev, now, th)]));
  const finalize = planFinalize(items);
  const keepalive = planKeepalive(items, { now, freshWithinMs: 30_000, idleResetConfigured: true });
  const prune = planPrune(items, { now, policy: { mode: "enforce", pruneAfterMs: 7 * DAY, maxEntries: 50 }, agentsRoot, finalized: finalize.patches });
  const patched = new Map(finalize.patches.map((p) => [p.sessionKey, p]));
  const listed = new Set(finalize.actions.map((a) => a.sessionKey));
  // looked up by key: a find() per session over ~45,000 variants was most of this test's time
  const actionOf = new Map(finalize.actions.map((a) => [a.sessionKey, a] as const));
  const evidenceOf = new Map(evidence.map((ev) => [ev.sessionKey, ev] as const));
  const staleAfter = th.staleAfterMs!;
  counts.sessions += evidence.length;
  counts.finalized += finalize.patches.length;
  counts.touched += keepalive.touch.length;

  for (const [key, hb] of status) {
    const say = (what: string) => problems.push(`${key} (${hb.health}/${hb.state}, index ${hb.storeStatus ?? "-"}): ${what}\n    ${hb.reasons.join("\n    ")}`);
    const patch = patched.get(key);
    // (a) finalized only if status calls it unresponsive or shows drift
    if (patch && hb.health !== "unresponsive" && !hb.drift) say("finalized, yet status shows neither unresponsive nor drift");
    // (a) every unresponsive session silent past --stale-after is finalized or listed with why not
    const silent = hb.lastActivityAt === undefined || now - hb.lastActivityAt >= staleAfter;
    if (hb.health === "unresponsive") {
      counts.unresponsive++;
      if (silent && !patch && !listed.has(key)) say("unresponsive and silent past --stale-after, but cleanup neither finalizes it nor lists why not");
      const action = actionOf.get(key);
      if (silent && !patch && action && action.reasons.length === 0) say("listed by cleanup without a reason");
    }
    // (d) the outcome status shows is the status cleanup writes (lost is exempt: nothing is written)
    if (patch && hb.outcome !== patch.set?.status) say(`status shows outcome ${hb.outcome}, cleanup writes ${String(patch.set?.status)}`);
    // lost is shown, never critical; and never hides a running row someone could repair
    if (hb.outcome === "lost") {
      counts.lost++;
      if (hb.health !== "idle") say("lost but not idle");
      if (hb.storeStatus === "running" && hb.outcome === "lost" && !key.includes("#")) say("a running row is lost");
    }
    if (patch && patch.set && !["done", "failed", "killed", "timeout"].includes(String(patch.set.status))) say(`writes ${String(patch.set.status)}`);
  }
  // never a patch for era C
  for (const p of finalize.patches) {
    const ev = evidenceOf.get(p.sessionKey)!;
    if (ev.era === "C") problems.push(`${p.sessionKey}: an era C row got a patch`);
  }
  // (b) keepalive never touches unresponsive, stalled past the whole-run timeout, or what cleanup finalizes
  for (const t of keepalive.touch) {
    const hb = status.get(t.sessionKey)!;
    if (hb.health === "unresponsive") problems.push(`${t.sessionKey}: keepalive touches an unresponsive session`);
    if (hb.health === "stalled" && hb.startedAt !== undefined && now - hb.startedAt > th.runTimeoutMs!) problems.push(`${t.sessionKey}: keepalive touches a run stalled past the whole-run timeout`);
    if (patched.has(t.sessionKey)) problems.push(`${t.sessionKey}: keepalive touches a session cleanup would finalize`);
  }
  // (c) prune never evicts a session with a run in progress
  for (const a of prune.actions) {
    if (a.action !== "prune" && a.action !== "cap") continue;
    counts.evicted++;
    const hb = status.get(a.sessionKey)!;
    if (hb.health === "active" || hb.health === "waiting" || hb.health === "stalled") problems.push(`${a.sessionKey}: ${a.action} evicts a run in progress (${hb.health})`);
  }
  return problems;
}

const zero = (): Checked => ({ sessions: 0, finalized: 0, touched: 0, evicted: 0, lost: 0, unresponsive: 0 });

describe("cross-command invariants on the real OpenClaw 2026.7.1 stores", () => {
  afterAll(() => cleanupStateDirs());
  const runs = [
    ["s1-quick-done", 1795293178434],
    ["s2-live-waiting-model", Date.parse("2026-11-21T20:33:25.000Z")],
    ["s3-tool-killed", Date.parse("2026-11-21T20:34:00.000Z")],
    ["s5-errors-within-grace", Date.parse("2026-11-21T20:35:10.000Z")],
  ] as const;
  it.each(runs)("%s, judged at capture, a minute, an hour, three days later", async (run, capture) => {
    const state = copyRealState(run);
    const snap = await readSnapshot({ stateDir: state, env: { HOME: makeTempDir() }, tmpDir: makeTempDir("ocs-inv-tmp-"), probe: false });
    expect(snap.evidence.length).toBeGreaterThan(0);
    const counts = zero();
    const problems: string[] = [];
    for (const now of [capture, capture + MIN, capture + HOUR, capture + 3 * DAY]) {
      const evidence = snap.evidence.flatMap((ev) => variants(ev, now));
      problems.push(...check(evidence, now, TH, path.join(state, "agents"), counts));
    }
    expect(problems).toEqual([]);
  });
});

// Issue 11 asks for at least 5,000 sessions: the generator's mix then gives every kind dozens of
// sessions, each judged in every variant (measured at 2,000 and 5,000 alike: the bars below hold).
const GENERATED = 5_000;

describe(`cross-command invariants on a generated store of ${GENERATED} sessions`, () => {
  let root: string;
  let stateDir: string;
  let now: number;
  let evidence: Evidence[];
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-invariants-"));
    stateDir = path.join(root, "state");
    const manifest = await generateStore({ outDir: stateDir, sessions: GENERATED, seed: 11 });
    now = manifest.now;
    for (const kind of ["running-dead", "running-ended", "running-unreadable-lock", "embedded-dead", "embedded-live", "running-live", "running-nolock"] as const) {
      expect(manifest.counts[kind], kind).toBeGreaterThan(10);
    }
    const snap = await readSnapshot({ stateDir, tmpDir: root, env: {}, probe: false });
    evidence = snap.evidence;
  }, 240_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("holds as read, and with live, restarted and recovering gateways, live owners and era C owners", () => {
    expect(evidence).toHaveLength(GENERATED);
    const counts = zero();
    const problems: string[] = [];
    for (const at of [now, now + HOUR]) {
      problems.push(...check(evidence.flatMap((ev) => variants(ev, at)), at, TH, path.join(stateDir, "agents"), counts));
    }
    expect(problems.slice(0, 20)).toEqual([]);
    // the mix really exercised every invariant
    expect(counts.finalized).toBeGreaterThan(500);
    expect(counts.touched).toBeGreaterThan(50);
    expect(counts.evicted).toBeGreaterThan(500);
    expect(counts.lost).toBeGreaterThan(50);
    expect(counts.unresponsive).toBeGreaterThan(500);
  }, 240_000);

  it("holds three days on (runs past the whole-run timeout) and with a short timeout", () => {
    const counts = zero();
    const problems = [
      ...check(evidence, now + 3 * DAY, TH, path.join(stateDir, "agents"), counts),
      ...check(evidence.flatMap((ev) => variants(ev, now)), now, { ...TH, runTimeoutMs: 30 * 1000 }, path.join(stateDir, "agents"), counts),
    ];
    expect(problems.slice(0, 20)).toEqual([]);
  }, 240_000);
});
