// A failed --json run answers on stdout with the error document (src/commands/json-failure.ts),
// never where it would break output already begun; without --json stdout stays empty.
import { describe, expect, it } from "vitest";
import { makeStateDir, makeTempDir } from "../fixtures/store-builder.js";
import { errorDocument, exitKind, trackStdout, wantsJson } from "../../src/commands/json-failure.js";
import { bufferIo, run } from "./helpers/run.js";
import path from "node:path";
import { loadSchema, validate } from "../e2e/helpers/schema.js";

const SCHEMA = loadSchema("error.schema.json");

const missing = () => path.join(makeTempDir("ocs-json-fail-"), "no-state-dir");

describe("a failed --json run", () => {
  it.each([
    ["status", ["status", "--json", "--no-probe"]],
    ["cleanup", ["cleanup", "--json", "--finalize-stale"]],
    ["cleanup --undo", ["cleanup", "--json", "--undo"]],
  ])("%s on a missing state dir: exit 3 and the error document on stdout", async (_name, args) => {
    const state = missing();
    const r = await run([...args, "--state-dir", state]);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual({ schemaVersion: 1, error: { exitCode: 3, kind: "unknown", message: expect.stringContaining(state) } });
    expect(validate(SCHEMA, doc)).toEqual([]);
    expect(r.stderr).toContain(state);
  });

  it("a usage error (a bad value, an unknown flag): exit 64, kind usage, the same words as on stderr", async () => {
    const bad = await run(["status", "--json", "--limit", "0", "--state-dir", makeStateDir()]);
    expect(bad.code).toBe(64);
    const doc = JSON.parse(bad.stdout);
    expect(doc.error).toMatchObject({ exitCode: 64, kind: "usage" });
    expect(bad.stderr).toContain(doc.error.message);
    expect(validate(SCHEMA, doc)).toEqual([]);
    expect(validate(SCHEMA, { ...doc, error: { ...doc.error, kind: "nope" } })).toHaveLength(1);

    const unknown = await run(["status", "--json", "--no-such-flag"]);
    expect(unknown.code).toBe(64);
    expect(JSON.parse(unknown.stdout).error).toMatchObject({ exitCode: 64, kind: "usage", message: expect.stringContaining("--no-such-flag") });
  });

  it("--json taken as an option's value (`--state-dir --json`) is not JSON mode: stdout stays empty", async () => {
    const r = await run(["status", "--no-probe", "--state-dir", "--json"], { env: { HOME: makeTempDir("ocs-json-home-") } });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(`--state-dir was given the option "--json" as its value`);
    expect(r.stdout).toBe("");
  });

  it("without --json stdout stays empty; --help with --json prints help, not an error", async () => {
    const r = await run(["status", "--state-dir", missing()]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    const help = await run(["status", "--json", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: openclaw-sessions status/);
  });
});

describe("where the document may go", () => {
  it("an untouched stdout, or after whole lines; never in the middle of a line", () => {
    const io = bufferIo();
    const t = trackStdout(io);
    expect(t.canAppend()).toBe("untouched");
    t.io.stdout.write("");
    expect(t.canAppend()).toBe("untouched");
    t.io.stdout.write('{"a":');
    expect(t.canAppend()).toBe("midline");
    t.io.stdout.write(Buffer.from("1}\n"));
    expect(t.canAppend()).toBe("lines");
    expect(io.stdout.text).toBe('{"a":1}\n');
  });

  it("the tracked stdout is still the terminal it wraps (width, TTY)", () => {
    const io = bufferIo({ columns: 93 });
    const t = trackStdout(io);
    expect(t.io.stdout.isTTY).toBe(true);
    expect(t.io.stdout.columns).toBe(93);
  });

  it("--json counts only among the options, not after --", () => {
    expect(wantsJson(["status", "--json"])).toBe(true);
    expect(wantsJson(["status", "--", "--json"])).toBe(false);
    expect(wantsJson(["status"])).toBe(false);
  });

  it("the document is one line, its kind the exit table's name for the code", () => {
    expect(errorDocument(5, "held")).toBe('{"schemaVersion":1,"error":{"exitCode":5,"kind":"busy","message":"held"}}\n');
    expect([0, 1, 2, 3, 4, 5, 64, 69].map(exitKind)).toEqual(["ok", "warning", "critical", "unknown", "writeRefused", "busy", "usage", "unavailable"]);
  });
});
