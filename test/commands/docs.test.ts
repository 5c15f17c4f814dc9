// Every flag a command accepts is documented in the README and the man page.
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/commands/index.js";

const root = path.resolve(import.meta.dirname, "../..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
// roff escapes '-' as '\-'
const man = fs.readFileSync(path.join(root, "man/openclaw-sessions.1"), "utf8").replaceAll("\\-", "-");

const program = new Command("openclaw-sessions");
for (const register of commands) register(program);

describe("documentation", () => {
  it("names every command", () => {
    expect(program.commands.map((c) => c.name()).sort()).toEqual(["cleanup", "demo", "keepalive", "serve", "status", "watch"]);
  });

  for (const cmd of program.commands) {
    const flags = cmd.options.map((o) => o.long!).filter((f) => f !== "--help");
    it(`README and man page describe every flag of ${cmd.name()}`, () => {
      for (const flag of flags) {
        expect(readme, `README lacks ${flag}`).toContain(flag);
        expect(man, `man page lacks ${flag}`).toContain(flag);
      }
      expect(readme).toContain(`## \`${cmd.name()}\``);
      expect(man).toContain(`.SS ${cmd.name()}`);
    });
  }

  it("the README starts with the two commands that run the demo and the tests", () => {
    const firstBlock = readme.split("```")[1];
    expect(firstBlock).toContain("npm run demo");
    expect(firstBlock).toContain("bash .ci/run");
    expect(fs.readFileSync(path.join(root, ".ci/run"), "utf8")).toContain("npm test");
  });
});
