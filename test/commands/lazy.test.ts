// The lazily loaded command list is the same as index.ts's, and a command named on the line
// loads alone.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/commands/index.js";
import { commandLoaders, commandsFor } from "../../src/commands/lazy.js";

const names = (registers: Array<(p: Command) => void>) => {
  const program = new Command("x");
  for (const r of registers) r(program);
  return program.commands.map((c) => c.name());
};

describe("lazy command loading", () => {
  it("loads the same commands, in the same order, as index.ts", async () => {
    expect(commandLoaders.map(([n]) => n)).toEqual(names(commands));
    expect(names(await commandsFor([]))).toEqual(names(commands));
  });

  it("registers only the command named (after leading options), and all for help or a typo", async () => {
    expect(names(await commandsFor(["status", "--json"]))).toEqual(["status"]);
    expect(names(await commandsFor(["--no-color", "watch"]))).toEqual(["watch"]);
    expect(names(await commandsFor(["--help"]))).toEqual(names(commands));
    expect(names(await commandsFor(["stauts"]))).toEqual(names(commands));
  });

  it("loads no command for the version alone, and all when the version comes with anything else", async () => {
    expect(await commandsFor(["--version"])).toEqual([]);
    expect(await commandsFor(["-V"])).toEqual([]);
    expect(names(await commandsFor(["--version", "--bogus"]))).toEqual(names(commands));
  });
});
