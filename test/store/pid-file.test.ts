import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WriteRefusedError } from "../../src/core/errors.js";
import { createPidFile, readPidFile, removeIfUnchanged } from "../../src/store/pid-file.js";
import { makeTempDir } from "../fixtures/store-builder.js";

const opts = (file: string) => ({ mode: 0o600, what: `the lock ${file}`, forPath: "/s/sessions.json" });

describe("the O_EXCL pid-file protocol", () => {
  it("creates once with the whole body and the mode; a second create finds it taken", () => {
    const file = path.join(makeTempDir(), "x.lock");
    expect(createPidFile(file, '{"pid":1}\n', opts(file))).toBe(true);
    expect(createPidFile(file, '{"pid":2}\n', opts(file))).toBe(false);
    expect(fs.readFileSync(file, "utf8")).toBe('{"pid":1}\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("a file that cannot be created is a WriteRefusedError naming it and the store", () => {
    const file = path.join(makeTempDir(), "missing-dir", "x.lock");
    expect(() => createPidFile(file, "{}", opts(file))).toThrow(WriteRefusedError);
    expect(() => createPidFile(file, "{}", opts(file))).toThrow(`cannot create the lock ${file} for /s/sessions.json`);
  });

  it("removes the judged file, never one a rival created since", () => {
    const file = path.join(makeTempDir(), "x.lock");
    createPidFile(file, '{"pid":1}', opts(file));
    const judged = readPidFile(file)!;
    fs.rmSync(file);
    createPidFile(file, '{"pid":2}', opts(file));
    removeIfUnchanged(file, judged);
    expect(fs.readFileSync(file, "utf8")).toBe('{"pid":2}');
    removeIfUnchanged(file, readPidFile(file)!);
    expect(fs.existsSync(file)).toBe(false);
    expect(readPidFile(file)).toBeUndefined();
  });
});
