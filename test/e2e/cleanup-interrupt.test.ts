// Ctrl-C, SIGTERM and SIGHUP during the built `cleanup`'s write (slow-rename holds the write
// between its verified temp file and the rename): the store being written is finished, no further
// store is read or written, one line says what was and was not written, exit 128 + the signal,
// and nothing of ours is left beside the index. A second signal exits at once, cleaning up too.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assertBuilt, nameAppears, runJson, spawnCli, useOwners } from "./helpers/cli.js";
import { buildMainStore, cliEnv, readIndexFile } from "./helpers/cleanup-store.js";

const { live, dead } = useOwners();

/** Our temp files and locks (the backup of a write stays: it is what undo restores from). */
const leftovers = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith("sessions.json") && /\.(tmp|lock|owner)$/.test(n));

/** Starts cleanup with its write held before the rename; resolves once the write's temp file exists. */
async function cleanupInWrite(state: string, dir: string, holdMs: number) {
  assertBuilt();
  const temp = nameAppears(dir, (n) => n.endsWith(".tmp"));
  const run = spawnCli(["cleanup", "--finalize-stale", "--state-dir", state, "--no-probe"], cliEnv({ OPENCLAW_SESSIONS_FAULT: `slow-rename:${holdMs}` }));
  await temp.promise;
  temp.close();
  return run;
}

describe("a store while our own cleanup writes it", () => {
  it("status reads it as the era it is: the sessions.json.lock our writer holds is not an era A gateway's", async () => {
    const s = buildMainStore(live, dead);
    const era = async () => (await runJson(["status", "--json", "--state-dir", s.state, "--no-probe"], { env: cliEnv() })).doc.stores[0].era as string;
    expect(await era()).toBe("AB");
    const run = await cleanupInWrite(s.state, s.dir, 3000);
    expect(fs.existsSync(`${s.index}.lock`)).toBe(true);
    expect(await era()).toBe("AB");
    expect((await run.exited).code).toBe(0);
  }, 30_000);
});

describe("cleanup stopped by a signal", () => {
  it("SIGINT during a write: the write finishes, locks and temp file gone, one line says so, exit 130", async () => {
    const s = buildMainStore(live, dead);
    const run = await cleanupInWrite(s.state, s.dir, 1500);
    run.child.kill("SIGINT");
    expect(await run.exited).toEqual({ code: 130, signal: null });
    expect(run.stderr()).toBe(`openclaw-sessions: interrupted by SIGINT: wrote ${s.index}\n`);
    // finished: the stale run is finalized
    expect(readIndexFile(s.index)[s.keys.stale]).toMatchObject({ status: "failed", abortedLastRun: true });
    expect(leftovers(s.dir)).toEqual([]);
  }, 30_000);

  it("SIGHUP during the first of two stores' writes: the second is neither read nor written, exit 129", async () => {
    const s = buildMainStore(live, dead);
    const other = path.join(s.state, "agents", "other");
    fs.cpSync(path.join(s.state, "agents", "main"), other, { recursive: true, verbatimSymlinks: true });
    const indexes = [s.index, path.join(other, "sessions", "sessions.json")];
    const bytes = indexes.map((p) => fs.readFileSync(p));
    // whichever store is written first: watch both
    const temps = indexes.map((p) => nameAppears(path.dirname(p), (n) => n.endsWith(".tmp")));
    const run = spawnCli(["cleanup", "--finalize-stale", "--state-dir", s.state, "--no-probe"], cliEnv({ OPENCLAW_SESSIONS_FAULT: "slow-rename:1500" }));
    await Promise.race(temps.map((t) => t.promise));
    for (const t of temps) t.close();
    run.child.kill("SIGHUP");
    expect(await run.exited).toEqual({ code: 129, signal: null });
    const changed = indexes.map((p, i) => !fs.readFileSync(p).equals(bytes[i]!));
    expect(changed.filter(Boolean)).toHaveLength(1);
    const [written, untouched] = changed[0] ? indexes : [...indexes].reverse();
    expect(run.stderr()).toBe(`openclaw-sessions: interrupted by SIGHUP: wrote ${written}; did not read or write ${untouched}\n`);
    for (const p of indexes) expect(leftovers(path.dirname(p))).toEqual([]);
  }, 30_000);

  it("a second signal exits at once (128 + it), removing our temp file and locks; the index is untouched", async () => {
    const s = buildMainStore(live, dead);
    const bytes = fs.readFileSync(s.index);
    const run = await cleanupInWrite(s.state, s.dir, 20_000);
    // back to back, they may be handled in either order: the second forces the exit
    run.child.kill("SIGINT");
    run.child.kill("SIGTERM");
    const { code, signal } = await run.exited;
    expect(signal).toBeNull();
    expect([130, 143]).toContain(code);
    expect(fs.readFileSync(s.index).equals(bytes)).toBe(true);
    expect(leftovers(s.dir)).toEqual([]);
  }, 30_000);
});
