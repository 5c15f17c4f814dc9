// Only regular files are read from a store: a FIFO, directory or socket at a name we read is
// refused at once (never waited on) with its path and what it is.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/core/errors.js";
import { NotRegularFileError, openRegularSync, readRegularFileSync, startsWithBom } from "../../src/store/regular-file.js";
import { makeTempDir } from "../fixtures/store-builder.js";

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

function refusal(fn: () => unknown): NotRegularFileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof NotRegularFileError) return err;
    throw err;
  }
  throw new Error("not refused");
}

describe("openRegularSync / readRegularFileSync", () => {
  it("reads a regular file, and a symlink to one, through one descriptor", () => {
    const dir = makeTempDir();
    const file = path.join(dir, "a.json");
    fs.writeFileSync(file, "{}");
    fs.symlinkSync(file, path.join(dir, "link.json"));
    expect(readRegularFileSync(file)!.toString()).toBe("{}");
    expect(readRegularFileSync(path.join(dir, "link.json"))!.toString()).toBe("{}");
    const opened = openRegularSync(file)!;
    expect(opened.stat.isFile()).toBe(true);
    fs.closeSync(opened.fd);
  });

  it("undefined when nothing is there (or a parent is a file)", () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, "f"), "");
    expect(openRegularSync(path.join(dir, "nope"))).toBeUndefined();
    expect(readRegularFileSync(path.join(dir, "f", "child"))).toBeUndefined();
  });

  it("a FIFO is refused at once with its path (exit 3, unknown)", () => {
    const p = path.join(makeTempDir(), "sessions.json");
    execFileSync("mkfifo", [p]);
    const err = refusal(() => readRegularFileSync(p));
    expect(err.message).toBe(`${p} is a FIFO (named pipe), not a regular file`);
    expect(err.exitCode).toBe(EXIT.unknown);
  });

  it("a directory names its path (no bare EISDIR)", () => {
    const dir = makeTempDir();
    expect(refusal(() => readRegularFileSync(dir)).message).toBe(`${dir} is a directory, not a regular file`);
  });

  it("a socket is refused as a socket", async () => {
    const p = path.join(makeTempDir(), "s.jsonl");
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(p, resolve));
    expect(refusal(() => openRegularSync(p)).message).toBe(`${p} is a socket, not a regular file`);
  });

  it("a character device is refused as one", () => {
    expect(refusal(() => openRegularSync("/dev/null")).message).toBe("/dev/null is a character device, not a regular file");
  });

  it("startsWithBom sees only EF BB BF at the very start", () => {
    expect(startsWithBom(Buffer.from("\ufeff{}"))).toBe(true);
    expect(startsWithBom(Buffer.from("{}\ufeff"))).toBe(false);
    expect(startsWithBom(Buffer.from([0xef, 0xbb]))).toBe(false);
  });
});
