// Every flag a command accepts is documented in the README and the man page.
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/commands/index.js";
import { DOTS } from "../../src/ui/dots.js";
import { loadSchema, validate } from "../e2e/helpers/schema.js";
import { run } from "./helpers/run.js";

const root = path.resolve(import.meta.dirname, "../..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
// roff escapes '-' as '\-'
const man = fs.readFileSync(path.join(root, "man/openclaw-sessions.1"), "utf8").replaceAll("\\-", "-");

const program = new Command("openclaw-sessions");
for (const register of commands) register(program);

/** The options every command that reads stores takes: the man page's synopses say "[global options]". */
const GLOBAL = ["--state-dir", "--store", "--agent", "--all-agents", "--profile", "--no-color"];

/** A man page section's text, up to the next .SH. */
const manSection = (name: string) => man.split(`.SH ${name}\n`)[1]!.split("\n.SH ")[0]!;

/** The README table row of an exit code. */
const readmeExitRow = (code: number) => readme.split("\n").find((l) => l.startsWith(`| ${code} |`))!;

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

  it("the man page's synopsis of each command names every flag it takes but the global options", () => {
    const synopses = manSection("SYNOPSIS").split(".br");
    for (const cmd of program.commands) {
      const synopsis = synopses.filter((b) => b.includes(`.B openclaw-sessions ${cmd.name()}`)).join("\n");
      for (const flag of cmd.options.map((o) => o.long!)) {
        if (flag !== "--help" && !GLOBAL.includes(flag)) expect(synopsis, `${cmd.name()}'s synopsis lacks ${flag}`).toContain(flag);
      }
    }
  });

  it("every command's --state-dir help names the whole default, as the README and the man page do: $OPENCLAW_STATE_DIR, $OPENCLAW_HOME, the legacy ~/.clawdbot", () => {
    const stateDirOf = (cmd: Command) => cmd.options.find((o) => o.long === "--state-dir");
    const readers = program.commands.filter(stateDirOf);
    expect(readers.map((c) => c.name()).sort()).toEqual(["cleanup", "keepalive", "serve", "status", "watch"]);
    for (const cmd of readers) {
      for (const source of ["$OPENCLAW_STATE_DIR", "$OPENCLAW_HOME", "~/.clawdbot"]) expect(stateDirOf(cmd)!.description, `${cmd.name()} --state-dir`).toContain(source);
    }
    const readmeRow = readme.split("\n").find((l) => l.startsWith("| `--state-dir DIR` |"))!;
    for (const text of [readmeRow, man]) for (const source of ["OPENCLAW_STATE_DIR", "OPENCLAW_HOME", "~/.clawdbot"]) expect(text).toContain(source);
  });

  it("demo's exits 3 (--era C without Node 24) and 4 (--keep/--out not empty, or a file) are in the man page's EXIT STATUS, the README's table and demo --help", async () => {
    const exits = manSection("EXIT STATUS").split(".TP\n");
    const manEntry = (code: number) => exits.find((e) => e.startsWith(`.B ${code}\n`))!;
    expect(manEntry(3)).toContain("demo --era C without Node 24");
    expect(manEntry(4)).toContain("demo --keep or --out naming a directory that is not empty, or a file");
    expect(readmeExitRow(3)).toContain("`demo --era C` without Node 24");
    expect(readmeExitRow(4)).toContain("`demo --keep/--out` into a non-empty dir, or onto a file");
    const help = (await run(["demo", "--help"])).stdout;
    expect(help).toMatch(/^ {2}4 +--keep or --out names a directory that is not empty, or a file \(nothing was written\)$/m);
  });

  it("the --json error contract gives no example only serve can hit (a port in use): serve takes no --json", () => {
    const serve = program.commands.find((c) => c.name() === "serve")!;
    expect(serve.options.map((o) => o.long)).not.toContain("--json");
    const contracts = [
      readme.split("With `--json`, a run that stops on an error")[1]!.split("\n\n")[0]!,
      man.split("With --json, a run that stops on an error")[1]!.split("\n.PP")[0]!,
    ];
    for (const text of contracts) {
      const examples = text.replace(/\s+/g, " ").split("(")[1]!.split(")")[0]!;
      expect(examples).not.toMatch(/(^|, )a port in use(,|$)/);
      expect(examples).toMatch(/not a port in use: only `?serve`? binds one, and it takes no `?--json`?/);
    }
  });

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
