// The command line as a whole (src/program.ts): what every command's failures look like on stderr.
import { describe, expect, it } from "vitest";
import { makeStateDir } from "./fixtures/store-builder.js";
import { run } from "./commands/helpers/run.js";

describe("usage errors on stderr", () => {
  it.each([
    ["an unknown option", ["status", "--no-such-flag"], "unknown option '--no-such-flag'"],
    ["an unknown command", ["frobnicate"], "unknown command 'frobnicate'"],
    ["a missing option value", ["status", "--state-dir"], "option '--state-dir <dir>' argument missing"],
  ])("%s starts with the program's name, as the errors our own code raises do, then the help hint", async (_what, args, words) => {
    const r = await run(args);
    expect(r.code).toBe(64);
    expect(r.stderr).toBe(`openclaw-sessions: ${words}\n(run with --help for usage)\n`);
    expect(r.stdout).toBe("");
  });

  it("a bad value our own parser refuses starts the same way, on one line", async () => {
    const r = await run(["status", "--active", "abc", "--state-dir", makeStateDir()]);
    expect(r.code).toBe(64);
    // one line: it names the flag and what it takes, so no hint follows
    expect(r.stderr).toMatch(/^openclaw-sessions: --active must be a duration[^\n]*\n$/);
  });
});
