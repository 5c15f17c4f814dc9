import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { CliError, EXIT } from "./core/errors.js";
import { commandsFor } from "./commands/lazy.js";
import { guardStdio } from "./ui/closed-pipe.js";
import { keepYoungGenerationSmall } from "./store/heap.js";

const EXIT_HELP = `
Exit codes:
  0   success (status --check: every session fine)
  1   status --check: a session is stalled (warning)
  2   status --check: a session is unresponsive (critical)
  3   unknown: a store, index or config that cannot be read, or nothing to check (nothing is written)
  4   a write was refused or failed (the index is unchanged)
  5   another openclaw-sessions process holds the store lock
  64  usage error: an unknown flag, a bad value, contradicting flags
  69  a service needed is unavailable (a port in use, a gateway refusing our auth)`;

export async function buildProgram(args: readonly string[] = process.argv.slice(2)): Promise<Command> {
  const program = new Command("openclaw-sessions")
    .description("Live session health, index repair and keep-alive for OpenClaw gateways")
    .version(packageVersion())
    .addHelpText("after", EXIT_HELP)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const register of await commandsFor(args)) register(program);
  return program;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function main(): Promise<void> {
  guardStdio();
  keepYoungGenerationSmall();
  const program = await buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // help and version are "errors" to commander only
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof CliError) {
    process.stderr.write(`openclaw-sessions: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  process.stderr.write(`openclaw-sessions: ${e?.message ?? String(err)}\n`);
  if (process.env.OPENCLAW_SESSIONS_DEBUG) process.stderr.write(`${e?.stack}\n`);
  return EXIT.unknown;
}

await main();
