// An agent directory this user may not enter (mode 700, another owner): that one store is
// reported unread with why, the others are still read, and every command says so in its own
// output. Before, the stat of its database threw EACCES and stopped the whole run with a raw error.
// Needs another user than the files' owner: run as root (CI, this machine), the CLI runs as `nobody`.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateEraCStore } from "../../src/sim/era-c/generate.js";
import { buildRunnableByOthers, NOBODY } from "../fixtures/as-another-user.js";
import { scrubbedEnv } from "./helpers/cli.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function asNobody(args: string[]) {
  const build = buildRunnableByOthers();
  roots.push(path.dirname(build.node));
  const r = spawnSync(build.node, [path.join(build.root, "bin", "openclaw-sessions.js"), ...args], { cwd: build.root, env: scrubbedEnv({ XDG_STATE_HOME: "/nonexistent" }), uid: NOBODY, gid: NOBODY, encoding: "utf8", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.runIf(process.getuid?.() === 0)("an agent directory this user cannot enter", () => {
  it("status --json, watch --once and cleanup: that store unread with why (exit 3), the other agent read", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "oc-eacces-"));
    roots.push(root);
    fs.chmodSync(root, 0o755);
    const state = path.join(root, "state");
    const m = await generateEraCStore({ outDir: state, sessions: 6, agents: ["main", "ops"], seed: 3 });
    for (const f of fs.readdirSync(state, { recursive: true }) as string[]) fs.chmodSync(path.join(state, f), fs.statSync(path.join(state, f)).isDirectory() ? 0o755 : 0o644);
    fs.chmodSync(path.join(state, "agents", "main", "agent"), 0o700);
    const opsSessions = m.sessions.filter((s) => s.sessionKey.startsWith("agent:ops:")).length;

    const status = asNobody(["status", "--json", "--no-probe", "--state-dir", state]);
    expect(status.code).toBe(3);
    const doc = JSON.parse(status.stdout);
    expect(doc.sessions).toHaveLength(opsSessions);
    expect(doc.unreadableStores).toEqual([
      expect.objectContaining({ agentId: "main", era: "C", why: expect.stringMatching(/permission denied: this user \(uid 65534\) cannot read it/) }),
    ]);
    expect(status.stderr).not.toMatch(/EACCES/);

    const watch = asNobody(["watch", "--once", "--no-probe", "--state-dir", state]);
    expect(watch.code).toBe(3);
    expect(watch.stdout).toMatch(/agent:ops:|ops/);

    const cleanup = asNobody(["cleanup", "--no-probe", "--state-dir", state]);
    expect(cleanup.code).toBe(3);
    expect(cleanup.stderr).toMatch(/main.*permission denied/);
    expect(cleanup.stdout).toMatch(/ops/);
  });
});
