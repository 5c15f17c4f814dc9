// Stores big enough that cleanup, keepalive and status ask V8 for a full collection between them
// (src/store/heap.ts): the collection must change nothing but memory. Each store's part of a run
// over both agents must equal a run over that agent alone, where no collection happens before it
// is read. The threshold is lowered (OPENCLAW_SESSIONS_COLLECT_AFTER) so the same path runs with
// stores of PER_AGENT sessions instead of 5,000 each, and a preloaded observer
// (test/fixtures/gc-observer.mjs) proves each collection really happened.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateStore, type Manifest } from "../../src/sim/generate.js";
import { COLLECT_AFTER_ENV } from "../../src/store/heap.js";
import { makeStateDir } from "../fixtures/store-builder.js";
import { assertBuilt, runCli, runJson, type CliResult } from "./helpers/cli.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");
const PER_AGENT = 120;
const OBSERVER = path.join(import.meta.dirname, "..", "fixtures", "gc-observer.mjs");

let manifest: Manifest;
let root: string;

beforeAll(async () => {
  assertBuilt();
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-big-"));
  manifest = await generateStore({ outDir: path.join(root, "state"), sessions: 2 * PER_AGENT, agents: ["main", "ops"], seed: 5, now: NOW, deadOwner: { pid: 999_999_999 } });
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const args = (cmd: string[], agent?: string) => [...cmd, "--no-probe", "--state-dir", manifest.stateDir, ...(agent ? ["--agent", agent] : [])];

/** The built CLI with the threshold at PER_AGENT, and how many full collections it forced. */
async function run(argv: string[], json = false): Promise<{ result: CliResult; doc: any; collections: number }> {
  const gcLog = path.join(makeStateDir("ocs-big-gc-"), "forced");
  const env = {
    OPENCLAW_SESSIONS_NOW: String(NOW),
    [COLLECT_AFTER_ENV]: String(PER_AGENT),
    NODE_OPTIONS: `--import "${OBSERVER}"`,
    OCS_TEST_GC_LOG: gcLog,
    TMPDIR: makeStateDir("ocs-big-tmp-"),
    XDG_STATE_HOME: makeStateDir("ocs-big-xdg-"),
  };
  const out = json ? await runJson(argv, { env }) : { result: await runCli(argv, { env }), doc: undefined };
  return { ...out, collections: Number(fs.readFileSync(gcLog, "utf8")) };
}

describe(`two stores of ${PER_AGENT} sessions, collected after ${PER_AGENT}`, () => {
  it("the generator split them evenly, so a collection runs between the two", () => {
    for (const agent of ["main", "ops"]) expect(manifest.sessions.filter((s) => s.agentId === agent).length).toBeGreaterThanOrEqual(PER_AGENT);
  });

  it("cleanup --dry-run --json: the store read after the collection gets the plan it gets alone", async () => {
    const both = await run(args(["cleanup", "--dry-run"]), true);
    expect(both.result.code).toBe(0);
    expect(both.collections).toBe(1);
    expect(both.doc.stores.map((s: { agentId: string }) => s.agentId)).toEqual(["main", "ops"]);
    expect(both.doc.stores[0].actions.length).toBeGreaterThan(0);
    // only ops is read after a collection: main is read first in both runs, so a run of main
    // alone (once here too) proved nothing about the collection
    const alone = await run(args(["cleanup", "--dry-run"], "ops"), true);
    expect(alone.collections).toBe(0);
    expect(alone.doc.stores).toHaveLength(1);
    expect(both.doc.stores[1]).toEqual(alone.doc.stores[0]);
    expect(both.doc.stores[1].actions.length).toBeGreaterThan(0);
  });

  it("cleanup --dry-run (text): both stores' reports, one after the other", async () => {
    const res = await run(args(["cleanup", "--dry-run"]));
    expect(res.result.code).toBe(0);
    expect(res.collections).toBe(1);
    expect(res.result.stdout).toMatch(/^Agent: main\n/);
    const blocks = res.result.stdout.trimEnd().split(/\n\n(?=Agent: )/);
    expect(blocks.map((b) => b.split("\n")[0])).toEqual(["Agent: main", "Agent: ops"]);
    const ops = await run(args(["cleanup", "--dry-run"], "ops"));
    expect(blocks[1]).toBe(ops.result.stdout.trimEnd());
  });

  it("keepalive --once --dry-run --json and status --json read every session of both", async () => {
    const ka = await run(args(["keepalive", "--once", "--dry-run", "--json"]));
    expect(ka.result.code).toBe(0);
    // one after each store
    expect(ka.collections).toBe(2);
    const tick = ka.result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((r) => r.seen !== undefined);
    expect(tick.seen).toBe(manifest.sessions.length);
    const st = await run(args(["status"]), true);
    expect(st.result.code).not.toBe(3);
    // one after the whole read
    expect(st.collections).toBe(1);
    expect(st.doc.sessions).toHaveLength(manifest.sessions.length);
  });
});
