import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NotRegularFileError } from "../../src/store/regular-file.js";
import { openTail, openTailSync, tailJson, tailJsonSync, type TailLine, type TailOptions } from "../../src/store/tail.js";
import { makeTempDir } from "../fixtures/store-builder.js";

async function collect(file: string, opts?: TailOptions): Promise<{ lines: TailLine[]; reachedStart: boolean } | undefined> {
  const t = await openTail(file, opts);
  if (!t) return undefined;
  const lines: TailLine[] = [];
  for await (const l of t.lines()) lines.push(l);
  await t.close();
  return { lines, reachedStart: t.reachedStart() };
}

function write(text: string | Buffer): string {
  const p = path.join(makeTempDir(), "f.jsonl");
  fs.writeFileSync(p, text);
  return p;
}

describe("openTail", () => {
  it("yields every line newest-first, across many small windows", async () => {
    const lines = Array.from({ length: 500 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(i % 37)}"}`);
    const p = write(lines.join("\n") + "\n");
    for (const initialBytes of [1, 7, 64, 1000, 1 << 20]) {
      const got = await collect(p, { initialBytes, maxBytes: 1 << 22 });
      expect(got!.lines.map((l) => l.text)).toEqual([...lines].reverse());
      expect(got!.lines.every((l) => !l.partial)).toBe(true);
      expect(got!.reachedStart).toBe(true);
    }
  });

  it("flags an unterminated last line as partial and keeps complete ones complete", async () => {
    const p = write('{"a":1}\n{"b":2}\n{"c":');
    const got = await collect(p, { initialBytes: 3 });
    expect(got!.lines).toEqual([
      { text: '{"c":', partial: true },
      { text: '{"b":2}', partial: false },
      { text: '{"a":1}', partial: false },
    ]);
  });

  it("handles a one-line file without newline, bigger than the first window", async () => {
    const p = write(`{"x":"${"y".repeat(1000)}"}`);
    const got = await collect(p, { initialBytes: 16 });
    expect(got!.lines).toHaveLength(1);
    expect(got!.lines[0].partial).toBe(true);
    expect(JSON.parse(got!.lines[0].text).x).toHaveLength(1000);
  });

  it("stops at maxBytes and drops the partial first line of the window", async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line-${String(i).padStart(3, "0")}`); // 8 bytes + newline each
    const p = write(lines.join("\n") + "\n");
    const got = await collect(p, { initialBytes: 10, maxBytes: 95 });
    // 95 bytes hold 10 full lines (90 bytes) and 5 bytes of an 11th, which must not appear
    expect(got!.lines.map((l) => l.text)).toEqual(lines.slice(90).reverse());
    expect(got!.reachedStart).toBe(false);
  });

  it("says when it stopped inside a line longer than maxBytes, and whether that line is the newest", () => {
    const long = `{"x":"${"y".repeat(500)}"}`;
    const read = (text: string) => {
      const t = openTailSync(write(text), { initialBytes: 16, maxBytes: 100 })!;
      const lines = [...t.linesSync()].map((l) => l.text);
      t.closeSync();
      return { lines, cut: t.cutAtCap() };
    };
    expect(read(`{"a":1}\n${long}\n`)).toEqual({ lines: [], cut: { bytes: 100, lastLine: true } });
    expect(read(`{"a":1}\n${long}`)).toEqual({ lines: [], cut: { bytes: 100, lastLine: true } });
    expect(read(`${long}\n{"b":2}\n`)).toEqual({ lines: ['{"b":2}'], cut: { bytes: 100, lastLine: false } });
    // a file read whole was not cut
    expect(read(`{"a":1}\n{"b":2}\n`)).toEqual({ lines: ['{"b":2}', '{"a":1}'], cut: undefined });
  });

  it("skips empty lines and strips CR", async () => {
    const p = write("a\r\n\n\nb\r\n");
    expect((await collect(p))!.lines.map((l) => l.text)).toEqual(["b", "a"]);
  });

  it("returns undefined for a missing file, refuses a directory naming it, nothing for an empty file", async () => {
    const dir = makeTempDir();
    expect(await openTail(path.join(dir, "nope"))).toBeUndefined();
    await expect(openTail(dir)).rejects.toThrow(`${dir} is a directory, not a regular file`);
    expect((await collect(write("")))!.lines).toEqual([]);
  });

  it("survives the file shrinking between open and read", async () => {
    const big = Array.from({ length: 2000 }, (_, i) => `{"i":${i}}`).join("\n") + "\n";
    const p = write(big);
    const t = await openTail(p, { initialBytes: 64 });
    expect(t!.size).toBe(Buffer.byteLength(big));
    // rewritten in place, much smaller (as OpenClaw keeps the newest tail of a capped file)
    fs.truncateSync(p, 0);
    fs.writeFileSync(p, '{"i":"new-1"}\n{"i":"new-2"}\n');
    const got: string[] = [];
    for await (const l of t!.lines()) got.push(l.text);
    await t!.close();
    expect(got).toEqual(['{"i":"new-2"}', '{"i":"new-1"}']);
  });

  it("stops cleanly when the file shrinks in the middle of the iteration", async () => {
    const big = Array.from({ length: 5000 }, (_, i) => `{"i":${i}}`).join("\n") + "\n";
    const p = write(big);
    const t = await openTail(p, { initialBytes: 256 });
    const got: string[] = [];
    for await (const l of t!.lines()) {
      if (got.length === 3) fs.truncateSync(p, 100);
      got.push(l.text);
    }
    await t!.close();
    expect(got.slice(0, 3)).toEqual(['{"i":4999}', '{"i":4998}', '{"i":4997}']);
    expect(got.length).toBeLessThan(5000);
  });

  it("keeps multi-byte UTF-8 intact across window borders", async () => {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ t: "ünïcødé €".repeat(i % 5 + 1), i }));
    const p = write(lines.join("\n") + "\n");
    const got = await collect(p, { initialBytes: 5 });
    expect(got!.lines.map((l) => l.text)).toEqual([...lines].reverse());
  });
});

describe("tailJson", () => {
  it("skips garbage, arrays and a torn last line", async () => {
    const p = write('{"a":1}\nnot json\n[1,2]\n{"b":2}\n{"c":');
    const t = await openTail(p);
    const got: unknown[] = [];
    for await (const o of tailJson(t!)) got.push(o);
    await t!.close();
    expect(got).toEqual([{ b: 2 }, { a: 1 }]);
  });

  it("uses an unterminated last line that parses", async () => {
    const p = write('{"a":1}\n{"b":2}');
    const t = await openTail(p);
    const got: unknown[] = [];
    for await (const o of tailJson(t!)) got.push(o);
    await t!.close();
    expect(got).toEqual([{ b: 2 }, { a: 1 }]);
  });

  it("parses a line with leading JSON whitespace, as JSON.parse does", async () => {
    const p = write(' \t{"a":1}\n{"b":2}\n');
    const t = await openTail(p);
    const got: unknown[] = [];
    for await (const o of tailJson(t!)) got.push(o);
    await t!.close();
    expect(got).toEqual([{ b: 2 }, { a: 1 }]);
  });
});

describe("the synchronous readers", () => {
  it("linesSync and tailJsonSync give what lines and tailJson give, across windows", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => (i % 7 === 3 ? "garbage" : JSON.stringify({ i, t: "é".repeat(i % 11) })));
    const p = write(lines.join("\n") + "\n" + '{"torn":');
    for (const initialBytes of [1, 9, 100, 1 << 16]) {
      const a = await openTail(p, { initialBytes });
      const b = openTailSync(p, { initialBytes })!;
      const asyncLines: TailLine[] = [];
      for await (const l of a!.lines()) asyncLines.push(l);
      expect([...b.linesSync()]).toEqual(asyncLines);
      expect(b.reachedStart()).toBe(a!.reachedStart());
      await a!.close();
      b.closeSync();
      const c = openTailSync(p, { initialBytes })!;
      const d = (await openTail(p, { initialBytes }))!;
      const asyncObjects: unknown[] = [];
      for await (const o of tailJson(d)) asyncObjects.push(o);
      expect([...tailJsonSync(c)]).toEqual(asyncObjects);
      c.closeSync();
      await d.close();
    }
  });

  it("a FIFO planted at the name is refused at once, not waited on, saying what it is", () => {
    const p = path.join(makeTempDir(), "fifo.jsonl");
    execFileSync("mkfifo", [p]);
    expect(() => openTailSync(p)).toThrow(NotRegularFileError);
    expect(() => openTailSync(p)).toThrow(`${p} is a FIFO (named pipe), not a regular file`);
  });

  it("a symlink to a regular file is read as that file", () => {
    const target = write('{"a":1}\n');
    const link = path.join(makeTempDir(), "link.jsonl");
    fs.symlinkSync(target, link);
    const t = openTailSync(link)!;
    expect([...t.linesSync()].map((l) => l.text)).toEqual(['{"a":1}']);
    t.closeSync();
  });

  it("closing twice is harmless; a missing file is undefined, a directory refused", () => {
    const p = write("{}\n");
    const t = openTailSync(p)!;
    t.closeSync();
    t.closeSync();
    expect(openTailSync(path.join(makeTempDir(), "nope"))).toBeUndefined();
    expect(() => openTailSync(makeTempDir())).toThrow(/is a directory, not a regular file/);
  });
});

