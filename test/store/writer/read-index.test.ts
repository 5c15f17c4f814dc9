// The writer's own strict read of sessions.json refuses (exit 4, nothing written) what is not a
// regular JSON file, saying what it found: a FIFO (without blocking on it), a byte-order mark.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT, WriteRefusedError } from "../../../src/core/errors.js";
import { readIndexStrict } from "../../../src/store/writer/read-index.js";
import { makeTempDir } from "../../fixtures/store-builder.js";

function refusal(file: string): WriteRefusedError {
  try {
    readIndexStrict(file);
  } catch (err) {
    if (err instanceof WriteRefusedError) return err;
    throw err;
  }
  throw new Error("not refused");
}

describe("readIndexStrict", () => {
  it("undefined when there is no index; a plain index is read", () => {
    const dir = makeTempDir();
    expect(readIndexStrict(path.join(dir, "sessions.json"))).toBeUndefined();
    fs.writeFileSync(path.join(dir, "sessions.json"), '{"a":{"sessionId":"x","updatedAt":1}}');
    expect(readIndexStrict(path.join(dir, "sessions.json"))!.obj).toEqual({ a: { sessionId: "x", updatedAt: 1 } });
  });

  it("a FIFO is refused at once, naming it", () => {
    const file = path.join(makeTempDir(), "sessions.json");
    execFileSync("mkfifo", [file]);
    const err = refusal(file);
    expect(err.exitCode).toBe(EXIT.writeRefused);
    expect(err.message).toBe(`${file} is a FIFO (named pipe), not a regular file; nothing written`);
  });

  it("a byte-order mark is named as such, not as a JSON error at 1:1", () => {
    const file = path.join(makeTempDir(), "sessions.json");
    fs.writeFileSync(file, "\ufeff{}");
    expect(refusal(file).message).toMatch(/starts with a byte-order mark \(UTF-8 BOM\)/);
  });
});
