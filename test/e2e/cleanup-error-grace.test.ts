// The real 2026.7.1 store whose runs ended in error inside the gateway's 15 s persist grace
// (s5-errors-within-grace: index `running`, no transcript locks; http500 ended `error` followed by
// a fallback step with failure reason `timeout`, malformed a plain `error`), read after that
// gateway is gone, as a SIGKILL leaves it (its singleton lock, owner dead) and as a SIGTERM leaves
// it (no lock: it removes it on the way out). Nothing persisted those errors, so OpenClaw's restart
// recovery would write `failed` + `abortedLastRun` and no runtimeMs (measured on 2026.7.1:
// docs/finalize-vs-openclaw.md); our built CLI must write the same, and `status` must show as the
// outcome what `cleanup` writes.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyRealStore, type Sandbox } from "../interop/support.js";
import { runJson } from "./helpers/cli.js";

const boxes: Sandbox[] = [];
afterEach(() => {
  for (const b of boxes.splice(0)) fs.rmSync(b.root, { recursive: true, force: true });
});

const KEYS = ["agent:main:s5-http500", "agent:main:s5-malformed"];
const LATER = "2026-11-21T21:00:00Z"; // 25 min after the capture: past the grace and --stale-after 1s

function gatewayLocks(box: Sandbox): string[] {
  const dir = path.join(box.tmp, `openclaw-${process.getuid!()}`);
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
}

describe("cleanup --finalize-stale on errors whose gateway died inside its 15 s grace (real 2026.7.1 store)", () => {
  it.each([
    ["SIGKILL: its lock left behind, owner dead", false],
    ["SIGTERM: its lock removed", true],
  ])("%s -> failed + abortedLastRun, no runtimeMs; status showed that outcome before", async (_name, removeLock) => {
    const box = copyRealStore("s5-errors-within-grace");
    boxes.push(box);
    const locks = gatewayLocks(box);
    expect(locks).toHaveLength(1);
    if (removeLock) fs.rmSync(locks[0]!);
    const env = { OPENCLAW_SESSIONS_NOW: LATER, TMPDIR: box.tmp, HOME: box.home };
    const args = ["--state-dir", box.stateDir, "--no-probe"];

    // status judges with the default --stale-after (10 min): the capture is 25 min old
    const status = await runJson(["status", ...args], { env });
    expect(status.result.code, status.result.stderr).not.toBe(3);
    const outcomes = Object.fromEntries(
      (status.doc.sessions as Array<{ sessionKey: string; outcome?: string }>).filter((s) => KEYS.includes(s.sessionKey)).map((s) => [s.sessionKey, s.outcome]),
    );
    expect(outcomes).toEqual({ [KEYS[0]!]: "failed", [KEYS[1]!]: "failed" });

    const cleanup = await runJson(["cleanup", "--finalize-stale", ...args], { env });
    expect(cleanup.result.code, cleanup.result.stderr).toBe(0);
    const index = JSON.parse(fs.readFileSync(box.storePath(), "utf8")) as Record<string, Record<string, unknown>>;
    for (const key of KEYS) {
      const row = index[key]!;
      expect(row, key).toMatchObject({ status: "failed", abortedLastRun: true });
      expect(row, key).not.toHaveProperty("runtimeMs");
      expect(row.endedAt, key).toBeGreaterThanOrEqual(row.startedAt as number);
    }
  });
});
