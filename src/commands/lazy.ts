import type { Command } from "commander";
import type { CommandContext } from "./io.js";

type Register = (program: Command, ctx?: CommandContext) => void;

/**
 * The commands of index.ts, each loaded only when run: a command's module pulls in its whole
 * graph (demo the simulator, serve its server, watch Ink), which `status` should not pay for.
 * Same names and order as index.ts (test/commands/lazy.test.ts checks).
 */
export const commandLoaders: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ["status", async () => (await import("./status.js")).register],
  ["watch", async () => (await import("./watch.js")).register],
  ["keepalive", async () => (await import("./keepalive.js")).register],
  ["cleanup", async () => (await import("./cleanup.js")).register],
  ["demo", async () => (await import("./demo.js")).register],
  ["serve", async () => (await import("./serve.js")).register],
];

/** The commands to register for `args` (argv after the script): only the one named, none for
 * the version alone (it needs no command, and loading all six took it from 0.14 s to 0.26 s),
 * else all (help, a typo). */
export async function commandsFor(args: readonly string[]): Promise<Register[]> {
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) return [];
  const named = args.find((a) => !a.startsWith("-"));
  const one = commandLoaders.find(([name]) => name === named);
  return Promise.all((one ? [one] : commandLoaders).map(([, load]) => load()));
}
