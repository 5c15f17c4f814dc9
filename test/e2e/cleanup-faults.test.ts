// Faults pushed into the BUILT CLI: a full disk and short writes (OPENCLAW_SESSIONS_FAULT), and
// SIGKILL during 9 applies: inside the write (before the rename), right after the rename (before
// the archives, audit and report), and at random moments.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sessionsDir } from "../fixtures/store-builder.js";
import { assertBuilt, nameAppears, runCli, runJson, spawnCli, useOwners } from "./helpers/cli.js";
import { auditPathOf, buildMainStore, buildStaggeredStore, cliEnv, expectedIndex, readIndexFile, treeSnapshot, type Index } from "./helpers/cleanup-store.js";

const { live, dead } = useOwners();

const ACTIVE = ["--active-key", "agent:main:pinned"];

describe("OPENCLAW_SESSIONS_FAULT through the real CLI", () => {
  it.each([[[]], [["--json"]]])("enospc %j: clear error, exit 4, index and every file byte-identical, no temp", async (extra) => {
    const s = buildMainStore(live, dead);
    const env = cliEnv({ OPENCLAW_SESSIONS_FAULT: "enospc" });
    const before = treeSnapshot(s.state);
    const res = await runCli(["cleanup", "--state-dir", s.state, "--no-probe", ...ACTIVE, ...extra], { env });
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(new RegExp(`^openclaw-sessions: could not write ${s.index} \\(temp file sessions\\.json\\.\\d+\\.[0-9a-f-]+\\.tmp\\): ENOSPC: no space left on device, write; ${s.index} is unchanged\\n$`));
    expect(res.stderr).not.toMatch(/\n\s+at /);
    // nothing at all: no temp, no backup, no archive
    expect(treeSnapshot(s.state)).toEqual(before);
    expect(fs.existsSync(auditPathOf(env)) ? fs.readFileSync(auditPathOf(env), "utf8") : "").toBe("");
    if (extra.length) {
      const st = JSON.parse(res.stdout).stores[0];
      expect(st).toMatchObject({ wrote: false, afterCount: 12, error: expect.stringMatching(/ENOSPC/) });
      expect(st.actions.every((a: any) => a.applied === false && /ENOSPC/.test(a.why))).toBe(true);
    } else {
      expect(res.stdout).toContain("Not written: could not write");
      expect(res.stdout).not.toContain("Backup:");
    }
  });

  it("short-write: every write call is cut in half and continued: the index is complete and correct, no temp left", async () => {
    const s = buildMainStore(live, dead);
    const beforeIndex = readIndexFile(s.index);
    const res = await runJson(["cleanup", "--state-dir", s.state, "--no-probe", ...ACTIVE], { env: cliEnv({ OPENCLAW_SESSIONS_FAULT: "short-write" }) });
    expect(res.result.stderr).toBe("");
    expect(res.result.code).toBe(0);
    expect(fs.readFileSync(s.index, "utf8")).toBe(expectedIndex(beforeIndex, s.expected));
    expect(fs.readdirSync(s.dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});

describe("kill -9 during 9 cleanup applies", () => {
  it("the index always parses and is exactly the old or the new version", async () => {
    assertBuilt();
    // 9 rounds (was 50 random, then 15): the two moments that matter are hit on purpose, three
    // times each, and three kills stay random (whatever else a run is doing); the writer's own
    // kill test (test/store/writer/kill.test.ts) adds random and in-write kills of many more writes
    const ROUNDS = 9;
    const store = buildStaggeredStore(ROUNDS, dead);
    const dir = sessionsDir(store.state);
    const env = cliEnv({ OPENCLAW_SESSIONS_FAULT: "slow-rename:150" });
    /** what round j writes when it completes: every entry up to j that is still running, finalized */
    const newVersion = (old: Index, j: number): string => {
      const next = structuredClone(old);
      store.keys.forEach((key, i) => {
        if (i <= j && next[key]!.status === "running") Object.assign(next[key]!, store.finalizedFields(i));
      });
      return JSON.stringify(next, null, 2);
    };
    const tally = { unchanged: 0, changed: 0, kills: 0, emptyGatewayLocks: 0, killedBeforeRename: 0 };
    const temps = new Set<string>();
    // Kills land at random moments of a run as long as this machine makes a run take, not of a
    // fixed 900 ms: on a loaded machine the CLI may need longer than that just to start, and then
    // every kill would land before the write. The window follows the longest uninterrupted run.
    let windowMs = 900;
    for (let j = 0; j < ROUNDS; j++) {
      const before = fs.readFileSync(store.index, "utf8");
      const startedAt = Date.now();
      const moment = (["temp file", "rename", "random"] as const)[j % 3];
      // watching before the run starts, so its first change is seen
      const seen = moment === "random" ? undefined : nameAppears(dir, moment === "temp file" ? (n) => n.endsWith(".tmp") : (n) => n === "sessions.json");
      const run = spawnCli(["cleanup", "--finalize-stale", "--state-dir", store.state, "--no-probe"], { ...env, OPENCLAW_SESSIONS_NOW: String(store.runNow(j)) });
      let timer: NodeJS.Timeout | undefined;
      if (seen) void seen.promise.then(() => run.child.kill("SIGKILL"));
      else timer = setTimeout(() => run.child.kill("SIGKILL"), Math.random() * windowMs);
      const { code, signal } = await run.exited;
      clearTimeout(timer);
      seen?.close();
      if (signal === "SIGKILL") tally.kills++;
      else {
        expect(code, run.stderr()).toBe(0);
        windowMs = Math.max(windowMs, (Date.now() - startedAt) * 1.2);
      }

      const after = fs.readFileSync(store.index, "utf8");
      expect(() => JSON.parse(after), `round ${j}`).not.toThrow();
      const expected = newVersion(JSON.parse(before) as Index, j);
      expect([before, expected], `round ${j}`).toContain(after);
      if (after === before && expected !== before) tally.unchanged++;
      else tally.changed++;

      // every backup is a whole earlier version
      for (const f of fs.readdirSync(dir).filter((n) => n.startsWith("sessions.json.bak."))) {
        expect(() => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")), f).not.toThrow();
      }
      // crash leftovers are of the kinds OpenClaw removes (its temp naming) or that we take over
      for (const t of fs.readdirSync(dir).filter((n) => n.endsWith(".tmp"))) {
        expect(t).toMatch(/^sessions\.json\.\d+\.[0-9a-f-]{36}\.tmp$/);
        if (!temps.has(t) && moment === "temp file") tally.killedBeforeRename++;
        temps.add(t);
      }
      const gwLock = `${store.index}.lock`;
      if (fs.existsSync(gwLock) && fs.readFileSync(gwLock, "utf8") === "") {
        // killed between creating the era A lock and writing its body: OpenClaw (and we) wait 30 s for such a lock
        tally.emptyGatewayLocks++;
        const old = new Date(Date.now() - 31_000);
        fs.utimesSync(gwLock, old, old);
      }
      const ownLock = `${fs.realpathSync(store.index)}.openclaw-sessions.lock`;
      if (fs.existsSync(ownLock) && !fs.existsSync(`${ownLock}.owner`)) {
        // killed before naming itself: the lock goes stale after 4 s; let that time pass
        const old = new Date(Date.now() - 10_000);
        fs.utimesSync(ownLock, old, old);
      }
    }
    expect(tally.kills).toBeGreaterThanOrEqual(5);
    expect(tally.unchanged).toBeGreaterThan(0);
    expect(tally.changed).toBeGreaterThan(0);
    // not vacuous: kills did land between a verified temp file and its rename
    expect(tally.killedBeforeRename).toBeGreaterThan(0);

    // an uninterrupted run takes over what the dead ones left and finishes the job
    const last = await runJson(["cleanup", "--finalize-stale", "--state-dir", store.state, "--no-probe"], { env: { ...env, OPENCLAW_SESSIONS_NOW: String(store.runNow(ROUNDS - 1)) } });
    expect(last.result.stderr).toBe("");
    expect(last.result.code).toBe(0);
    const final = readIndexFile(store.index);
    store.keys.forEach((key, i) => expect(final[key]).toMatchObject(store.finalizedFields(i)));
    console.info("kill -9 cleanup test:", { ...tally, tempsLeft: temps.size });
  }, 240_000);
});

describe("kill -9 during a cleanup --undo", () => {
  it("the archives go back before the index names them again: killed before its rename, the index is the pruned one and the files are back; a second --undo finishes the job", async () => {
    const s = buildMainStore(live, dead);
    const env = cliEnv();
    const original = treeSnapshot(s.state);
    const pruned = await runJson(["cleanup", "--state-dir", s.state, "--no-probe", ...ACTIVE], { env });
    expect(pruned.result.code, pruned.result.stderr).toBe(0);
    const archives = pruned.doc.stores[0].actions.filter((a: any) => a.action === "archive" && a.applied) as Array<{ from: string; to: string }>;
    expect(archives.length).toBeGreaterThan(0);
    const prunedIndex = fs.readFileSync(s.index);

    // held 5 s between the verified temp file and the rename; killed once the files are back
    const temp = nameAppears(s.dir, (n) => n.endsWith(".tmp"));
    const run = spawnCli(["cleanup", "--undo", "--state-dir", s.state], { ...env, OPENCLAW_SESSIONS_FAULT: "slow-rename:5000" });
    await temp.promise;
    temp.close();
    const deadline = Date.now() + 4_000;
    while (!archives.every((a) => fs.existsSync(a.from)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    run.child.kill("SIGKILL");
    expect((await run.exited).signal).toBe("SIGKILL");
    // never an index naming a transcript that is still archived: here, files back and the index not yet
    expect(fs.readFileSync(s.index).equals(prunedIndex)).toBe(true);
    for (const a of archives) expect([fs.existsSync(a.from), fs.existsSync(a.to)], a.from).toEqual([true, false]);

    // the dead run's locks go stale (our lock after 4 s: let that pass), then the undo runs again
    const ownLock = `${fs.realpathSync(s.index)}.openclaw-sessions.lock`;
    if (fs.existsSync(ownLock)) fs.utimesSync(ownLock, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    const again = await runJson(["cleanup", "--undo", "--state-dir", s.state], { env });
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.doc.stores[0]).toMatchObject({ outcome: "restored", notRestored: [] });
    const after = treeSnapshot(s.state);
    for (const k of Object.keys(after).filter((k) => /sessions\.json\.(bak\.\d+|\d+\.[0-9a-f-]+\.tmp)$/.test(k))) delete after[k];
    expect(after).toEqual(original);
  }, 60_000);
});
