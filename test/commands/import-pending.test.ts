// A sessions.json on an install whose config OpenClaw 2026.8+ last wrote awaits its import into
// SQLite (the gateway imports it at start and refuses to start until then): every command shows
// it, none writes it. Before, it was taken for an era B index and finalized, pruned and archived.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useOwners } from "../e2e/helpers/cli.js";
import { buildMainStore, cliEnv, treeSnapshot } from "../e2e/helpers/cleanup-store.js";
import { run, runJson } from "./helpers/run.js";

const { live, dead } = useOwners();

function pendingStore(version: string) {
  const s = buildMainStore(live, dead);
  fs.writeFileSync(path.join(s.state, "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: version } }));
  return s;
}

const AWAITS = /agents\/main\/sessions\/sessions\.json awaits import: the config was last written by OpenClaw 2026\.9\.6, .*never written by openclaw-sessions \(start the gateway to import it\)/;

describe("a sessions.json awaiting OpenClaw 2026.8+'s import", () => {
  it("cleanup: reported as a dry run with why, exit 0, not a byte or file changed", async () => {
    const s = pendingStore("2026.9.6");
    const env = cliEnv();
    const before = treeSnapshot(s.state);
    const res = await run(["cleanup", "--state-dir", s.state, "--no-probe"], { env });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(AWAITS);
    expect(res.stdout).toMatch(/Would finalize stale runs: [1-9]/);
    expect(res.stdout).toMatch(/Would prune stale: [1-9]/);
    expect(res.stdout).toMatch(new RegExp(`Not written: .*${AWAITS.source}`));
    expect(res.stdout).not.toMatch(/^Undo:/m);
    expect(treeSnapshot(s.state)).toEqual(before);

    const json = await runJson(["cleanup", "--state-dir", s.state, "--no-probe", "--json"], { env });
    expect(json.doc.stores[0]).toMatchObject({ wrote: false, notWritten: expect.stringMatching(AWAITS) });
    expect(treeSnapshot(s.state)).toEqual(before);
  });

  it("keepalive --once: says so once, exit 0, nothing written (no loop lock either)", async () => {
    const s = pendingStore("2026.9.6");
    const before = treeSnapshot(s.state);
    const res = await run(["keepalive", "--once", "--state-dir", s.state, "--no-probe"], { env: cliEnv() });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^keepalive: agent main: .*${AWAITS.source}\\n$`));
    expect(treeSnapshot(s.state)).toEqual(before);
  });

  it("cleanup --undo: refused with why (exit 4), the index as it is", async () => {
    const s = pendingStore("2026.7.1");
    const env = cliEnv();
    // written while OpenClaw 2026.7 ran it
    expect((await run(["cleanup", "--state-dir", s.state, "--no-probe"], { env })).code).toBe(0);
    fs.writeFileSync(path.join(s.state, "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: "2026.9.6" } }));
    const before = treeSnapshot(s.state);
    const res = await run(["cleanup", "--undo", "--state-dir", s.state], { env });
    expect(res.code).toBe(4);
    // the store is named once, in the line's head, not again in the reason
    const line = res.stdout.split("\n").find((l) => l.includes("not undone"))!;
    expect(line).toMatch(/^Agent main: \S+sessions\.json: not undone: awaits import: the config was last written by OpenClaw 2026\.9\.6, /);
    expect(res.stderr).toMatch(AWAITS);
    expect(treeSnapshot(s.state)).toEqual(before);
  });

  it("cleanup --store through a symlinked sessions dir: still the tree's index, still not written", async () => {
    const s = pendingStore("2026.9.6");
    const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ocs-pending-link-")), "sessions");
    fs.symlinkSync(path.dirname(s.index), link);
    const before = treeSnapshot(s.state);
    const res = await run(["cleanup", "--store", path.join(link, "sessions.json"), "--no-probe"], { env: cliEnv() });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/sessions\/sessions\.json awaits import: the config was last written by OpenClaw 2026\.9\.6/);
    expect(res.stdout).toMatch(/Not written: /);
    expect(treeSnapshot(s.state)).toEqual(before);
  });

  it("status: read and shown, with the warning; OpenClaw 2026.7 configs keep it an era B index written as before", async () => {
    const s = pendingStore("2026.9.6");
    const res = await runJson(["status", "--state-dir", s.state, "--no-probe", "--json"], { env: cliEnv() });
    expect(res.doc.sessions.length).toBeGreaterThan(0);
    expect(res.doc.warnings.join("\n")).toMatch(AWAITS);
    expect(res.doc.stores).toEqual([{ agentId: "main", storePath: s.index, era: "B" }]);

    const old = pendingStore("2026.7.1");
    const before = treeSnapshot(old.state);
    expect((await run(["cleanup", "--state-dir", old.state, "--no-probe"], { env: cliEnv() })).code).toBe(0);
    expect(treeSnapshot(old.state)).not.toEqual(before);
  });
});
