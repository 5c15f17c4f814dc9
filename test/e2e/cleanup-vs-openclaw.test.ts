// The same stores judged by OpenClaw's own cleanup rules (openclawPrunePlan, reproduced from
// 2026.7.1: updatedAt only, status ignored) and by our built CLI. Shows where they differ
// (status and liveness) and where they agree (durations, protected keys, archive names). The
// table in docs/cleanup-vs-openclaw.md is this test's output: the test fails when they drift.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openclawPrunePlan } from "../../src/core/plan/openclaw-prune.js";
import { line, makeStateDir, transcriptPath, writeIndex, writeLock, writeTranscript } from "../fixtures/store-builder.js";
import { REPO_ROOT, runJson, useOwners } from "./helpers/cli.js";
import { cliEnv, D, entry, H, M, NOW, STAMP, uuid, type Index } from "./helpers/cleanup-store.js";

const { live, dead } = useOwners();

interface Case {
  key: string;
  label: string;
  build(state: string, id: string): Record<string, unknown>;
}

const done = (at: number, more = {}) => (state: string, id: string) => {
  writeTranscript(transcriptPath(state, id), [line.header(id, at - 2 * M), line.user(at - M), line.assistant(at - 1000)]);
  return entry({ sessionId: id, updatedAt: at, status: "done", startedAt: at - M, endedAt: at, ...more });
};

const runningDead = (at: number) => (state: string, id: string) => {
  writeTranscript(transcriptPath(state, id), [line.header(id, at - M), line.user(at + 3000)]);
  writeLock(`${transcriptPath(state, id)}.lock`, { pid: dead.pid, starttime: dead.starttime, createdAt: at });
  return entry({ sessionId: id, updatedAt: at, status: "running", startedAt: at });
};

/** A run in progress right now under a row whose updatedAt is old (nothing bumped it since). */
const liveRun = (updatedAt: number, status?: "running") => (state: string, id: string) => {
  writeTranscript(transcriptPath(state, id), [line.header(id, updatedAt), line.user(NOW - 2 * M), line.assistant(NOW - M, { toolCalls: [{ id: "c1", name: "exec" }] })]);
  writeLock(`${transcriptPath(state, id)}.lock`, { pid: live.pid, starttime: live.starttime, createdAt: NOW - 2 * M });
  return entry({ sessionId: id, updatedAt, ...(status ? { status, startedAt: NOW - 2 * M } : {}) });
};

const PRUNE_AFTER = "1d12h";
const AGE_CASES: Case[] = [
  { key: "agent:main:old-done", label: "`done`, updated 45 d ago", build: done(NOW - 45 * D) },
  { key: "agent:main:fresh-done", label: "`done`, updated 1 d ago", build: done(NOW - D) },
  { key: "agent:main:edge-out", label: "`done`, 1 min older than pruneAfter (`1d12h`)", build: done(NOW - 36 * H - M) },
  { key: "agent:main:edge-in", label: "`done`, 1 min younger than pruneAfter (`1d12h`)", build: done(NOW - 36 * H + M) },
  { key: "agent:main:old-running-dead", label: "`running` 40 d, lock owner dead", build: runningDead(NOW - 40 * D) },
  { key: "agent:main:old-running-live", label: "`running`, updated 40 d ago, live lock, tool call 1 min ago", build: liveRun(NOW - 40 * D, "running") },
  { key: "agent:main:embedded-live", label: "no status (embedded run), updated 40 d ago, live lock", build: liveRun(NOW - 40 * D) },
  { key: "agent:main:telegram:group:-100777", label: "group key, `done` 45 d ago", build: done(NOW - 45 * D) },
  { key: "agent:main:team", label: "`chatType: group`, `done` 45 d ago", build: done(NOW - 45 * D, { chatType: "group" }) },
  { key: "agent:main:pinned", label: "`--active-key`, `done` 45 d ago", build: done(NOW - 45 * D) },
  { key: "agent:main:subagent:abc", label: "subagent key spawned from a group, `done` 45 d ago", build: done(NOW - 45 * D, { chatType: "group" }) },
];

const CAP_CASES: Case[] = [
  { key: "agent:main:cap-live", label: "cap 3: `running`, live, oldest updatedAt (20 h)", build: liveRun(NOW - 20 * H, "running") },
  { key: "agent:main:cap-a", label: "cap 3: `done`, updated 10 h ago", build: done(NOW - 10 * H) },
  { key: "agent:main:cap-b", label: "cap 3: `done`, updated 5 h ago", build: done(NOW - 5 * H) },
  { key: "agent:main:cap-c", label: "cap 3: `done`, updated 1 h ago", build: done(NOW - H) },
  { key: "agent:main:cap-group:channel:ops", label: "cap 3: channel key, `done` 30 h ago", build: done(NOW - 30 * H) },
];

function buildStore(cases: Case[], config?: string): { state: string; index: Index; ids: Record<string, string> } {
  const state = makeStateDir("ocs-vs-openclaw-");
  const index: Index = {};
  const ids: Record<string, string> = {};
  cases.forEach((c, i) => {
    ids[c.key] = uuid(i);
    index[c.key] = c.build(state, ids[c.key]!);
  });
  writeIndex(state, "main", index);
  if (config) fs.writeFileSync(path.join(state, "openclaw.json"), config);
  return { state, index, ids };
}

type Verdicts = Record<string, string>;

function openclawVerdicts(index: Index, pruneAfterMs: number, maxEntries: number, activeKeys: string[]): Verdicts {
  const plan = openclawPrunePlan(index as never, { pruneAfterMs, maxEntries }, NOW, activeKeys);
  const out: Verdicts = {};
  for (const k of Object.keys(index)) out[k] = plan.pruned.includes(k) ? "prune" : plan.capped.includes(k) ? "cap" : "keep";
  return out;
}

/** Our verdict per key, from the CLI's --json. */
function ourVerdicts(doc: any, keys: string[]): Verdicts {
  const st = doc.stores[0];
  const out: Verdicts = {};
  for (const k of keys) {
    const mine = st.actions.filter((a: any) => a.sessionKey === k && a.action !== "archive");
    const fin = mine.find((a: any) => a.action === "finalize");
    const evict = mine.find((a: any) => a.action === "prune" || a.action === "cap");
    if (fin && evict) out[k] = `finalize (${fin.toStatus}) + ${evict.action}`;
    else if (evict) out[k] = evict.action;
    else if (fin) out[k] = `finalize (${fin.toStatus})`;
    else {
      const why = st.kept.filter((a: any) => a.sessionKey === k).flatMap((a: any) => a.reasons).join(" ");
      out[k] = /protected/.test(why) ? "keep (protected)" : /status is running/.test(why) ? "keep (running)" : /may be alive|was active/.test(why) ? "keep (alive)" : /live/.test(st.kept.find((a: any) => a.sessionKey === k)?.rule ?? "") ? "keep (alive)" : "keep";
    }
  }
  return out;
}

interface Judged {
  state: string;
  ids: Record<string, string>;
  full: any;
  theirs: Verdicts;
  ours: Verdicts;
  oursPrune: Verdicts;
}

const ACTIVE = "agent:main:pinned";

/** One store, judged three ways: OpenClaw's rules, our full cleanup, our --prune alone (dry runs). */
async function judge(cases: Case[], flags: string[], config?: string): Promise<Judged> {
  const { state, index, ids } = buildStore(cases, config);
  const env = cliEnv();
  const base = ["--dry-run", "--state-dir", state, "--no-probe", ...flags];
  const full = await runJson(["cleanup", ...base], { env });
  const pruneOnly = await runJson(["cleanup", "--prune", ...base], { env });
  expect(full.result.code, full.result.stderr).toBe(0);
  expect(pruneOnly.result.code, pruneOnly.result.stderr).toBe(0);
  const active = flags.includes("--active-key") ? [flags[flags.indexOf("--active-key") + 1]!] : [];
  return {
    state,
    ids,
    full: full.doc,
    theirs: openclawVerdicts(index, full.doc.policy.pruneAfterMs, full.doc.policy.maxEntries, active),
    ours: ourVerdicts(full.doc, Object.keys(index)),
    oursPrune: ourVerdicts(pruneOnly.doc, Object.keys(index)),
  };
}

describe("our cleanup vs OpenClaw's own rules, on the same store", () => {
  let age: Judged;
  let cap: Judged;

  beforeAll(async () => {
    age = await judge(AGE_CASES, ["--active-key", ACTIVE], `{ session: { maintenance: { pruneAfter: "${PRUNE_AFTER}" } } }`);
    cap = await judge(CAP_CASES, ["--max-entries", "3"]);
  });

  it("age: both read the same duration syntax, protect the same keys, evict the same finished rows", () => {
    const { theirs, ours } = age;
    expect(age.full.policy.pruneAfterMs).toBe(36 * H);
    for (const k of ["agent:main:old-done", "agent:main:edge-out", "agent:main:subagent:abc"]) expect([theirs[k], ours[k]], k).toEqual(["prune", "prune"]);
    for (const k of ["agent:main:fresh-done", "agent:main:edge-in"]) expect([theirs[k], ours[k]], k).toEqual(["keep", "keep"]);
    for (const k of ["agent:main:telegram:group:-100777", "agent:main:team", ACTIVE]) expect([theirs[k], ours[k]], k).toEqual(["keep", "keep (protected)"]);
  });

  it("age: OpenClaw evicts by updatedAt alone; ours never evicts a running or live session, and finalizes the dead one first", () => {
    const { theirs, ours, oursPrune } = age;
    expect(theirs["agent:main:old-running-dead"]).toBe("prune");
    expect(oursPrune["agent:main:old-running-dead"]).toBe("keep (running)");
    expect(ours["agent:main:old-running-dead"]).toBe("finalize (failed) + prune");
    for (const k of ["agent:main:old-running-live", "agent:main:embedded-live"]) {
      expect(theirs[k], k).toBe("prune");
      expect(ours[k], k).toMatch(/^keep \((running|alive)\)$/);
      expect(oursPrune[k], k).toMatch(/^keep \((running|alive)\)$/);
    }
    // OpenClaw never finalizes; ours only the dead run
    expect(age.full.stores[0].actions.filter((a: any) => a.action === "finalize").map((a: any) => a.sessionKey)).toEqual(["agent:main:old-running-dead"]);
  });

  it("archive names: OpenClaw's `<file>.deleted.<ts>`, ts = UTC ISO with ':' -> '-'", () => {
    const archives = age.full.stores[0].actions.filter((a: any) => a.action === "archive");
    const oldDone = archives.find((a: any) => a.sessionKey === "agent:main:old-done");
    expect(oldDone.to).toBe(`${transcriptPath(age.state, age.ids["agent:main:old-done"]!)}.deleted.${STAMP}`);
    // the pattern OpenClaw 2026.7.1 recognises its own archives by (paths.ts)
    for (const a of archives) expect(a.to.slice(a.from.length)).toMatch(/^\.deleted\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(\.\d{3})?Z$/);
    expect(archives.length).toBeGreaterThan(0);
  });

  it("cap: OpenClaw drops the oldest rows even when live; ours only finished ones", () => {
    const { theirs, ours } = cap;
    expect([theirs["agent:main:cap-live"], ours["agent:main:cap-live"]]).toEqual(["cap", "keep (alive)"]);
    expect([theirs["agent:main:cap-a"], ours["agent:main:cap-a"]]).toEqual(["cap", "cap"]);
    expect([theirs["agent:main:cap-b"], ours["agent:main:cap-b"]]).toEqual(["keep", "cap"]);
    for (const k of ["agent:main:cap-c", "agent:main:cap-group:channel:ops"]) expect([theirs[k], ours[k]], k).toEqual(["keep", "keep"]);
    // both end at maxEntries
    expect(Object.values(theirs).filter((v) => v === "keep")).toHaveLength(3);
    expect(cap.full.stores[0].afterCount).toBe(3);
  });

  it("the README and docs/cleanup-vs-openclaw.md carry exactly this table", () => {
    const rows = [...AGE_CASES.map((c) => [c, age] as const), ...CAP_CASES.map((c) => [c, cap] as const)].map(
      ([c, j]) => `| ${c.label} | ${j.theirs[c.key]} | ${j.ours[c.key]} | ${j.oursPrune[c.key]} |`,
    );
    const table = [
      "| case | OpenClaw 2026.7.1 `sessions cleanup --enforce` | `openclaw-sessions cleanup` | `openclaw-sessions cleanup --prune` |",
      "|---|---|---|---|",
      ...rows,
    ].join("\n");
    for (const file of ["README.md", path.join("docs", "cleanup-vs-openclaw.md")]) {
      const doc = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
      expect(doc, `regenerate the table in ${file}:\n${table}`).toContain(table);
    }
  });
});
