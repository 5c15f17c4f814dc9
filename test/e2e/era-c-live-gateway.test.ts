// A live era C gateway long past its start that runs no task for a `running` row: its restart
// recovery (which runs at start) did not take the row up, so nothing moves it until the next
// gateway start. The built CLI must say so (unresponsive, --check 2, cleanup's report names it and
// the restart) instead of "restart recovery is pending" forever; inside the recovery window after
// the gateway's start the row is still recovery's (waiting). The store is never written.
import { afterEach, describe, expect, it } from "vitest";
import { c2UnderLiveGateway, storeUnchangedCheck } from "../fixtures/real-openclaw-c.js";
import { runCli, runJson } from "./helpers/cli.js";

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KEY = "agent:main:c2-model-wait";
const RUN = "5e0b8be6-1ab4-4995-8e37-6d98a2d18bc9";

/** c2 under a live gateway started now, whose task for the row's turn already succeeded. */
async function c2TaskDoneRowRunning() {
  const { copy, gw, db } = await c2UnderLiveGateway(cleanups);
  const at = Date.now() - 10 * 60_000;
  db.prepare("INSERT INTO task_runs VALUES ('t2', ?, ?, ?, NULL, 'succeeded', NULL, ?, ?, ?, ?)").run(KEY, RUN, gw.pid, at, at, at + 5000, at + 5000);
  return copy;
}

describe("era C: a live gateway that runs no task for a running row (built CLI)", () => {
  it("is recovery's inside the window after the gateway's start, and unresponsive after it; cleanup names the restart; nothing written", async () => {
    const copy = await c2TaskDoneRowRunning();
    const unchanged = storeUnchangedCheck(copy);
    const at = (offsetMs: number) => ({ env: { OPENCLAW_SESSIONS_NOW: String(Date.now() + offsetMs) } });

    const fresh = await runJson(["status", "--check", "--no-probe", "--state-dir", copy.stateDir], at(10_000));
    const row = (doc: any) => doc.sessions.find((s: any) => s.sessionKey === KEY);
    expect(row(fresh.doc)).toMatchObject({ health: "waiting" });
    expect(row(fresh.doc).reasons.join("\n")).toMatch(/latest task 5e0b8be6 is succeeded: restart recovery is pending/);

    const later = await runJson(["status", "--check", "--no-probe", "--state-dir", copy.stateDir], at(5 * 60_000));
    expect(later.result.code).toBe(2);
    expect(row(later.doc)).toMatchObject({ health: "unresponsive", drift: expect.stringMatching(/the live gateway is not running it/) });
    expect(row(later.doc).reasons.join("\n")).toMatch(/did not take this run up: nothing moves it until the next gateway start/);

    const cleanup = await runCli(["cleanup", "--no-probe", "--state-dir", copy.stateDir], at(5 * 60_000));
    expect(cleanup.code, cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toContain(KEY);
    expect(cleanup.stdout).toMatch(/restart the gateway/);
    unchanged();
  });
});
