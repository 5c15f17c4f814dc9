// The built `keepalive` loop on a state dir with both eras: the era C agent is reported once and
// never written, while the loop goes on keeping the file-era agent's active sessions alive.
// (--once and the era-C-only state dir: test/commands/cleanup-era-c.test.ts, era-c-never-written.)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateEraCStore } from "../../src/sim/era-c/generate.js";
import { agentDbPath } from "../../src/store/era.js";
import { storeUnchangedCheck } from "../fixtures/real-openclaw-c.js";
import { BIN, REPO_ROOT, runCli, scrubbedEnv, useOwners } from "./helpers/cli.js";
import { ACTIVE, buildStore, killLoops, leftovers, startLoop } from "./keepalive-fixture.js";

const { live, dead } = useOwners();
const roots: string[] = [];
afterEach(async () => {
  await killLoops();
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

describe("keepalive loop, file-era and era C agents side by side (built CLI)", () => {
  it("says once that the era C agent is not kept alive, keeps the file-era agent's active sessions alive tick after tick, and leaves the era C store byte for byte, inode for inode", async () => {
    const fx = buildStore(live, dead);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-ka-c-"));
    roots.push(out);
    await generateEraCStore({ outDir: out, sessions: 12, agents: ["ops"], seed: 4, now: Date.now() });
    const opsDir = path.join(fx.state, "agents", "ops");
    fs.renameSync(path.join(out, "agents", "ops"), opsDir);
    const dbPath = agentDbPath(fx.state, "ops");
    const unchanged = storeUnchangedCheck({ dbPath, stateDir: opsDir });

    const loop = startLoop(["--state-dir", fx.state, "--no-probe", "--interval", "0.2", "--json"], fx.env);
    await loop.waitFor((r) => r.type === "tick" && r.tick === 3);
    loop.child.kill("SIGTERM");
    expect(await loop.exit).toEqual({ code: 0, signal: null });
    expect(loop.stderr()).toBe("");

    const eraC = loop.records.filter((r) => r.type === "eraC");
    expect(eraC).toHaveLength(1);
    expect(eraC[0]).toMatchObject({ schemaVersion: 1, idleResetConfigured: false });
    const ticks = loop.records.filter((r) => r.type === "tick");
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    // every tick read the file-era store only; the first kept its active sessions alive
    for (const t of ticks) expect((t.stores as Array<{ agentId: string }>).map((s) => s.agentId)).toEqual(["main"]);
    expect((ticks[0]!.touched as Array<{ sessionKey: string }>).map((t) => t.sessionKey).sort()).toEqual([...ACTIVE].sort());
    expect(leftovers(fx)).toEqual([]);
    unchanged();
  }, 30_000);

  it("an era C agent that appears while the loop runs is said once (a tick warning) and never written; a file-era index that goes away is said once", async () => {
    const fx = buildStore(live, dead);
    const loop = startLoop(["--state-dir", fx.state, "--no-probe", "--interval", "0.2", "--json"], fx.env);
    await loop.waitFor((r) => r.type === "tick" && r.tick === 1);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-ka-c-late-"));
    roots.push(out);
    await generateEraCStore({ outDir: out, sessions: 6, agents: ["late"], seed: 4, now: Date.now() });
    fs.renameSync(path.join(out, "agents", "late"), path.join(fx.state, "agents", "late"));
    const dbPath = agentDbPath(fx.state, "late");
    const unchanged = storeUnchangedCheck({ dbPath, stateDir: path.join(fx.state, "agents", "late") });
    const said = (needle: string) => loop.records.filter((r) => r.type === "tick" && (r.warnings as string[]).some((w) => w.includes(needle)));
    await loop.waitFor(() => said(dbPath).length > 0);
    // the file-era index goes away (moved aside)
    fs.renameSync(fx.index, `${fx.index}.aside`);
    await loop.waitFor(() => said(`${fx.index} is gone`).length > 0);
    const after = loop.records.filter((r) => r.type === "tick").at(-1)!.tick as number;
    await loop.waitFor((r) => r.type === "tick" && r.tick >= after + 3);
    loop.child.kill("SIGTERM");
    expect(await loop.exit).toEqual({ code: 0, signal: null });
    expect(said(dbPath)).toHaveLength(1);
    expect(said(dbPath)[0]!.warnings).toContain(`agent late: ${dbPath} is an OpenClaw 2026.8+ SQLite store now: never written by keepalive (OpenClaw's idle reset reads lastInteractionAt); its sessions are not kept alive from here`);
    expect(said(`${fx.index} is gone`)).toHaveLength(1);
    unchanged();
  }, 30_000);
});

/** A Node older than 24 on this machine (the system's own), which cannot read era C stores; CI may have none. */
function olderNode(): { path: string; version: string } | undefined {
  for (const p of ["/usr/bin/node", "/usr/local/bin/node", "/bin/node"]) {
    const r = spawnSync(p, ["--version"], { encoding: "utf8" });
    const version = r.status === 0 ? r.stdout.trim().replace(/^v/, "") : "";
    if (version && Number(version.split(".")[0]) < 24) return { path: p, version };
  }
  return undefined;
}
const OLDER = olderNode();

describe("keepalive --once on a state dir with only era C stores (built CLI)", () => {
  async function eraCOnly(): Promise<string> {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-ka-c-only-"));
    roots.push(out);
    await generateEraCStore({ outDir: out, sessions: 3, agents: ["main"], seed: 4, now: Date.now() });
    return out;
  }

  it.skipIf(!OLDER)(`on a Node that cannot read them (${OLDER?.path ?? "none here"}): exit 0, and its notice says status and watch need Node 24 to read them`, async () => {
    const state = await eraCOnly();
    const r = spawnSync(OLDER!.path, [BIN, "keepalive", "--once", "--json", "--state-dir", state, "--no-probe"], { cwd: REPO_ROOT, env: scrubbedEnv({}), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const notice = JSON.parse(r.stdout.trim().split("\n")[0]!);
    expect(notice.type).toBe("eraC");
    expect(notice.message).toContain(`never written by keepalive (status and watch need Node 24 to read them; this is Node ${OLDER!.version});`);
  });

  it("on Node 24, which reads them: exit 0, the notice says nothing of Node", async () => {
    const state = await eraCOnly();
    const r = await runCli(["keepalive", "--once", "--json", "--state-dir", state, "--no-probe"]);
    expect(r.code, r.stderr).toBe(0);
    const notice = JSON.parse(r.stdout.trim().split("\n")[0]!);
    expect(notice.type).toBe("eraC");
    expect(notice.message).not.toMatch(/Node/);
  });
});
