// A stale keepalive pid file this user may not remove (another user's, in a sticky directory):
// `keepalive` says so and what to do, and the touch due there is refused, exit 4. Before, it
// retried five times and ended "keeps changing: another keepalive is starting" (exit 5), which
// sent people looking for a loop that does not exist. Needs another user than the files' owner:
// run as root (CI, this machine), the CLI runs as `nobody`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LOOP_LOCK_SUFFIX } from "../../src/store/loop-lock.js";
import { buildRunnableByOthers, NOBODY, runAsNobody } from "../fixtures/as-another-user.js";
import { indexPath } from "../fixtures/store-builder.js";
import { deadPid } from "../store/writer/helpers/procs.js";
import { useOwners } from "./helpers/cli.js";
import { buildStore } from "./keepalive-fixture.js";

const { live, dead } = useOwners();

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

describe.runIf(process.getuid?.() === 0)("keepalive beside a stale pid file it cannot remove", () => {
  it("exit 4 naming the file, why it is stale and what to do; the index and the pid file untouched", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "oc-ka-stale-"));
    roots.push(root);
    fs.chmodSync(root, 0o755);
    // sessions with a run in progress and a live owner, due for a touch: the write it needs is refused
    const fx = buildStore(live, dead);
    const state = path.join(root, "state");
    fs.renameSync(fx.state, state);
    const now = Date.now();
    const index = indexPath(state);
    for (const f of ["", ...(fs.readdirSync(state, { recursive: true }) as string[])]) fs.chownSync(path.join(state, f), NOBODY, NOBODY);
    // the sessions dir is root's and sticky: nobody may create files in it but not remove root's
    fs.chownSync(path.dirname(index), 0, 0);
    fs.chmodSync(path.dirname(index), 0o1777);
    const pidFile = `${index}${LOOP_LOCK_SUFFIX}`;
    const body = `${JSON.stringify({ pid: await deadPid(), hostname: os.hostname(), startedAt: new Date(now - 3_600_000).toISOString() })}\n`;
    fs.writeFileSync(pidFile, body, { mode: 0o644 });
    const before = fs.readFileSync(index);

    const build = buildRunnableByOthers();
    roots.push(path.dirname(build.node));
    const r = runAsNobody(build, ["keepalive", "--once", "--no-probe", "--state-dir", state]);
    expect(r.status, r.stderr).toBe(4);
    const said = `${r.stdout}\n${r.stderr}`;
    expect(said).toContain("2 touches due, not written: ");
    expect(said).toContain(`${pidFile} is stale (pid `);
    expect(said).toMatch(/is dead\) but this user cannot remove it; remove it \(or run as its owner\)/);
    expect(said).not.toMatch(/another keepalive is starting/);
    expect(fs.readFileSync(index).equals(before)).toBe(true);
    expect(fs.readFileSync(pidFile, "utf8")).toBe(body);
  });
});
