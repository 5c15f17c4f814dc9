// The whole command line as a function of its arguments and its Io: the CLI runs it on the
// process's streams, tests run it in-process on buffers.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { CliError, EXIT } from "./core/errors.js";
import { commandsFor } from "./commands/lazy.js";
import { processIo, type CommandContext, type Io } from "./commands/io.js";
import { errorDocument, trackStdout, wantsJson } from "./commands/json-failure.js";
import { refuseOptionValues } from "./commands/option-values.js";

const EXIT_HELP = `
Exit codes:
  0   success (status --check: every session fine)
  1   status --check: a session is stalled (warning)
  2   status --check: a session is unresponsive (critical)
  3   unknown: a store, index or config that cannot be read (that store is not written; cleanup
      still cleans the others), or the audit log cleanup --undo reads, or nothing to check (no
      session store found)
  4   a write was refused or failed (the index is unchanged)
  5   another openclaw-sessions process holds the store lock
  64  usage error: an unknown flag, a bad value, an empty value or an option given as a value,
      contradicting flags
  69  a service needed is unavailable (a port in use, a gateway refusing our auth)
  129, 130, 143  stopped by SIGHUP, SIGINT, SIGTERM: cleanup after finishing the write in progress;
      keepalive on a second signal while stopping
With --json a failure also prints {"schemaVersion":1,"error":{"exitCode","kind","message"}} on stdout.`;

/** The program for `args`: only the command named there is loaded (all of them for help or a typo). */
export async function buildProgram(args: readonly string[], ctx: CommandContext = { io: processIo(), exit: (code) => (process.exitCode = code) }): Promise<Command> {
  const program = new Command("openclaw-sessions")
    .description("Live session health, index repair and keep-alive for OpenClaw gateways")
    .version(packageVersion())
    .addHelpText("after", EXIT_HELP)
    .showHelpAfterError("(run with --help for usage)")
    // subcommands made after this inherit where help and usage errors go; a usage error starts
    // with the program's name, as every other error of ours does (commander's own is "error: ")
    .configureOutput({
      writeOut: (s) => void ctx.io.stdout.write(s),
      writeErr: (s) => void ctx.io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, "openclaw-sessions: ")),
    })
    .exitOverride();
  for (const register of await commandsFor(args)) register(program, ctx);
  return program;
}

/** The built CLI runs from dist/src, tests run the sources in src: package.json is one or two levels up. */
function packageVersion(): string {
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as { name?: string; version: string };
      if (pkg.name === "openclaw-sessions") return pkg.version;
    } catch {
      // not this level
    }
  }
  throw new Error("package.json of openclaw-sessions not found");
}

/** Commands whose --json output is NDJSON: an error record may follow whole lines already written. */
const NDJSON_COMMANDS = new Set(["watch", "keepalive"]);

/**
 * Runs one command line (`argv` without node and the script) and resolves with its exit code.
 * A command that does not report through its context (it sets process.exitCode) is read there.
 * With --json a failure also prints the error document on stdout (json-failure.ts).
 */
export async function runProgram(argv: readonly string[], io: Io, stop?: AbortSignal): Promise<number> {
  const json = wantsJson(argv) ? trackStdout(io) : undefined;
  const runIo = json?.io ?? io;
  let code: number | undefined;
  // once the options are parsed, they say whether --json was given (`--state-dir --json` makes it a value)
  let action: { name: string; json: boolean } | undefined;
  const program = await buildProgram(argv, { io: runIo, exit: (c) => (code = c), stop });
  program.hook("preAction", (_root, cmd) => {
    action = { name: cmd.name(), json: cmd.opts().json === true };
    refuseOptionValues(cmd);
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    const failure = failureOf(err, io);
    const asked = json !== undefined && (action?.json ?? true);
    const where = json?.canAppend();
    if (failure.message !== undefined && asked && (where === "untouched" || (where === "lines" && NDJSON_COMMANDS.has(action?.name ?? "")))) {
      io.stdout.write(errorDocument(failure.code, failure.message));
    }
    return failure.code;
  }
  return code ?? Number(process.exitCode ?? EXIT.ok);
}

/** The exit code for what a command threw, and the message it printed on stderr (none for help). */
function failureOf(err: unknown, io: Io): { code: number; message?: string } {
  if (err instanceof CommanderError) {
    // help and version are "errors" to commander only; a usage error was printed by commander
    if (err.exitCode === 0) return { code: EXIT.ok };
    return { code: EXIT.usage, message: err.message.replace(/^error: /, "") };
  }
  if (err instanceof CliError) {
    io.stderr.write(`openclaw-sessions: ${err.message}\n`);
    return { code: err.exitCode, message: err.message };
  }
  const e = err as NodeJS.ErrnoException;
  const message = e?.message ?? String(err);
  io.stderr.write(`openclaw-sessions: ${message}\n`);
  if (io.env.OPENCLAW_SESSIONS_DEBUG) io.stderr.write(`${e?.stack}\n`);
  return { code: EXIT.unknown, message };
}
