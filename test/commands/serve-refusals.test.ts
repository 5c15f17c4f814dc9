// `serve` refuses what it cannot serve safely before it listens: one line on stderr and exit 64
// (usage), for every bad flag, in-process. The built CLI's own exit 64 at start, and its exit 69
// for a port in use, are checked in test/e2e/serve-auth.test.ts.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeStateDir, makeTempDir } from "../fixtures/store-builder.js";
import { idleStore } from "../e2e/watch-fixture.js";
import { run } from "./helpers/run.js";

function tokenFile(text: string): string {
  const f = path.join(makeTempDir("ocs-token-"), "token");
  fs.writeFileSync(f, text, { mode: 0o600 });
  return f;
}

describe("serve refuses at start, one line and exit 64", () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ["a non-loopback host without a token", () => ["--host", "0.0.0.0"], /--host 0\.0\.0\.0 .*--token-file/],
    ["a bad --heartbeat-interval", () => ["--heartbeat-interval", "soon"], /--heartbeat-interval/],
    ["a bad --log-format", () => ["--log-format", "xml"], /--log-format/],
    ["a port out of range", () => ["--port", "70000"], /--port/],
    ["a --cors-origin that is not an origin", () => ["--cors-origin", "https://dash.example/"], /--cors-origin/],
    ["a missing --token-file", () => ["--token-file", path.join(makeTempDir(), "missing")], /--token-file/],
    ["an empty --token-file", () => ["--token-file", tokenFile("\n")], /--token-file .* is empty/],
    ["a --stall-after for a state that never stalls", () => ["--stall-after", "idle=5m"], /--stall-after/],
  ];
  it.each(cases)("%s", async (_what, args, message) => {
    const state = makeStateDir();
    idleStore(state);
    const r = await run(["serve", "--state-dir", state, "--no-probe", ...args()]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^openclaw-sessions: [^\n]+\n$/);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });
});
