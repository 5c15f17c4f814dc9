// Stores big enough (5,000 sessions each) that cleanup, keepalive and status ask V8 for a full
// collection between them (src/store/heap.ts): the collection must change nothing but memory.
// Each store's part of a run over both agents must equal a run over that agent alone, where no
// collection happens before it is read.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateStore, type Manifest } from "../../src/sim/generate.js";
import { COLLECT_AFTER_SESSIONS } from "../../src/store/heap.js";
import { makeStateDir } from "../fixtures/store-builder.js";
import { assertBuilt, runCli, runJson } from "./helpers/cli.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");
const PER_AGENT = COLLECT_AFTER_SESSIONS;

let manifest: Manifest;
let root: string;

beforeAll(async () => {
  assertBuilt();
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-big-"));
  manifest = await generateStore({ outDir: path.join(root, "state"), sessions: 2 * PER_AGENT, agents: ["main", "ops"], seed: 5, now: NOW, deadOwner: { pid: 999_999_999 } });
}, 120_000);

// removing some 30,000 files took over the default 30 s hook timeout on a loaded 2-core machine
afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 120_000);

const env = () => ({ OPENCLAW_SESSIONS_NOW: String(NOW), TMPDIR: makeStateDir("ocs-big-tmp-"), XDG_STATE_HOME: makeStateDir("ocs-big-xdg-") });
const args = (cmd: string[], agent?: string) => [...cmd, "--no-probe", "--state-dir", manifest.stateDir, ...(agent ? ["--agent", agent] : [])];

describe("two stores of 5,000 sessions", () => {
  it("the generator split them evenly, so a collection runs between the two", () => {
    for (const agent of ["main", "ops"]) expect(manifest.sessions.filter((s) => s.agentId === agent).length).toBeGreaterThanOrEqual(PER_AGENT);
  });

  it("cleanup --dry-run --json: the store read after the collection gets the plan it gets alone", async () => {
    const both = await runJson(args(["cleanup", "--dry-run"]), { env: env() });
    expect(both.result.code).toBe(0);
    expect(both.doc.stores.map((s: { agentId: string }) => s.agentId)).toEqual(["main", "ops"]);
    expect(both.doc.stores[0].actions.length).toBeGreaterThan(0);
    // only ops is read after a collection: main is read first in both runs, so a run of main
    // alone (once here too) proved nothing about the collection
    const alone = await runJson(args(["cleanup", "--dry-run"], "ops"), { env: env() });
    expect(alone.doc.stores).toHaveLength(1);
    expect(both.doc.stores[1]).toEqual(alone.doc.stores[0]);
    expect(both.doc.stores[1].actions.length).toBeGreaterThan(0);
  }, 120_000);

  it("cleanup --dry-run (text): both stores' reports, one after the other", async () => {
    const res = await runCli(args(["cleanup", "--dry-run"]), { env: env() });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Agent: main\n/);
    const blocks = res.stdout.trimEnd().split(/\n\n(?=Agent: )/);
    expect(blocks.map((b) => b.split("\n")[0])).toEqual(["Agent: main", "Agent: ops"]);
    const ops = await runCli(args(["cleanup", "--dry-run"], "ops"), { env: env() });
    expect(blocks[1]).toBe(ops.stdout.trimEnd());
  }, 120_000);

  it("keepalive --once --dry-run --json and status --json read every session of both", async () => {
    const ka = await runCli(args(["keepalive", "--once", "--dry-run", "--json"]), { env: env() });
    expect(ka.code).toBe(0);
    const tick = ka.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((r) => r.seen !== undefined);
    expect(tick.seen).toBe(manifest.sessions.length);
    const st = await runJson(args(["status"]), { env: env() });
    expect(st.result.code).not.toBe(3);
    expect(st.doc.sessions).toHaveLength(manifest.sessions.length);
  }, 120_000);
});
