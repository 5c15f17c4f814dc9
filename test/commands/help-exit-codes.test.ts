// Every command's --help carries the exit table of the codes that command can return (the design's
// one exit table, per command): a code it returns but does not list leaves a monitor or a cron job
// guessing, and a code it lists but never returns sends one looking for a failure that cannot be.
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/core/errors.js";
import { run } from "./helpers/run.js";

/** 128 + SIGHUP, SIGINT, SIGTERM */
const SIGNALLED = [129, 130, 143];

/**
 * What each command can return, and where from (src/commands/*): every command refuses bad usage
 * (64, commander and the settings); the rest is each command's own.
 */
const CODES: Record<string, number[]> = {
  // --check's verdicts; 3 for an unreadable store or --check with no store; 69 for --gateway refused (status-gateway.ts) or our identity (gateway/identity.ts)
  status: [EXIT.ok, EXIT.warning, EXIT.critical, EXIT.unknown, EXIT.usage, EXIT.unavailable],
  // 3 at start or for --once's unread stores; a refusing gateway is only a notice in the loop
  watch: [EXIT.ok, EXIT.unknown, EXIT.usage, EXIT.unavailable],
  // refused stores and nothing to act on (3), the writer (4), the store lock (5), a signal mid-write
  cleanup: [EXIT.ok, EXIT.unknown, EXIT.writeRefused, EXIT.busy, EXIT.usage, ...SIGNALLED],
  // --once's outcomes (3, 4, 5), the loop lock (5), a second signal while stopping
  keepalive: [EXIT.ok, EXIT.unknown, EXIT.writeRefused, EXIT.busy, EXIT.usage, ...SIGNALLED],
  // a port or a gateway at start (69); everything read is logged and retried, never an exit
  serve: [EXIT.ok, EXIT.usage, EXIT.unavailable],
  // --era C without Node 24 (3), a non-empty --keep/--out (4)
  demo: [EXIT.ok, EXIT.unknown, EXIT.writeRefused, EXIT.usage],
};

/** The codes an "Exit codes:" table lists: each entry starts its line with one code or a comma-separated few. */
function listedCodes(help: string): number[] {
  const at = help.indexOf("\nExit codes:\n");
  expect(at, "no 'Exit codes:' table").toBeGreaterThanOrEqual(0);
  const codes: number[] = [];
  for (const line of help.slice(at + "\nExit codes:\n".length).split("\n")) {
    const entry = /^ {2}(\d+(?:, \d+)*) /.exec(line);
    if (entry) codes.push(...entry[1].split(", ").map(Number));
    else if (!/^ {3,}\S/.test(line)) break; // the table ends at the first line that neither starts an entry nor continues one
  }
  return codes.sort((a, b) => a - b);
}

describe("each command's --help lists exactly the exit codes it can return", () => {
  for (const [command, codes] of Object.entries(CODES)) {
    it(command, async () => {
      const r = await run([command, "--help"]);
      expect(r.code).toBe(0);
      expect(listedCodes(r.stdout)).toEqual([...codes].sort((a, b) => a - b));
    });
  }

  it("the program's --help lists every code any command returns", async () => {
    const r = await run(["--help"]);
    const every = [...new Set(Object.values(CODES).flat())].sort((a, b) => a - b);
    expect(listedCodes(r.stdout)).toEqual(every);
  });

  it("every command is in the table (a new command needs its row)", async () => {
    const r = await run(["--help"]);
    const commands = [...r.stdout.matchAll(/^ {2}([a-z]+) \[options\]/gm)].map((m) => m[1]);
    expect(commands.sort()).toEqual(Object.keys(CODES).sort());
  });
});
