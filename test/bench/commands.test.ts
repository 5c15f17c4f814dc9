import path from "node:path";
import { describe, expect, it } from "vitest";
import { listCommands, resolveCommands } from "../../bench/commands.js";

const HELP = `Usage: openclaw-sessions [options] [command]

Options:
  -V, --version     output the version number

Commands:
  status [options]  show every session's real state: derived from transcripts,
                    trajectories and locks, not the index alone
  cleanup [options] finalize stale entries
  help [command]    display help for command

Exit codes:
  0  success
`;

describe("listCommands", () => {
  it("reads the names under Commands:, not continuation lines or exit codes", () => {
    expect(listCommands(HELP)).toEqual(["status", "cleanup", "help"]);
  });

  it("finds none in a help without commands", () => {
    expect(listCommands("Usage: x\n")).toEqual([]);
  });
});

describe("resolveCommands against the built CLI", () => {
  const cli = path.resolve("bin/openclaw-sessions.js");
  const resolved = resolveCommands(cli);

  it("times status with --json (and --no-probe, which it has)", () => {
    const status = resolved.find((r) => r.cmd.command === "status")!;
    expect(status.skip).toBeUndefined();
    expect(status.args).toEqual(["status", "--json", "--no-probe"]);
  });

  it("either runs a command with every flag that makes it read-only, or says why it skips it", () => {
    for (const r of resolved) {
      if (r.args) expect(r.args).toEqual(expect.arrayContaining(r.cmd.required));
      else expect(r.skip).toMatch(new RegExp(r.cmd.command));
    }
  });
});
