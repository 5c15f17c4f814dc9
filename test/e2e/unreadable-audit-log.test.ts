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

/** A state dir (open to other users) whose one session is done and 60 days old: a prune removes it. */
function prunableStore(prefix: string, n: number): { root: string; state: string; xdg: string } {
  const root = makeStateDir(prefix);
  fs.chmodSync(root, 0o755);
  const state = path.join(root, "state");
  const id = uuid(n);
  writeIndex(state, "main", { "agent:main:old": entry({ sessionId: id, updatedAt: NOW - 60 * D, status: "done" }) });
  writeTranscript(transcriptPath(state, id), [line.header(id, NOW - 61 * D)]);
  return { root, state, xdg: path.join(root, "xdg") };
}

describe.runIf(process.getuid?.() === 0)("an audit log this user cannot read", () => {
  it("cleanup --undo as nobody: exit 3 naming the log, permission denied, and whose log to use; nothing undone, in text and --json", async () => {
    const { root, state, xdg } = prunableStore("ocs-audit-eacces-", 1);
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

  it("a prune by a user whose audit log is write-only (0200): written and backed up, but no Undo line that --undo could not honour", () => {
    const { root, state, xdg } = prunableStore("ocs-audit-0200-", 2);
    const log = path.join(xdg, "openclaw-sessions", "audit.jsonl");
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fs.writeFileSync(log, "", { mode: 0o200 });
    fs.chmodSync(log, 0o200);
    // everything is nobody's: the writer's owner check passes, only the log's mode stops reading
    for (const p of [root, xdg, path.dirname(log), log, state, ...(fs.readdirSync(state, { recursive: true }) as string[]).map((f) => path.join(state, f))]) {
      fs.chownSync(p, NOBODY, NOBODY);
    }
    build ??= buildRunnableByOthers();
    const env = { OPENCLAW_SESSIONS_NOW: String(NOW), XDG_STATE_HOME: xdg, TMPDIR: root };
    const text = runAsNobody(build, ["cleanup", "--prune", "--state-dir", state, "--no-probe"], env);
    expect(text.status, text.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(indexPath(state, "main"), "utf8"))).toEqual({});
    expect(text.stdout).toMatch(/Warning: .*was written, but none of its old backups was pruned: cannot read the audit log/);
    expect(text.stdout).toContain("Undo: not available (the audit log does not record this write, see the warning above); restore from the backup by hand");
    expect(text.stdout).not.toContain("cleanup --undo");
    // the log did get the line (root reads it): only this user cannot read it back
    expect(fs.readFileSync(log, "utf8")).toMatch(/"action":"prune"/);

    writeIndex(state, "main", { "agent:main:old2": entry({ sessionId: uuid(3), updatedAt: NOW - 60 * D, status: "done" }) });
    fs.chownSync(indexPath(state, "main"), NOBODY, NOBODY);
    const json = runAsNobody(build, ["cleanup", "--prune", "--json", "--state-dir", state, "--no-probe"], env);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ stores: [{ wrote: true, undoable: false }] });
  });
});
