// Every flag a command accepts is documented in the README and the man page.
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/commands/index.js";
import { DOTS } from "../../src/ui/dots.js";
import { loadSchema, validate } from "../e2e/helpers/schema.js";

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

  it("the man page draws each health with the glyph the tool draws (a groff \\[uXXXX] escape), one glyph per health", () => {
    for (const { shape, word } of Object.values(DOTS)) {
      const escape = `\\[u${shape.codePointAt(0)!.toString(16).toUpperCase()}] ${word}`;
      expect(man, `man page lacks ${escape}`).toContain(escape);
    }
  });

  it("the README says which commands take the global options (demo does not)", () => {
    const takes = program.commands.filter((c) => c.options.some((o) => o.long === "--state-dir")).map((c) => c.name());
    const heading = readme.split("\n").find((l) => l.startsWith("## Global options"))!;
    for (const name of takes) expect(heading).toContain(`\`${name}\``);
    expect(takes).not.toContain("demo");
    expect(heading).not.toMatch(/every command/);
  });

  it("the README's `status --json` example is a valid status document", () => {
    const example = readme.split("`status --json` (schema:")[1]!.split("```json\n")[1]!.split("```")[0]!;
    expect(validate(loadSchema("status.schema.json"), JSON.parse(example))).toEqual([]);
  });

  it("the README does not claim a mode the writer does not set", () => {
    // the index keeps its own mode; only files of our own (the gateway device key) are 0600
    const claims = readme.split("\n").filter((l) => /mode 0600/.test(l));
    for (const line of claims) expect(line).toMatch(/gateway-device\.json/);
  });

  it("the README starts with the two commands that run the demo and the tests", () => {
    const firstBlock = readme.split("```")[1];
    expect(firstBlock).toContain("npm run demo");
    expect(firstBlock).toContain("bash .ci/run");
    expect(fs.readFileSync(path.join(root, ".ci/run"), "utf8")).toContain("npm test");
  });
});
