// `cleanup`'s behaviour, run in-process (the whole command line on buffers) on real state dirs in
// temp dirs, real lock owners, a fixed clock. Every expectation about the index is byte-exact.
// The built CLI's own runs (every exit code, faults, a second process) are under test/e2e.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_STATUSES } from "../../src/core/types.js";
import { event, indexPath, line, makeStateDir, trajectoryPath, transcriptPath, writeIndex, writeLock, writeTranscript, writeTrajectory } from "../fixtures/store-builder.js";
import { useOwners } from "../e2e/helpers/cli.js";
import { buildStore as buildKeepaliveStore, KEYS } from "../e2e/keepalive-fixture.js";
import { run as runCli, runJson } from "./helpers/run.js";
import {
  auditPathOf,
  buildMainStore,
  cliEnv,
  D,
  entry,
  expectedIndex,
  H,
  NOW,
  readIndexFile,
  STAMP,
  treeSnapshot,
  uuid,
  persistentDirs,
  type MainStore,
} from "../e2e/helpers/cleanup-store.js";

const { live, dead } = useOwners();

const ACTIVE = ["--active-key", "agent:main:pinned"];

function args(s: MainStore, ...more: string[]): string[] {
  return ["cleanup", "--state-dir", s.state, "--no-probe", ...ACTIVE, ...more];
}

describe("cleanup --dry-run", () => {
  it("prints the plan and writes nothing at all", async () => {
    const s = buildMainStore(live, dead);
    const env = cliEnv();
    const before = treeSnapshot(s.state);
    const outsideBefore = fs.readFileSync(s.outsideFile);
    const res = await runCli(args(s, "--dry-run"), { env });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(treeSnapshot(s.state)).toEqual(before);
    expect(fs.readFileSync(s.outsideFile).equals(outsideBefore)).toBe(true);
    expect(fs.existsSync(auditPathOf(env))).toBe(false);

    const out = res.stdout;
    expect(out).toContain(`Session store: ${s.index} (era A or B)`);
    expect(out).toContain("Entries: 12 -> 8 (remove 4)");
    expect(out).toContain("Would finalize stale runs: 4");
    expect(out).toContain("Would prune stale: 4");
    expect(out).toContain("Would archive files: 3");
    expect(out).toMatch(/finalize\s+agent:main:stale\s+running -> failed\s+failed\s+ended 2h59m ago/);
    expect(out).toMatch(/finalize\s+agent:main:drift-ok\s+running -> done\s+completed/);
    expect(out).toMatch(/prune\s+agent:main:old-done\s+done\s+updated 45d0h ago/);
    expect(out).toMatch(new RegExp(`archive\\s+agent:main:old-done\\s+-> ${s.ids.oldDone}\\.jsonl\\.deleted\\.${STAMP}`));
    // why each one was judged dead, and why the live one was kept
    expect(out).toMatch(/agent:main:stale: finalize -> failed \(failed\) \[dead-owner\]\n\s+- lock owner pid \d+ is (dead|gone)/);
    expect(out).toMatch(/Kept running \(1\):\n\s+agent:main:live \[live\]: lock owner pid \d+ is alive/);
    expect(out).toMatch(/agent:main:pinned: .*protected \(--active-key\)/);
    expect(out).toContain("Dry run: nothing was written.");
  });
});

describe("cleanup (apply)", () => {
  let s: MainStore;
  let env: Record<string, string>;
  let beforeBytes: Buffer;
  let beforeIndex: Record<string, Record<string, unknown>>;
  let beforeFiles: Record<string, Buffer>;
  let outsideStat: fs.Stats;
  let res: Awaited<ReturnType<typeof runJson>>;

  const dirs = persistentDirs();
  afterAll(() => dirs.cleanup());

  beforeAll(async () => {
    s = buildMainStore(live, dead, dirs.mk);
    env = cliEnv({}, dirs.mk);
    beforeBytes = fs.readFileSync(s.index);
    beforeIndex = readIndexFile(s.index);
    beforeFiles = Object.fromEntries(s.expected.archived.map((f) => [f, fs.readFileSync(f)]));
    outsideStat = fs.statSync(s.outsideFile);
    res = await runJson(args(s), { env });
  });

  it("exits 0 and leaves exactly the expected index: terminal patches, removals, every other byte kept", () => {
    expect(res.result.stderr).toBe("");
    expect(res.result.code).toBe(0);
    expect(fs.readFileSync(s.index, "utf8")).toBe(expectedIndex(beforeIndex, s.expected));
  });

  it("writes the gateway's own terminal fields and only OpenClaw's five statuses", () => {
    const after = readIndexFile(s.index);
    for (const [key, fields] of Object.entries(s.expected.finalized)) {
      for (const [f, v] of Object.entries(fields)) expect(after[key]![f], `${key}.${f}`).toEqual(v);
    }
    for (const e of Object.values(after)) if (e.status !== undefined) expect(STORE_STATUSES).toContain(e.status);
  });

  it("keeps unknown fields and key order; new fields go last", () => {
    const key = s.keys.stale!;
    const old = Object.keys(beforeIndex[key]!);
    const now = Object.keys(readIndexFile(s.index)[key]!);
    expect(now.slice(0, old.length)).toEqual(old);
    // a dead owner gets what restart recovery writes: endedAt, and no runtimeMs
    expect(now.slice(old.length)).toEqual(["endedAt"]);
    expect(readIndexFile(s.index)[key]!.zzVendorField).toEqual({ keep: [1, "two", null], note: "ünïcødé" });
    expect(Object.keys(readIndexFile(s.index))).toEqual(Object.keys(beforeIndex).filter((k) => !s.expected.removed.includes(k)));
  });

  it("leaves the live session, its lock and the protected entries untouched", () => {
    const after = readIndexFile(s.index);
    for (const k of [s.keys.live!, s.keys.group!, s.keys.chatType!, s.keys.pinned!, s.keys.freshDone!]) expect(after[k], k).toEqual(beforeIndex[k]);
    expect(fs.existsSync(`${transcriptPath(s.state, s.ids.live!)}.lock`)).toBe(true);
  });

  it("archives the evicted transcripts and trajectories under OpenClaw's names, and nothing else", () => {
    for (const f of s.expected.archived) {
      expect(fs.existsSync(f), f).toBe(false);
      expect(fs.readFileSync(`${f}.deleted.${STAMP}`).equals(beforeFiles[f]!), f).toBe(true);
    }
    const deleted = fs.readdirSync(s.dir).filter((n) => n.includes(".deleted."));
    expect(deleted.sort()).toEqual(s.expected.archived.map((f) => `${path.basename(f)}.deleted.${STAMP}`).sort());
  });

  it("never touches what an escaping sessionFile or symlink names", () => {
    const st = fs.statSync(s.outsideFile);
    expect(st.mtimeMs).toBe(outsideStat.mtimeMs);
    expect(fs.readdirSync(path.dirname(s.outsideFile)).sort()).toEqual(["escape.jsonl", "target.jsonl"]);
    const link = transcriptPath(s.state, s.ids.symlink!);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe(s.outsideTarget);
  });

  it("keeps a backup of the old index, an intent line and one audit line per change", () => {
    const store = res.doc.stores[0];
    expect(store.backupPath).toMatch(/sessions\.json\.bak\.\d+$/);
    expect(fs.readFileSync(store.backupPath).equals(beforeBytes)).toBe(true);
    const [intent, ...lines] = fs.readFileSync(auditPathOf(env), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(intent).toMatchObject({ kind: "intent", command: "cleanup", backupPath: store.backupPath });
    // stale, drift-ok, drift-err finalized; old-done, old-running (finalized AND removed: one change), escape, symlink removed
    expect(lines.map((l) => `${l.action}:${l.sessionKey}`).sort()).toEqual(
      [
        `finalize:${s.keys.stale}`,
        `finalize:${s.keys.driftOk}`,
        `finalize:${s.keys.driftErr}`,
        `prune:${s.keys.oldDone}`,
        `prune:${s.keys.oldRunning}`,
        `prune:${s.keys.escape}`,
        `prune:${s.keys.symlink}`,
      ].sort(),
    );
    expect(new Set(lines.map((l) => l.backupPath))).toEqual(new Set([store.backupPath]));
    expect(new Set([intent, ...lines].map((l) => l.writeId)).size).toBe(1);
    expect(lines.every((l) => l.command === "cleanup")).toBe(true);
  });

  it("--json has the documented shape", () => {
    const doc = res.doc;
    expect(doc).toMatchObject({ schemaVersion: 1, dryRun: false, steps: { finalize: true, prune: true }, exitCode: 0, refusedStores: [] });
    expect(doc.policy).toEqual({ mode: "enforce", pruneAfterMs: 30 * D, maxEntries: 500, staleAfterMs: 600_000, runTimeoutMs: 48 * H, activeKeys: ["agent:main:pinned"] });
    expect(doc.stores).toHaveLength(1);
    const st = doc.stores[0];
    expect(st).toMatchObject({ agentId: "main", storePath: s.index, era: "AB", beforeCount: 12, afterCount: 8, wrote: true, skipped: [], overwritten: [], refused: [] });
    for (const a of st.actions) {
      expect(["finalize", "prune", "cap", "archive"]).toContain(a.action);
      expect(typeof a.sessionKey).toBe("string");
      expect(typeof a.sessionId).toBe("string");
      expect(Array.isArray(a.reasons) && a.reasons.length > 0).toBe(true);
      expect(a.applied).toBe(true);
    }
    const byKey = (action: string, key: string) => st.actions.find((a: any) => a.action === action && a.sessionKey === key);
    expect(byKey("finalize", s.keys.stale!)).toMatchObject({
      sessionId: s.ids.stale,
      fromStatus: "running",
      toStatus: "failed",
      lifecycle: "failed",
      endedAt: NOW - 3 * H + 5_000,
      rule: "dead-owner",
      set: s.expected.finalized[s.keys.stale!],
    });
    expect(byKey("finalize", s.keys.driftErr!)).toMatchObject({ toStatus: "failed", lifecycle: "failed", rule: "run-ended" });
    expect(byKey("prune", s.keys.oldRunning!)).toMatchObject({ fromStatus: "running", toStatus: "failed", lifecycle: "failed", rule: "age" });
    expect(byKey("archive", s.keys.oldDone!)).toMatchObject({ from: s.expected.archived[0], to: `${s.expected.archived[0]}.deleted.${STAMP}` });
    expect(st.actions.filter((a: any) => a.action === "archive")).toHaveLength(3);
    expect(st.kept.map((k: any) => `${k.sessionKey}:${k.rule}`).sort()).toEqual(
      [`${s.keys.live}:live`, `${s.keys.group}:age`, `${s.keys.chatType}:age`, `${s.keys.pinned}:age`].sort(),
    );
  });

  it("a second run finds nothing to do and writes nothing", async () => {
    const bytes = fs.readFileSync(s.index);
    const again = await runJson(args(s), { env });
    expect(again.result.code).toBe(0);
    expect(again.doc.stores[0]).toMatchObject({ actions: [], wrote: false, beforeCount: 8, afterCount: 8 });
    expect(fs.readFileSync(s.index).equals(bytes)).toBe(true);
  });
});

describe("cleanup --undo", () => {
  it("restores the index byte-identical and puts the archived files back", async () => {
    const s = buildMainStore(live, dead);
    const env = cliEnv();
    const before = treeSnapshot(s.state);
    const applied = await runCli(args(s), { env });
    expect(applied.code).toBe(0);
    expect(treeSnapshot(s.state)).not.toEqual(before);

    const undo = await runJson(["cleanup", "--undo", "--state-dir", s.state], { env });
    expect(undo.result.stderr).toBe("");
    expect(undo.result.code).toBe(0);
    expect(undo.doc.stores[0]).toMatchObject({ outcome: "restored", beforeCount: 8, afterCount: 12 });
    expect(undo.doc.stores[0].unarchived.map((u: any) => u.to).sort()).toEqual([...s.expected.archived].sort());
    const after = treeSnapshot(s.state);
    // everything as before, plus our backups of each version
    const backups = Object.keys(after).filter((k) => /sessions\.json\.bak\.\d+$/.test(k));
    expect(backups).toHaveLength(2);
    for (const b of backups) delete after[b];
    expect(after).toEqual(before);
  });

  it("undone twice: the prune again, its files archived again under the prune's names; a third time: back again", async () => {
    const s = buildMainStore(live, dead);
    const env = cliEnv();
    const original = treeSnapshot(s.state);
    expect((await runCli(args(s), { env })).code).toBe(0);
    const pruned = treeSnapshot(s.state);
    const withoutBackups = (tree: Record<string, unknown>) => Object.fromEntries(Object.entries(tree).filter(([k]) => !/sessions\.json\.bak\.\d+$/.test(k)));

    expect((await runJson(["cleanup", "--undo", "--state-dir", s.state], { env })).result.code).toBe(0);
    expect(withoutBackups(treeSnapshot(s.state))).toEqual(original);

    const again = await runJson(["cleanup", "--undo", "--state-dir", s.state], { env });
    expect(again.result.code).toBe(0);
    expect(again.doc.stores[0]).toMatchObject({ outcome: "restored", beforeCount: 12, afterCount: 8, unarchived: [] });
    const archived: Array<{ from: string; done: boolean; why?: string }> = again.doc.stores[0].archived;
    expect(archived.filter((a) => a.done).map((a) => a.from).sort()).toEqual([...s.expected.archived].sort());
    // as the prune: the symlink is never renamed, and the file outside the agents tree not even tried
    expect(archived.filter((a) => !a.done)).toEqual([expect.objectContaining({ from: path.join(path.dirname(s.index), `${s.ids.symlink}.jsonl`), why: "a symbolic link: never renamed" })]);
    // byte for byte the pruned tree: index, archives under the same names, the kept sessions' files
    expect(withoutBackups(treeSnapshot(s.state))).toEqual(withoutBackups(pruned));

    const text = await runCli(["cleanup", "--undo", "--state-dir", s.state], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Entries: 8 -> 12\n\s+Unarchived /);
    expect(withoutBackups(treeSnapshot(s.state))).toEqual(original);
  });

  it("refuses when the index changed since our write, says what to do, and changes nothing", async () => {
    const s = buildMainStore(live, dead);
    const env = cliEnv();
    expect((await runCli(args(s), { env })).code).toBe(0);
    // the gateway writes meanwhile
    const idx = readIndexFile(s.index);
    idx[s.keys.live!]!.updatedAt = NOW + 1000;
    fs.writeFileSync(s.index, JSON.stringify(idx, null, 2));
    const changed = fs.readFileSync(s.index);

    const undo = await runCli(["cleanup", "--undo", "--state-dir", s.state], { env });
    expect(undo.code).toBe(4);
    expect(undo.stderr).toMatch(/changed after openclaw-sessions wrote it/);
    expect(undo.stderr).toMatch(/sessions\.json\.bak\.\d+: inspect it and restore by hand/);
    expect(undo.stdout).toMatch(/not undone/);
    expect(fs.readFileSync(s.index).equals(changed)).toBe(true);
  });

  it("after keepalive touched the index: refused, naming keepalive's touch; the finalize and the touch both stay", async () => {
    const fx = buildKeepaliveStore(live, dead);
    const at = ["--state-dir", fx.state, "--no-probe"];
    expect((await runCli(["cleanup", "--finalize-stale", ...at], { env: fx.env })).code).toBe(0);
    expect(readIndexFile(fx.index)[KEYS.dead]!.status).toBe("failed");
    expect((await runCli(["keepalive", "--once", ...at], { env: fx.env })).code).toBe(0);
    const touched = fs.readFileSync(fx.index);

    const undo = await runCli(["cleanup", "--undo", "--state-dir", fx.state], { env: fx.env });
    expect(undo.code).toBe(4);
    expect(undo.stderr).toMatch(/the cleanup write an undo would put back, cleanup's apply at \S+Z, was followed by keepalive's touch at \S+Z, the last write of .*; a cleanup write cannot be undone once the index changed after it/);
    expect(undo.stdout).not.toMatch(/restored/i);
    expect(fs.readFileSync(fx.index).equals(touched)).toBe(true);
  });

  it("after only keepalive's touches (no cleanup write of that index on record): nothing to undo, naming the touch, exit 4; nothing written", async () => {
    const fx = buildKeepaliveStore(live, dead);
    const at = ["--state-dir", fx.state, "--no-probe"];
    expect((await runCli(["keepalive", "--once", ...at], { env: fx.env })).code).toBe(0);
    const touched = fs.readFileSync(fx.index);

    const undo = await runCli(["cleanup", "--undo", ...at], { env: fx.env });
    expect(undo.code).toBe(4);
    expect(undo.stderr).toMatch(
      new RegExp(`^openclaw-sessions: no cleanup write of this index recorded in ${auditPathOf(fx.env)}; its last write there, keepalive's touch at \\S+Z, is not one cleanup --undo undoes\n$`),
    );
    expect(undo.stderr).not.toMatch(/cannot be undone/);
    const json = await runJson(["cleanup", "--undo", ...at], { env: fx.env });
    expect(json.doc).toMatchObject({ exitCode: 4, stores: [{ agentId: "main", outcome: "nothing", why: expect.stringContaining("keepalive's touch at") }] });
    expect(fs.readFileSync(fx.index).equals(touched)).toBe(true);
  });

  it("over two agents, one undone and one with nothing to undo: exit 0, the nothing said in its agent's report line only, stderr empty", async () => {
    const state = makeStateDir("ocs-undo-two-");
    writeIndex(state, "main", { "agent:main:old": { sessionId: uuid(1), updatedAt: NOW - 60 * D, status: "done" } });
    writeIndex(state, "ops", { "agent:ops:new": { sessionId: uuid(2), updatedAt: NOW - H, status: "done" } });
    const env = cliEnv();
    const applied = await runJson(["cleanup", "--state-dir", state, "--no-probe"], { env });
    expect(applied.result.code, applied.result.stderr).toBe(0);
    expect(applied.doc.stores.map((st: any) => [st.agentId, st.wrote])).toEqual([["main", true], ["ops", false]]);

    const undo = await runCli(["cleanup", "--undo", "--state-dir", state], { env });
    expect(undo.code).toBe(0);
    expect(undo.stderr).toBe("");
    expect(undo.stdout).toMatch(/^Agent main: .*: restored from /m);
    expect(undo.stdout).toMatch(/^Agent ops: .*: nothing to undo \(no write by openclaw-sessions recorded in /m);
  });

  it("with nothing recorded: says so, exit 4, nothing written", async () => {
    const s = buildMainStore(live, dead);
    const before = treeSnapshot(s.state);
    const undo = await runCli(["cleanup", "--undo", "--state-dir", s.state], { env: cliEnv() });
    expect(undo.code).toBe(4);
    expect(undo.stderr).toMatch(/no write by openclaw-sessions recorded/);
    expect(treeSnapshot(s.state)).toEqual(before);
  });
});

describe("policy", () => {
  it("warn mode finalizes but only reports prunes; --enforce prunes", async () => {
    const s = buildMainStore(live, dead);
    fs.writeFileSync(path.join(s.state, "openclaw.json"), `{ session: { maintenance: { mode: "warn" } } }`);
    const env = cliEnv();
    const beforeIndex = readIndexFile(s.index);
    const warn = await runJson(args(s), { env });
    expect(warn.result.code).toBe(0);
    expect(warn.doc.policy.mode).toBe("warn");
    const st = warn.doc.stores[0];
    expect(st).toMatchObject({ reportOnly: true, beforeCount: 12, afterCount: 12 });
    const prunes = st.actions.filter((a: any) => a.action === "prune" || a.action === "archive");
    expect(prunes.length).toBe(7);
    for (const a of prunes) expect(a).toMatchObject({ reportOnly: true });
    expect(prunes.some((a: any) => "applied" in a)).toBe(false);
    // old-running is finalized (a repair), but stays in the index
    expect(fs.readFileSync(s.index, "utf8")).toBe(
      expectedIndex(beforeIndex, {
        finalized: { ...s.expected.finalized, [s.keys.oldRunning!]: { status: "failed", endedAt: NOW - 40 * D + 3000, updatedAt: NOW - 40 * D + 3000, abortedLastRun: true } },
        removed: [],
      }),
    );
    expect(fs.readdirSync(s.dir).filter((n) => n.includes(".deleted."))).toEqual([]);
    const human = await runCli(args(s, "--dry-run"), { env });
    expect(human.stdout).toContain("Maintenance mode: warn (report only: pass --enforce to prune)");
    expect(human.stdout).toContain("Would prune stale (with --enforce): 4");

    const enforced = await runJson(args(s, "--enforce"), { env });
    expect(enforced.result.code).toBe(0);
    expect(enforced.doc.stores[0]).toMatchObject({ reportOnly: false, afterCount: 8 });
    for (const k of s.expected.removed) expect(readIndexFile(s.index)[k]).toBeUndefined();
  });

  it("config pruneAfter in OpenClaw's syntax, overridden by --prune-after", async () => {
    const s = buildMainStore(live, dead);
    fs.writeFileSync(path.join(s.state, "openclaw.json"), `{ session: { maintenance: { pruneAfter: "47d", maxEntries: 100 } } }`);
    const env = cliEnv();
    const cfg = await runJson(args(s, "--prune", "--dry-run"), { env });
    expect(cfg.doc.policy).toMatchObject({ pruneAfterMs: 47 * D, maxEntries: 100 });
    // 47 days spares old-done (45 d) but not escape / symlink (50 d); running rows are never pruned
    expect(cfg.doc.stores[0].actions.filter((a: any) => a.action === "prune").map((a: any) => a.sessionKey).sort()).toEqual([s.keys.escape, s.keys.symlink].sort());
    // a bare number is refused on the flag (the config reads it as days, other flags as minutes)
    const bare = await runCli(args(s, "--prune", "--dry-run", "--prune-after", "35"), { env });
    expect(bare.code).toBe(64);
    expect(bare.stderr).toContain('--prune-after must be a duration with a unit like 30d, 12h or 1h30m (a bare number is refused) (got "35")');
    const flag = await runJson(args(s, "--prune", "--dry-run", "--prune-after", "35d"), { env });
    expect(flag.doc.policy.pruneAfterMs).toBe(35 * D);
    expect(flag.doc.stores[0].actions.filter((a: any) => a.action === "prune").map((a: any) => a.sessionKey).sort()).toEqual(
      [s.keys.oldDone, s.keys.escape, s.keys.symlink].sort(),
    );
    expect(flag.doc.stores[0].kept.find((k: any) => k.sessionKey === s.keys.oldRunning)?.reasons.join(" ")).toMatch(/status is running: never evicted/);
  });

  it("--max-entries caps the oldest finished entries and never a live, running or protected one", async () => {
    const s = buildMainStore(live, dead);
    const env = cliEnv();
    const beforeIndex = readIndexFile(s.index);
    const res = await runJson(args(s, "--max-entries", "2"), { env });
    expect(res.result.code).toBe(0);
    const st = res.doc.stores[0];
    const capped = st.actions.filter((a: any) => a.action === "cap").map((a: any) => a.sessionKey);
    // finalized in this run, then capped oldest first: stale (3 h), drift-ok (2 h), drift-err (1 h), fresh-done (1 d)
    expect(capped.sort()).toEqual([s.keys.stale, s.keys.driftOk, s.keys.driftErr, s.keys.freshDone].sort());
    const after = readIndexFile(s.index);
    expect(Object.keys(after).sort()).toEqual([s.keys.live, s.keys.group, s.keys.chatType, s.keys.pinned].sort());
    expect(after[s.keys.live!]).toEqual(beforeIndex[s.keys.live!]);
    expect(st.warnings.join(" ")).toMatch(/4 entries remain, 2 over maxEntries 2: the rest are running, live or protected/);
  });
});

describe("refusals", () => {
  it("no store to act on (an empty state dir, a misspelled --agent): exit 3 saying why, as status --check does, in every mode; --undo too", async () => {
    const empty = makeStateDir("ocs-cleanup-nothing-");
    const s = buildMainStore(live, dead);
    const before = treeSnapshot(s.state);
    const why = {
      empty: `no session index under ${path.join(empty, "agents")} (check --state-dir or OPENCLAW_STATE_DIR)`,
      nosuch: /agent nosuch has no session store: .*; agents in .*: main/,
    };
    for (const [where, extra] of [
      [["--state-dir", empty], []],
      [["--state-dir", empty], ["--dry-run"]],
      [["--state-dir", empty], ["--json"]],
      [["--state-dir", empty], ["--dry-run", "--json"]],
      [["--state-dir", s.state, "--agent", "nosuch"], []],
      [["--state-dir", s.state, "--agent", "nosuch"], ["--json"]],
    ]) {
      const res = await runCli(["cleanup", "--no-probe", ...where, ...extra], { env: cliEnv() });
      const label = [...where, ...extra].join(" ");
      expect(res.code, label).toBe(3);
      const line = res.stderr.split("\n").filter(Boolean);
      expect(line, label).toHaveLength(1);
      if (where[1] === empty) expect(line[0]).toBe(`openclaw-sessions: nothing to clean up: ${why.empty}`);
      else expect(line[0]).toMatch(new RegExp(`^openclaw-sessions: nothing to clean up: ${why.nosuch.source}`));
      if (extra.includes("--json")) expect(JSON.parse(res.stdout)).toMatchObject({ stores: [], refusedStores: [], exitCode: 3 });
      else expect(res.stdout).toBe("No session stores found.\n");
    }
    for (const where of [["--state-dir", empty], ["--state-dir", s.state, "--agent", "nosuch"]]) {
      const undo = await runCli(["cleanup", "--undo", "--no-probe", ...where], { env: cliEnv() });
      expect(undo.code, where.join(" ")).toBe(3);
      expect(undo.stderr).toMatch(/^openclaw-sessions: nothing to undo: /);
      const json = await runJson(["cleanup", "--undo", "--no-probe", ...where], { env: cliEnv() });
      expect(json.doc).toMatchObject({ undo: true, stores: [], refusedStores: [], exitCode: 3 });
    }
    expect(treeSnapshot(s.state)).toEqual(before);
  });

  it("era C of an unsupported schema version: refused with why, exit 3 (--undo: nothing to undo, 4), writes nothing", async () => {
    const state = makeStateDir("ocs-cleanup-erac-");
    const db = path.join(state, "agents", "main", "agent", "openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.copyFileSync(path.join(import.meta.dirname, "..", "store", "fixtures", "era", "era-c.sqlite"), db);
    // a leftover legacy index: must not be rewritten (the era C gateway refuses to start while it exists)
    const legacy = writeIndex(state, "main", { "agent:main:main": entry({ sessionId: uuid(1), updatedAt: NOW - 60 * D, status: "running" }) });
    const before = treeSnapshot(state);
    for (const extra of [[], ["--json"]]) {
      const res = await runCli(["cleanup", "--state-dir", state, "--no-probe", ...extra], { env: cliEnv() });
      expect(res.code, extra.join(" ")).toBe(3);
      expect(res.stderr).toMatch(/unsupported store version.*nothing was written/);
      // every store refused: stderr says why; the text report is not an empty line
      if (extra.length === 0) expect(res.stdout).toBe("");
      expect(treeSnapshot(state)).toEqual(before);
    }
    const undo = await runCli(["cleanup", "--state-dir", state, "--undo"], { env: cliEnv() });
    expect(undo.code).toBe(4);
    expect(undo.stdout).toBe("");
    expect(undo.stderr).toMatch(/OpenClaw 2026\.8\+ SQLite store, which openclaw-sessions never writes, so there is nothing to undo/);
    expect(treeSnapshot(state)).toEqual(before);
    expect(fs.existsSync(legacy)).toBe(true);
  });

  it("a corrupt index is refused untouched (exit 3) while a healthy agent beside it is cleaned", async () => {
    const state = makeStateDir("ocs-cleanup-corrupt-");
    const bad = indexPath(state, "main");
    fs.mkdirSync(path.dirname(bad), { recursive: true });
    const torn = '{\n  "agent:main:main": {\n    "sessionId": "abc",\n    "updatedAt": 17';
    fs.writeFileSync(bad, torn);
    const id = uuid(2);
    writeIndex(state, "ops", { "agent:ops:main": entry({ sessionId: id, updatedAt: NOW - 2 * H, status: "running", startedAt: NOW - 2 * H }) });
    const tx = transcriptPath(state, id, "ops");
    writeTranscript(tx, [line.header(id, NOW - 2 * H), line.user(NOW - 2 * H + 1000)]);
    writeLock(`${tx}.lock`, { pid: dead.pid, starttime: dead.starttime, createdAt: NOW - 2 * H });
    const mainDir = treeSnapshot(path.dirname(bad));
    const refusal = /^openclaw-sessions: session index .* is not valid JSON at 4:\d+; nothing was read or written\n$/;

    // the dry runs read and plan store by store: the refusal is found mid-way, said once, and
    // still lands in the document's refusedStores and exit code (written after the stores)
    const dryJson = await runJson(["cleanup", "--dry-run", "--state-dir", state, "--no-probe"], { env: cliEnv() });
    expect(dryJson.result.code).toBe(3);
    expect(dryJson.result.stderr).toMatch(refusal);
    expect(dryJson.doc).toMatchObject({ exitCode: 3, refusedStores: [expect.objectContaining({ agentId: "main", storePath: bad })] });
    expect(dryJson.doc.stores.map((st: { agentId: string }) => st.agentId)).toEqual(["ops"]);
    expect(dryJson.doc.stores[0].plannedAt).toBe(NOW);
    const dryText = await runCli(["cleanup", "--dry-run", "--state-dir", state, "--no-probe"], { env: cliEnv() });
    expect(dryText.code).toBe(3);
    expect(dryText.stderr).toMatch(refusal);
    expect(dryText.stdout).toMatch(/^Agent: ops\n/);
    expect(dryText.stdout).toMatch(/Dry run: nothing was written\.\n$/);
    expect(dryText.stdout).not.toContain("Agent: main");

    const res = await runJson(["cleanup", "--state-dir", state, "--no-probe"], { env: cliEnv() });
    expect(res.result.code).toBe(3);
    expect(res.result.stderr).toMatch(refusal);
    expect(res.result.stderr).toContain(bad);
    expect(fs.readFileSync(bad, "utf8")).toBe(torn);
    expect(treeSnapshot(path.dirname(bad))).toEqual(mainDir);
    expect(res.doc.refusedStores).toEqual([expect.objectContaining({ agentId: "main", storePath: bad })]);
    expect(readIndexFile(indexPath(state, "ops"))["agent:ops:main"]!.status).toBe("failed");
  });

  it("bad usage exits 64 before reading anything", async () => {
    const state = makeStateDir("ocs-cleanup-usage-");
    const contradictions = [
      ["--finalize-stale", "--prune"],
      ["--finalize-stale", "--prune-after", "7d"],
      ["--finalize-stale", "--max-entries", "10"],
      ["--finalize-stale", "--enforce"],
      ["--finalize-stale", "--active-key", "agent:main:main"],
      ["--prune", "--stale-after", "5m"],
      ["--agent", "main", "--all-agents"],
      ["--store", path.join(state, "x.json"), "--all-agents"],
    ];
    for (const bad of [["--stale-after", "soon"], ["--prune-after", "-1"], ["--max-entries", "0"], ["--undo", "--dry-run"], ...contradictions]) {
      const res = await runCli(["cleanup", "--state-dir", state, ...bad], { env: cliEnv() });
      expect(res.code, bad.join(" ")).toBe(64);
      expect(res.stderr).toMatch(/^openclaw-sessions: /);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe("the outcome table follows the store's era", () => {
  it("an era A store (config of 2026.4.26) is finalized by the 2026.4 table, not the 'version unknown' one", async () => {
    const s = buildMainStore(live, dead);
    fs.writeFileSync(path.join(s.state, "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: "2026.4.26" } }));
    const res = await runJson(["cleanup", "--state-dir", s.state, "--no-probe", "--finalize-stale", "--dry-run", "--json"], { env: cliEnv() });
    const reasons = res.doc.stores[0].actions.filter((a: any) => a.action === "finalize").flatMap((a: any) => a.reasons).join("\n");
    expect(reasons).toMatch(/era A store \(OpenClaw 2026\.4 or older\)/);
    expect(reasons).not.toMatch(/OpenClaw version unknown/);
  });

  it("a --timeout run killed after abortedLastRun was set (version unknown): timeout, and the flag the gateway set is kept", async () => {
    // the 2026.4.26 row an interop run caught: running + abortedLastRun, session.ended(interrupted, timedOut)
    const state = makeStateDir();
    const id = uuid(7);
    const key = "agent:main:tmo";
    const start = NOW - H;
    const end = start + 14_000;
    const spec = { runId: "run-tmo", sessionId: id, sessionKey: key };
    writeTrajectory(trajectoryPath(state, id), [
      event("session.started", start, { ...spec, seq: 1 }),
      event("prompt.submitted", start + 1_000, { ...spec, seq: 2 }),
      event("session.ended", end, { ...spec, seq: 3, data: { status: "interrupted", timedOut: true } }),
    ]);
    writeTranscript(transcriptPath(state, id), [line.header(id, start - 1_000), line.user(start, "wait for it")]);
    writeIndex(state, "main", { [key]: entry({ sessionId: id, updatedAt: start + 5_000, status: "running", startedAt: start, abortedLastRun: true }) });
    const res = await runCli(["cleanup", "--state-dir", state, "--no-probe", "--finalize-stale"], { env: cliEnv() });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(readIndexFile(indexPath(state))[key]).toMatchObject({ status: "timeout", abortedLastRun: true, endedAt: end, runtimeMs: 14_000, updatedAt: end });
  });
});
