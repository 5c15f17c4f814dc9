// A store whose files are not what they should be: a FIFO where a regular JSON file belongs. Every
// command answers at once with one line naming the file and what is there; none blocks in open(2)
// (a FIFO would hold it, deaf to SIGINT and SIGTERM): run as the built CLI, so a regression that
// blocks is a killed child, not a hung test worker.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyRealState, indexPath, makeTempDir } from "../fixtures/store-builder.js";
import { runCli } from "./helpers/cli.js";

const ID = "6247fe16-f29a-4a96-be6b-6520c3cd0178";
const env = () => ({ TMPDIR: makeTempDir("ocs-hostile-tmp-"), XDG_STATE_HOME: makeTempDir("ocs-hostile-xdg-") });
const COMMANDS = [
  ["status", "--no-probe"],
  ["status", "--no-probe", "--check", "--json"],
  ["cleanup", "--dry-run", "--no-probe"],
  ["keepalive", "--once", "--dry-run", "--no-probe"],
];

function replaceWithFifo(file: string): void {
  fs.rmSync(file, { force: true });
  execFileSync("mkfifo", [file]);
}

describe("a FIFO where a file belongs never blocks a command", () => {
  it.each(COMMANDS)("sessions.json is a FIFO: %s %s exits 3 naming it", async (...args) => {
    const state = copyRealState("s1-quick-done");
    const index = indexPath(state, "main");
    replaceWithFifo(index);
    const r = await runCli([...args, "--state-dir", state], { env: env(), timeoutMs: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(3);
    // keepalive logs its tick (and the reason) on stdout; the others say it on stderr
    expect(r.stderr + r.stdout).toContain(`${index} is a FIFO (named pipe), not a regular file`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("openclaw.json is a FIFO: status exits 3 naming it", async () => {
    const state = copyRealState("s1-quick-done");
    const config = path.join(state, "openclaw.json");
    replaceWithFifo(config);
    const r = await runCli(["status", "--no-probe", "--state-dir", state], { env: env(), timeoutMs: 30_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`openclaw-sessions: cannot read config: ${config} is a FIFO (named pipe), not a regular file (point OPENCLAW_CONFIG_PATH at the file)\n`);
  });

  it.each([`${ID}.jsonl`, `${ID}.trajectory.jsonl`])("%s is a FIFO: status answers, and a warning says it is a FIFO", async (name) => {
    const state = copyRealState("s1-quick-done");
    const file = path.join(path.dirname(indexPath(state, "main")), name);
    replaceWithFifo(file);
    const r = await runCli(["status", "--no-probe", "--state-dir", state], { env: env(), timeoutMs: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${file} is a FIFO (named pipe), not a regular file`);
  });

  it("cleanup of a store whose transcript lock is a FIFO answers (the lock counts as held by someone unknown)", async () => {
    const state = copyRealState("s1-quick-done");
    const lock = path.join(path.dirname(indexPath(state, "main")), `${ID}.jsonl.lock`);
    execFileSync("mkfifo", [lock]);
    const r = await runCli(["cleanup", "--dry-run", "--no-probe", "--json", "--state-dir", state], { env: env(), timeoutMs: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });
});

// a directory or a byte-order mark where a file belongs cannot block a command: checked
// in-process in test/commands/hostile-files.test.ts
