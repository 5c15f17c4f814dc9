// `cleanup --undo` by a user who cannot read the audit log that records the write (root's 0600 log,
// reached by XDG_STATE_HOME, or a sudo run's): exit 3 naming the log, why and whose to use, never
// "nothing to undo", which read as if nothing had been written. Needs another user than the log's
// owner: run as root (CI, this machine), the CLI runs as `nobody`.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { indexPath, line, makeStateDir, transcriptPath, writeIndex, writeTranscript } from "../fixtures/store-builder.js";
import { buildRunnableByOthers, NOBODY, runAsNobody, type OthersCopy } from "../fixtures/as-another-user.js";
import { runCli } from "./helpers/cli.js";
import { D, NOW, entry, uuid } from "./helpers/cleanup-store.js";

let build: OthersCopy | undefined;
afterAll(() => build?.cleanup());

describe.runIf(process.getuid?.() === 0)("an audit log this user cannot read", () => {
  it("cleanup --undo as nobody: exit 3 naming the log, permission denied, and whose log to use; nothing undone, in text and --json", async () => {
    const root = makeStateDir("ocs-audit-eacces-");
    fs.chmodSync(root, 0o755);
    const state = path.join(root, "state");
    const xdg = path.join(root, "xdg");
    const id = uuid(1);
    writeIndex(state, "main", { "agent:main:old": entry({ sessionId: id, updatedAt: NOW - 60 * D, status: "done" }) });
    writeTranscript(transcriptPath(state, id), [line.header(id, NOW - 61 * D)]);
    const env = { OPENCLAW_SESSIONS_NOW: String(NOW), XDG_STATE_HOME: xdg, TMPDIR: root };
    // root's prune, on record in root's log (0600, its directory left open as a shared XDG_STATE_HOME is)
    expect((await runCli(["cleanup", "--prune", "--state-dir", state, "--no-probe"], { env })).code).toBe(0);
    const log = path.join(xdg, "openclaw-sessions", "audit.jsonl");
    expect(fs.statSync(log).mode & 0o777).toBe(0o600);
    for (const d of [xdg, path.dirname(log)]) fs.chmodSync(d, 0o755);
    for (const f of fs.readdirSync(state, { recursive: true }) as string[]) {
      const p = path.join(state, f);
      fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : 0o644);
    }
    fs.chmodSync(state, 0o755);
    const pruned = fs.readFileSync(indexPath(state, "main"));

    build = buildRunnableByOthers();
    const why =
      `cannot read the audit log ${log}: permission denied: this user (uid ${NOBODY}) cannot read it, so what openclaw-sessions wrote is not known; ` +
      `run as the user who wrote it (uid 0), or set XDG_STATE_HOME to that user's (the log is $XDG_STATE_HOME/openclaw-sessions/audit.jsonl); nothing was undone`;
    const text = runAsNobody(build, ["cleanup", "--undo", "--state-dir", state, "--no-probe"], { XDG_STATE_HOME: xdg, TMPDIR: root });
    expect(text.status, text.stderr).toBe(3);
    expect(text.stderr).toBe(`openclaw-sessions: ${why}\n`);
    expect(text.stdout).not.toMatch(/nothing to undo/);
    const json = runAsNobody(build, ["cleanup", "--undo", "--json", "--state-dir", state, "--no-probe"], { XDG_STATE_HOME: xdg, TMPDIR: root });
    expect(json.status).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 3, stores: [{ agentId: "main", outcome: "refused", why }] });
    expect(fs.readFileSync(indexPath(state, "main")).equals(pruned)).toBe(true);

    // the log's own user still undoes it: the write was there all along
    const undo = await runCli(["cleanup", "--undo", "--state-dir", state, "--no-probe"], { env });
    expect(undo.code, undo.stderr).toBe(0);
    expect(Object.keys(JSON.parse(fs.readFileSync(indexPath(state, "main"), "utf8")))).toEqual(["agent:main:old"]);
  });
});
