// `status --check` as a monitoring probe runs it: exit 0 fine, 1 stalled, 2 unresponsive,
// 3 unknown. A corrupt index is "unknown": a one-line error naming the file, no stack trace, and
// the file left exactly as it was.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { format, indexPath, line, makeStateDir, makeTempDir, transcriptPath, writeIndex, writeLock, writeTranscript } from "../fixtures/store-builder.js";
import { useOwners } from "../e2e/helpers/cli.js";
import { checkStore, type Kind } from "./helpers/check-store.js";
import { run, unknownFailureStdout } from "./helpers/run.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");
const M = 60_000;

const owners = useOwners();
const store = (kinds: Kind[]) => checkStore(kinds, owners, NOW);

function check(state: string, extra: string[] = []) {
  return run(["status", "--state-dir", state, "--no-probe", "--check", ...extra], {
    env: { OPENCLAW_SESSIONS_NOW: String(NOW), TMPDIR: makeTempDir("ocs-e2e-tmp-") },
  });
}

describe("status --check exit codes", () => {
  it("0 when every session is idle or progressing", async () => {
    const r = await check(store(["idle", "waiting", "idle"]));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("1 when the worst session is stalled", async () => {
    const r = await check(store(["idle", "stalled", "waiting"]));
    expect(r.code).toBe(1);
  });

  it("2 when any session is unresponsive, whatever else is stalled", async () => {
    const r = await check(store(["stalled", "unresponsive", "idle"]));
    expect(r.code).toBe(2);
  });

  it("without --check the same problems still exit 0", async () => {
    const r = await run(["status", "--state-dir", store(["stalled", "unresponsive"]), "--no-probe"], { env: { OPENCLAW_SESSIONS_NOW: String(NOW) } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 unresponsive/);
  });

  it("--check honours --stall-after: the stalled store is fine with a longer threshold", async () => {
    const r = await check(store(["stalled", "idle"]), ["--stall-after", "1h"]);
    expect(r.code).toBe(0);
  });

  it("a stall threshold in the config that cannot be used as written is said, and the default judges", async () => {
    const state = store(["stalled", "idle"]);
    fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify({ diagnostics: { stuckSessionWarnMs: "1h" } }));
    const r = await check(state);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`openclaw.json: diagnostics.stuckSessionWarnMs must be a positive number of milliseconds (got "1h"): stalls are judged after the default 2m00s`);
    const loop = await run(["keepalive", "--once", "--dry-run", "--state-dir", state, "--no-probe"], { env: { OPENCLAW_SESSIONS_NOW: String(NOW) } });
    expect(loop.code).toBe(0);
    expect(loop.stdout).toContain(`diagnostics.stuckSessionWarnMs must be a positive number of milliseconds (got "1h")`);
  });
});

const cases: Array<{ name: string; text: string; message: (file: string) => string }> = [
  {
    name: "truncated JSON",
    text: '{\n  "agent:main:a": {\n    "sessionId": "a",\n    "updatedAt": 1\n  },\n  "agent:main:b": ',
    message: (f) => `openclaw-sessions: session index ${f} is not valid JSON at 6:19; nothing was read or written\n`,
  },
  {
    name: "a syntax error mid-file",
    text: '{\n  "agent:main:a": {"sessionId": "a", "updatedAt": 1,}\n}',
    message: (f) => `openclaw-sessions: session index ${f} is not valid JSON at 2:${'  "agent:main:a": {"sessionId": "a", "updatedAt": 1,}'.indexOf(",}") + 2}; nothing was read or written\n`,
  },
  {
    name: "an empty file",
    text: "",
    message: (f) => `openclaw-sessions: session index ${f} is empty at 1:1 (a torn write?); refusing to treat it as no sessions\n`,
  },
  {
    name: "an array",
    text: '[{"sessionId": "a", "updatedAt": 1}]',
    message: (f) => `openclaw-sessions: session index ${f} holds an array at 1:1, not an object of sessions; nothing was read or written\n`,
  },
];

describe("a corrupt sessions.json: exit 3, one line naming the file, nothing written", () => {
  for (const c of cases) {
    it(`${c.name}: the only store`, async () => {
      const state = makeStateDir();
      writeIndex(state, "main", {});
      const file = indexPath(state, "main");
      fs.writeFileSync(file, c.text);
      const before = fs.readFileSync(file);
      const beforeStat = fs.statSync(file);
      for (const args of [["--check"], ["--json"], []]) {
        const r = await run(["status", "--state-dir", state, "--no-probe", ...args], { env: { OPENCLAW_SESSIONS_NOW: String(NOW) } });
        expect(r.code).toBe(3);
        expect(r.stderr).toBe(c.message(file));
        expect(r.stdout).toBe(unknownFailureStdout(args, r.stderr));
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.statSync(file).mtimeMs).toBe(beforeStat.mtimeMs);
      // no temp file, backup or lock left beside it
      expect(fs.readdirSync(path.dirname(file))).toEqual(["sessions.json"]);
    });
  }
});

describe("one agent's corrupt sessions.json does not hide the other agents", () => {
  for (const c of cases) {
    it(`${c.name}: the other store is shown, the broken one named, exit 3`, async () => {
      const state = makeStateDir();
      writeIndex(state, "work", { "agent:work:main": { sessionId: "w", updatedAt: 1 } });
      writeIndex(state, "main", {});
      const file = indexPath(state, "main");
      fs.writeFileSync(file, c.text);
      const before = fs.readFileSync(file);
      const why = c.message(file).replace(/^openclaw-sessions: /, "").trimEnd();
      for (const args of [["--check"], ["--json"], []]) {
        const r = await run(["status", "--state-dir", state, "--no-probe", ...args], { env: { OPENCLAW_SESSIONS_NOW: String(NOW) } });
        expect(r.code).toBe(3);
        expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(`agent main: ${file} was not read`)]);
        expect(r.stderr).toContain(why);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        if (args[0] === "--json") {
          const doc = JSON.parse(r.stdout);
          expect(doc.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(["w"]);
          expect(doc.unreadableStores).toEqual([{ agentId: "main", storePath: file, era: expect.any(String), why }]);
        } else {
          expect(r.stdout).toContain("agent:work:main");
        }
      }
      expect(fs.readFileSync(file).equals(before)).toBe(true);
    });
  }

  it("--check: an unresponsive session elsewhere still exits 2 (critical outranks unknown)", async () => {
    const state = store(["unresponsive", "idle"]);
    fs.mkdirSync(path.dirname(indexPath(state, "work")), { recursive: true });
    fs.writeFileSync(indexPath(state, "work"), "{broken");
    const r = await check(state);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`agent work: ${indexPath(state, "work")} was not read`);
  });

  it("--check: only stalled sessions elsewhere exit 3, never 1 or 0", async () => {
    const state = store(["stalled", "idle"]);
    fs.mkdirSync(path.dirname(indexPath(state, "work")), { recursive: true });
    fs.writeFileSync(indexPath(state, "work"), "");
    expect((await check(state)).code).toBe(3);
  });
});

describe("status --check with nothing to check exits 3 (unknown)", () => {
  it("keepalive --once exits 3 on the same stores: an empty state dir, a missing one, an agent with no index", async () => {
    const keepaliveOnce = (state: string, extra: string[] = []) =>
      run(["keepalive", "--once", "--dry-run", "--no-probe", "--state-dir", state, ...extra], { env: { TMPDIR: makeTempDir("ocs-e2e-tmp-") } });
    const empty = makeStateDir();
    const missing = path.join(makeTempDir("ocs-e2e-"), "nope");
    const ka = [await keepaliveOnce(empty), await keepaliveOnce(missing), await keepaliveOnce(store(["idle"]), ["--agent", "nope"])];
    expect(ka.map((k) => k.code)).toEqual([3, 3, 3]);
  });

  it("an empty state dir: one line saying no index was found", async () => {
    const state = makeStateDir();
    const r = await check(state);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`openclaw-sessions: nothing to check: no session index under ${path.join(state, "agents")} (check --state-dir or OPENCLAW_STATE_DIR)\n`);
  });

  it("a missing state dir", async () => {
    const state = path.join(makeTempDir("ocs-e2e-"), "nope");
    const r = await check(state);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(state);
  });

  it("--agent naming no agent: one line naming the index it looked for; --json too", async () => {
    const state = store(["idle"]);
    for (const extra of [[], ["--json"]]) {
      const r = await check(state, ["--agent", "nope", ...extra]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(`openclaw-sessions: nothing to check: agent nope has no session store: neither ${indexPath(state, "nope")} nor `);
      expect(r.stderr.split("\n")).toHaveLength(2);
    }
  });

  it("a store with no sessions is checked and fine (0); without --check an empty state dir still exits 0", async () => {
    const state = makeStateDir();
    writeIndex(state, "main", {});
    expect((await check(state)).code).toBe(0);
    expect((await run(["status", "--state-dir", makeStateDir(), "--no-probe"])).code).toBe(0);
  });
});
