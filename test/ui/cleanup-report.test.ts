import { Chalk, type ChalkInstance } from "chalk";
import { describe, expect, it } from "vitest";
import { combinePatches } from "../../src/core/plan/combine.js";
import { planFinalize } from "../../src/core/plan/finalize.js";
import { planPrune } from "../../src/core/plan/prune.js";
import type { StoreRef } from "../../src/core/types.js";
import type { ApplyResult } from "../../src/store/writer/index.js";
import {
  renderCleanupReport,
  renderUndoReport,
  storeCleanup,
  type CleanupReport,
  type StoreCleanup,
  type StoreCleanupInput,
} from "../../src/ui/cleanup-report.js";
import { AGENTS_ROOT, DAY, HOUR, item, MIN, NOW, SEC } from "../core/plan/fixtures.js";

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });
const STORE: StoreRef = { agentId: "main", storePath: `${AGENTS_ROOT}/main/sessions/sessions.json`, era: "B" };
const POLICY = { mode: "enforce" as const, pruneAfterMs: 30 * DAY, maxEntries: 500 };

/** A dead running row, a live running row, an old finished row (with a transcript), a fresh one. */
function items() {
  return [
    item({
      key: "agent:main:dead",
      entry: { sessionId: "dead-1", status: "running", startedAt: NOW - 3 * HOUR, updatedAt: NOW - 3 * HOUR },
      transcript: { lastEntryAt: NOW - 3 * HOUR + 5 * SEC },
      lock: { owner: "dead", pid: 4321 },
      hb: { health: "unresponsive" },
    }),
    item({
      key: "agent:main:live",
      entry: { sessionId: "live-1", status: "running", startedAt: NOW - 2 * MIN, updatedAt: NOW - 2 * MIN },
      transcript: { lastEntryAt: NOW - 30 * SEC },
      lock: { owner: "alive", pid: 999 },
      hb: { health: "active", state: "tool_exec" },
    }),
    item({ key: "agent:main:old", entry: { sessionId: "old-1", status: "done", updatedAt: NOW - 45 * DAY }, transcript: { lastEntryAt: NOW - 45 * DAY } }),
    item({ key: "agent:main:fresh", entry: { sessionId: "fresh-1", status: "done", updatedAt: NOW - DAY } }),
  ];
}

function plans(mode: "enforce" | "warn" = "enforce") {
  const list = items();
  const finalize = planFinalize(list);
  const prune = planPrune(list, { now: NOW, policy: { ...POLICY, mode }, agentsRoot: AGENTS_ROOT, finalized: finalize.patches });
  return { finalize, prune, patches: combinePatches(finalize.patches, prune.patches) };
}

function input(more: Partial<StoreCleanupInput> = {}, mode: "enforce" | "warn" = "enforce"): StoreCleanupInput {
  return { store: STORE, plannedAt: NOW, beforeCount: 4, ...plans(mode), dryRun: true, ...more };
}

function applied(p: ReturnType<typeof plans>, extra: Partial<ApplyResult> = {}): ApplyResult {
  return {
    applied: p.patches.map((x) => ({
      sessionKey: x.sessionKey,
      sessionId: x.expect.sessionId,
      action: x.action,
      set: x.set ?? {},
      unset: [],
      previous: {},
      removed: !!x.remove,
      reasons: x.reasons,
    })),
    skipped: [],
    backupPath: `${STORE.storePath}.bak.1`,
    beforeCount: 4,
    afterCount: 3,
    overwritten: [],
    wrote: true,
    undoable: true,
    warnings: [],
    ...extra,
  };
}

function report(stores: StoreCleanup[], dryRun: boolean): CleanupReport {
  return {
    schemaVersion: 1,
    dryRun,
    generatedAt: NOW,
    stateDir: "/home/op/.openclaw",
    steps: { finalize: true, prune: true },
    policy: { ...POLICY, staleAfterMs: 600_000, runTimeoutMs: 48 * HOUR, activeKeys: [] },
    stores,
    refusedStores: [],
    warnings: [],
    exitCode: 0,
  };
}

describe("storeCleanup (the --json record of one store)", () => {
  it("a dry run lists finalize, prune and archive actions with statuses, lifecycle and the patch; keeps with reasons", () => {
    const st = storeCleanup(input());
    expect(st).toMatchObject({ agentId: "main", era: "B", beforeCount: 4, afterCount: 3, wrote: false, reportOnly: false, skipped: [], overwritten: [] });
    expect(st.actions.map((a) => `${a.action}:${a.sessionKey}`)).toEqual([
      "finalize:agent:main:dead",
      "prune:agent:main:old",
      "archive:agent:main:old",
    ]);
    const fin = st.actions[0]!;
    expect(fin).toMatchObject({ fromStatus: "running", toStatus: "failed", lifecycle: "failed", endedAt: NOW - 3 * HOUR + 5 * SEC, rule: "dead-owner" });
    // what OpenClaw's restart recovery writes for a dead owner: no runtimeMs
    expect(fin.set).toEqual({ status: "failed", endedAt: NOW - 3 * HOUR + 5 * SEC, updatedAt: NOW - 3 * HOUR + 5 * SEC, abortedLastRun: true });
    expect(st.actions[2]).toMatchObject({ from: `${AGENTS_ROOT}/main/sessions/old-1.jsonl`, to: expect.stringMatching(/old-1\.jsonl\.deleted\.2026-11-22T12-00-00\.000Z$/) });
    for (const a of st.actions) expect(a).not.toHaveProperty("applied");
    expect(st.kept.map((k) => `${k.sessionKey}:${k.rule}`)).toEqual(["agent:main:live:live"]);
  });

  it("an applied run marks what was written, what a gateway overwrote, and keeps the backup", () => {
    const p = plans();
    const st = storeCleanup({ ...input(), dryRun: false, result: applied(p, { overwritten: ["agent:main:dead"] }), archived: [] });
    expect(st).toMatchObject({ wrote: true, backupPath: `${STORE.storePath}.bak.1`, overwritten: ["agent:main:dead"], afterCount: 3 });
    expect(st.actions[0]).toMatchObject({ action: "finalize", applied: true, overwritten: true });
    expect(st.actions[1]).toMatchObject({ action: "prune", applied: true });
    expect(st.actions[1]).not.toHaveProperty("overwritten");
    // the file rename did not happen (not in `archived`): said so
    expect(st.actions[2]).toMatchObject({ action: "archive", applied: false, why: /not removed/ });
  });

  it("a failed write: nothing applied, every action says why, the counts are the file's", () => {
    const st = storeCleanup({ ...input(), dryRun: false, error: "could not write X: ENOSPC; X is unchanged" });
    expect(st).toMatchObject({ wrote: false, afterCount: 4, error: expect.stringMatching(/ENOSPC/) });
    expect(st).not.toHaveProperty("backupPath");
    for (const a of st.actions) expect(a).toMatchObject({ applied: false, why: expect.stringMatching(/ENOSPC/) });
  });

  it("a skipped change carries the writer's reason", () => {
    const p = plans();
    const result = applied(p);
    result.applied = result.applied.filter((c) => c.sessionKey !== "agent:main:dead");
    result.skipped = [{ sessionKey: "agent:main:dead", why: "changed since planned: updatedAt is 5, planned on 4" }];
    const st = storeCleanup({ ...input(), dryRun: false, result });
    expect(st.actions[0]).toMatchObject({ applied: false, why: "changed since planned: updatedAt is 5, planned on 4" });
    expect(st.skipped).toHaveLength(1);
  });

  it("warn mode: prune and archive are report-only, finalize is not; nothing is counted as removed", () => {
    const st = storeCleanup(input({}, "warn"));
    expect(st.reportOnly).toBe(true);
    expect(st.afterCount).toBe(4);
    expect(st.actions.map((a) => [a.action, !!a.reportOnly])).toEqual([
      ["finalize", false],
      ["prune", true],
      ["archive", true],
    ]);
  });
});

describe("renderCleanupReport", () => {
  it("ages are told from the clock each store was judged by (plannedAt), not the report's start", () => {
    const st = storeCleanup({ ...input(), plannedAt: NOW + HOUR });
    expect(st.plannedAt).toBe(NOW + HOUR);
    const out = renderCleanupReport(report([st], true), { chalk: plain });
    expect(out).toMatch(/finalize\s+agent:main:dead\s+running -> failed\s+failed\s+ended 3h59m ago/);
  });

  it("the action table: columns as wide as their widest cell, two spaces apart, colour never shifts them", () => {
    const colour = new Chalk({ level: 1 });
    const st = storeCleanup(input({}, "warn"));
    const table = (c: ChalkInstance) => {
      const lines = renderCleanupReport(report([st], true), { chalk: c }).split("\n");
      const at = lines.findIndex((l) => l.includes("Action"));
      return lines.slice(at, at + 1 + st.actions.length);
    };
    const plainRows = table(plain);
    expect(table(colour).map((l) => l.replace(/\u001b\[[0-9;]*m/g, ""))).toEqual(plainRows);
    expect(plainRows[0]).toMatch(/^Action +Key +Status +Lifecycle  When \/ archive$/);
    const keyCol = plainRows[0].indexOf("Key");
    // the widest action cell is "archive (report only)"; then the two-space gap
    expect(keyCol).toBe("archive (report only)".length + 2);
    for (const row of plainRows.slice(1)) {
      expect(row.slice(keyCol - 2, keyCol)).toBe("  ");
      expect(row.slice(keyCol)).toMatch(/^agent:main:/);
      expect(row).toBe(row.trimEnd());
    }
  });

  it("thousands of actions: each one matched to what the writer did (applied, skipped, overwritten) and reported", () => {
    const many = Array.from({ length: 6000 }, (_, i) =>
      item({ key: `agent:main:dead-${i}`, entry: { sessionId: `d-${i}`, status: "running", startedAt: NOW - 3 * HOUR, updatedAt: NOW - 3 * HOUR }, transcript: { lastEntryAt: NOW - 3 * HOUR + 5 * SEC } }),
    );
    const finalize = planFinalize(many);
    expect(finalize.patches).toHaveLength(6000);
    const patches = combinePatches(finalize.patches, []);
    const result = {
      applied: patches.map((x) => ({ sessionKey: x.sessionKey, sessionId: x.expect.sessionId, action: x.action, set: x.set ?? {}, unset: [], previous: {}, removed: false, reasons: x.reasons })),
      skipped: [{ sessionKey: "agent:main:dead-7", why: "changed since planned" }],
      backupPath: "/b",
      beforeCount: 6000,
      afterCount: 6000,
      overwritten: ["agent:main:dead-9"],
      wrote: true,
      undoable: true,
      warnings: [],
    } satisfies ApplyResult;
    result.applied = result.applied.filter((c) => c.sessionKey !== "agent:main:dead-7");
    const st = storeCleanup({ store: STORE, plannedAt: NOW, beforeCount: 6000, finalize, patches, dryRun: false, result });
    expect(st.actions).toHaveLength(6000);
    expect(st.actions.filter((a) => a.applied)).toHaveLength(5999);
    expect(st.actions.find((a) => a.sessionKey === "agent:main:dead-7")).toMatchObject({ applied: false, why: "changed since planned" });
    expect(st.actions.find((a) => a.sessionKey === "agent:main:dead-9")).toMatchObject({ applied: true, overwritten: true });
    for (const a of st.actions) expect(a.set).toMatchObject({ status: expect.any(String), endedAt: expect.any(Number) });
    const lines = renderCleanupReport(report([st], false), { chalk: plain }).split("\n");
    expect(lines.filter((l) => /^finalize  /.test(l))).toHaveLength(5998);
    expect(lines.filter((l) => /^finalize \(overwritten\)/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^finalize \(not done\)/.test(l))).toHaveLength(1);
  });

  it("reads like OpenClaw's cleanup: store header, Entries: A -> B (remove N), counts, an action table, then why", () => {
    const out = renderCleanupReport(report([storeCleanup(input())], true), { chalk: plain });
    const lines = out.split("\n");
    expect(lines.slice(0, 8)).toEqual([
      "Agent: main",
      `Session store: ${STORE.storePath} (era B)`,
      "Maintenance mode: enforce; pruneAfter 30d0h, maxEntries 500",
      "Entries: 4 -> 3 (remove 1)",
      "Would finalize stale runs: 1",
      "Would prune stale: 1",
      "Would cap overflow: 0",
      "Would archive files: 1",
    ]);
    expect(out).toContain("Planned session actions:");
    expect(out).toMatch(/Action\s+Key\s+Status\s+Lifecycle\s+When \/ archive/);
    expect(out).toMatch(/finalize\s+agent:main:dead\s+running -> failed\s+failed\s+ended 2h59m ago/);
    expect(out).toMatch(/prune\s+agent:main:old\s+done\s+updated 45d0h ago/);
    expect(out).toMatch(/archive\s+agent:main:old\s+-> old-1\.jsonl\.deleted\.2026-11-22T12-00-00\.000Z/);
    expect(out).toMatch(/Why:\n  agent:main:dead: finalize -> failed \(failed\) \[dead-owner\]\n    - lock owner pid 4321 is dead/);
    expect(out).toMatch(/Kept running \(1\):\n  agent:main:live \[live\]: lock owner pid 999 is alive/);
    expect(lines.at(-1)).toBe("Dry run: nothing was written.");
  });

  it("after applying: past tense, the backup and how to undo", () => {
    const p = plans();
    const st = storeCleanup({ ...input(), dryRun: false, result: applied(p), archived: [] });
    const out = renderCleanupReport(report([st], false), { chalk: plain, undoHint: (s) => `openclaw-sessions cleanup --undo --store ${s.storePath}` });
    expect(out).toContain("Finalized stale runs: 1");
    expect(out).toContain("Pruned stale: 1");
    expect(out).toContain("Archived files: 0");
    expect(out).toContain("Session actions:");
    expect(out).toContain(`Backup: ${STORE.storePath}.bak.1`);
    expect(out).toContain(`Undo: openclaw-sessions cleanup --undo --store ${STORE.storePath}`);
    expect(out).not.toContain("Dry run");
    expect(out).toMatch(/archive \(not done\)/);
  });

  it("a write the audit log does not record (it could not be written or read back): no undo hint, the backup is the way back", () => {
    const p = plans();
    const st = storeCleanup({ ...input(), dryRun: false, result: applied(p, { undoable: false }), archived: [] });
    expect(st.undoable).toBe(false);
    const out = renderCleanupReport(report([st], false), { chalk: plain, undoHint: (s) => `openclaw-sessions cleanup --undo --store ${s.storePath}` });
    expect(out).toContain(`Backup: ${STORE.storePath}.bak.1`);
    expect(out).toContain("Undo: not available (the audit log does not record this write, see the warning above); restore from the backup by hand");
    expect(out).not.toContain("cleanup --undo");
  });

  it("warn mode says how to apply; an overwrite and a failed write are spelled out", () => {
    const warn = renderCleanupReport(report([storeCleanup(input({}, "warn"))], true), { chalk: plain });
    expect(warn).toContain("Would prune stale (with --enforce): 1");
    expect(warn).toMatch(/prune \(report only\)\s+agent:main:old/);

    const p = plans();
    const over = renderCleanupReport(report([storeCleanup({ ...input(), dryRun: false, result: applied(p, { overwritten: ["agent:main:dead"] }) })], false), { chalk: plain });
    expect(over).toMatch(/finalize \(overwritten\)\s+agent:main:dead/);
    expect(over).toContain("The gateway overwrote 1 change(s) right after they were written: agent:main:dead.");

    const failed = renderCleanupReport(report([storeCleanup({ ...input(), dryRun: false, error: "could not write X: ENOSPC" })], false), { chalk: plain });
    expect(failed).toContain("Not written: could not write X: ENOSPC");
    expect(failed).toMatch(/finalize \(not done\)/);
    expect(failed).not.toContain("Backup:");
  });

  it("no ANSI at chalk level 0, colour at level 1; control characters from files are neutralised", () => {
    const st = storeCleanup(input());
    expect(renderCleanupReport(report([st], true), { chalk: plain })).not.toMatch(/\u001b\[/);
    expect(renderCleanupReport(report([st], true), { chalk: colour })).toMatch(/\u001b\[/);
    st.actions[0]!.sessionKey = "agent:main:\u001b[31mevil\nline";
    const out = renderCleanupReport(report([st], true), { chalk: plain });
    expect(out).not.toMatch(/\u001b/);
    expect(out).toContain("agent:main:\ufffd[31mevil\ufffdline");
  });

  it("an empty state dir says so", () => {
    expect(renderCleanupReport(report([], true), { chalk: plain })).toBe("No session stores found.");
  });
});

describe("a cleanup that lost a race to another (the index re-read under the locks is not the one planned on)", () => {
  /** 6,000 finalizes planned on a 6,667-entry index; the writer re-read 882 entries and applied none */
  function lostRace() {
    const many = Array.from({ length: 6000 }, (_, i) =>
      item({ key: `agent:main:dead-${i}`, entry: { sessionId: `d-${i}`, status: "running", startedAt: NOW - 3 * HOUR, updatedAt: NOW - 3 * HOUR }, transcript: { lastEntryAt: NOW - 3 * HOUR + 5 * SEC } }),
    );
    const finalize = planFinalize(many);
    const patches = combinePatches(finalize.patches, []);
    const skipped = patches.map((p, i) => ({
      sessionKey: p.sessionKey,
      why: i < 5000 ? "entry no longer exists" : `changed since planned: updatedAt is ${NOW + i}, planned on ${NOW - 3 * HOUR}`,
    }));
    const result = { applied: [], skipped, beforeCount: 882, afterCount: 882, overwritten: [], wrote: false, undoable: false, warnings: [] } satisfies ApplyResult;
    return storeCleanup({ store: STORE, plannedAt: NOW, beforeCount: 6667, finalize, patches, dryRun: false, result });
  }

  it("the counts are the re-read index's (882 -> 882), not the one planned on (6667)", () => {
    const st = lostRace();
    expect(st).toMatchObject({ wrote: false, beforeCount: 882, afterCount: 882 });
    expect(renderCleanupReport(report([st], false), { chalk: plain })).toContain("Entries: 882 -> 882 (remove 0)\n");
  });

  it("thousands of skipped changes: a line per reason with its count and a few keys, then run cleanup again; --json keeps every one", () => {
    const st = lostRace();
    expect(st.skipped).toHaveLength(6000);
    const lines = renderCleanupReport(report([st], false), { chalk: plain }).split("\n");
    expect(lines.filter((l) => l.startsWith("Skipped "))).toEqual(["Skipped 6000 planned changes:"]);
    const at = lines.indexOf("Skipped 6000 planned changes:");
    expect(lines.slice(at, at + 4)).toEqual([
      "Skipped 6000 planned changes:",
      "  5000 entry no longer exists (agent:main:dead-0, agent:main:dead-1, agent:main:dead-2, +4997 more)",
      "  1000 changed since planned (agent:main:dead-5000, agent:main:dead-5001, agent:main:dead-5002, +997 more)",
      "The index changed since it was read (another cleanup or the gateway wrote it): run cleanup again.",
    ]);
  });

  it("a few skipped changes: one line each with the writer's exact reason, then run cleanup again", () => {
    const p = plans();
    const result = applied(p);
    result.applied = result.applied.filter((c) => c.sessionKey !== "agent:main:dead");
    result.skipped = [{ sessionKey: "agent:main:dead", why: "changed since planned: updatedAt is 5, planned on 4" }];
    const out = renderCleanupReport(report([storeCleanup({ ...input(), dryRun: false, result })], false), { chalk: plain });
    expect(out).toContain(
      "Skipped agent:main:dead: changed since planned: updatedAt is 5, planned on 4\nThe index changed since it was read (another cleanup or the gateway wrote it): run cleanup again.",
    );
  });
});

describe("renderUndoReport", () => {
  it("partial: the head says how many files were not put back, each is a warning line once", () => {
    const out = renderUndoReport(
      {
        schemaVersion: 1,
        undo: true,
        exitCode: 0,
        refusedStores: [],
        stores: [
          {
            agentId: "main",
            storePath: "/s/main.json",
            outcome: "partial",
            restoredFrom: "/s/main.json.bak.1",
            backupPath: "/s/main.json.bak.2",
            beforeCount: 8,
            afterCount: 12,
            unarchived: [{ from: "/s/b.jsonl.deleted.2026-07-01T12-00-00.000Z", to: "/s/b.jsonl", done: false, why: "b.jsonl exists already" }],
            notRestored: [{ sessionKey: "k", file: "/s/b.jsonl", archive: "/s/b.jsonl.deleted.2026-07-01T12-00-00.000Z", why: "b.jsonl exists already" }],
            warnings: ["/s/b.jsonl not restored: b.jsonl exists already"],
          },
        ],
      },
      { chalk: plain },
    );
    expect(out.split("\n")).toEqual([
      "Agent main: /s/main.json: restored from /s/main.json.bak.1, but 1 session file was not put back (below)",
      "  Entries: 8 -> 12",
      "  The replaced index is kept as /s/main.json.bak.2 (run --undo again to go back to it)",
      "  Warning: /s/b.jsonl not restored: b.jsonl exists already",
    ]);
  });

  it("an undo the audit log does not record says the replaced index is restored by hand, not by --undo", () => {
    const store = { agentId: "main", storePath: "/s/main.json", outcome: "restored" as const, restoredFrom: "/s/main.json.bak.1", backupPath: "/s/main.json.bak.2", beforeCount: 1, afterCount: 2 };
    const render = (undoable: boolean) => renderUndoReport({ schemaVersion: 1, undo: true, exitCode: 0, refusedStores: [], stores: [{ ...store, undoable }] }, { chalk: plain });
    expect(render(true)).toContain("  The replaced index is kept as /s/main.json.bak.2 (run --undo again to go back to it)");
    expect(render(false)).toContain(
      "  The replaced index is kept as /s/main.json.bak.2 (the audit log does not record this undo, so --undo cannot go back to it: restore it by hand)",
    );
  });

  it("restored, nothing to undo, refused", () => {
    const out = renderUndoReport(
      {
        schemaVersion: 1,
        undo: true,
        exitCode: 4,
        refusedStores: [],
        stores: [
          {
            agentId: "main",
            storePath: "/s/main.json",
            outcome: "restored",
            restoredFrom: "/s/main.json.bak.1",
            backupPath: "/s/main.json.bak.2",
            beforeCount: 8,
            afterCount: 12,
            unarchived: [{ from: "/s/a.jsonl.deleted.2026-07-01T12-00-00.000Z", to: "/s/a.jsonl", done: true }],
          },
          { agentId: "ops", storePath: "/s/ops.json", outcome: "nothing", why: "no write by openclaw-sessions recorded in /a" },
          { agentId: "dev", storePath: "/s/dev.json", outcome: "refused", why: "/s/dev.json changed after openclaw-sessions wrote it" },
        ],
      },
      { chalk: plain },
    );
    expect(out.split("\n")).toEqual([
      "Agent main: /s/main.json: restored from /s/main.json.bak.1",
      "  Entries: 8 -> 12",
      "  Unarchived a.jsonl.deleted.2026-07-01T12-00-00.000Z -> a.jsonl",
      "  The replaced index is kept as /s/main.json.bak.2 (run --undo again to go back to it)",
      "Agent ops: /s/ops.json: nothing to undo (no write by openclaw-sessions recorded in /a)",
      "Agent dev: /s/dev.json: not undone: /s/dev.json changed after openclaw-sessions wrote it",
    ]);
  });
});

describe("renderCleanupReport: a live embedded run past the whole-run timeout", () => {
  it("is listed with the action that ends it (no status to repair)", () => {
    const hung = item({
      key: "agent:main:local-hung",
      entry: { sessionId: "hung-1", updatedAt: NOW - 3 * DAY },
      transcript: { lastEntryAt: NOW - 3 * DAY, lastRole: "user", lastMessageAt: NOW - 3 * DAY },
      lock: { owner: "alive", pid: 777, createdAt: NOW - 3 * DAY },
    });
    const finalize = planFinalize([hung]);
    expect(finalize.patches).toEqual([]);
    const prune = planPrune([hung], { now: NOW, policy: POLICY, agentsRoot: AGENTS_ROOT, finalized: [] });
    const st = storeCleanup({ store: STORE, plannedAt: NOW, beforeCount: 1, finalize, prune, patches: [], dryRun: true });
    const out = renderCleanupReport(report([st], true), { chalk: plain });
    expect(out).toMatch(/Kept running \(1\):\n  agent:main:local-hung \[no-status\]: lock owner pid 777 is alive .*stop pid 777/);
  });
});
