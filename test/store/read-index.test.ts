import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UnreadableError } from "../../src/core/errors.js";
import { lineCol } from "../../src/store/json-position.js";
import { readIndex } from "../../src/store/read-index.js";
import { makeTempDir, writeIndex, makeStateDir } from "../fixtures/store-builder.js";
import { REAL_OPENCLAW } from "../fixtures/real-openclaw.js";

function writeRaw(text: string): string {
  const p = path.join(makeTempDir(), "sessions.json");
  fs.writeFileSync(p, text);
  return p;
}

function errorOf(p: string): UnreadableError {
  try {
    readIndex(p);
  } catch (e) {
    if (e instanceof UnreadableError) return e;
    throw e;
  }
  throw new Error("expected readIndex to throw");
}

describe("readIndex: refuses what it cannot read", () => {
  it.each([
    ["an empty file", "", /is empty/],
    ["whitespace only", "  \n", /is empty/],
    ["an array", "[]", /holds an array/],
    ["null", "null", /holds null/],
    ["a number", "42", /holds a number/],
  ])("%s", (_name, text, re) => {
    const p = writeRaw(text);
    const err = errorOf(p);
    expect(err.message).toMatch(re);
    expect(err.message).toContain(p);
    expect(err.exitCode).toBe(3);
  });

  it.each([
    // [text, line, col] of the offending character
    ['{\n  "a": {"sessionId": "x", "updatedAt": 1},\n}', 3, 1],
    ['{\n  "a": {"sessionId": "x", "updatedAt": 1}', 2, 42],
    ['{\n  "a": {"sessionId": "x",\n    "updatedAt": tru\n  }\n}', 3, 18],
    ['{"a": 1} trailing', 1, 10],
    ['{"a": "unterminated\n}', 1, 20],
  ])("names line:col for %j", (text, line, col) => {
    const p = writeRaw(text);
    const err = errorOf(p);
    expect(err.message).toContain(`${p} is not valid JSON at ${line}:${col}`);
    expect(err.message).not.toContain("\n");
  });

  it("a torn write (truncated mid-entry) is an error, never an empty store", () => {
    const state = makeStateDir();
    const p = writeIndex(state, "main", { "agent:main:main": { sessionId: "s1", updatedAt: 1 } });
    const full = fs.readFileSync(p, "utf8");
    fs.writeFileSync(p, full.slice(0, full.length - 5));
    expect(() => readIndex(p)).toThrow(UnreadableError);
  });

  it("a missing file is an UnreadableError naming it", () => {
    const p = path.join(makeTempDir(), "sessions.json");
    expect(errorOf(p).message).toBe(`no session index at ${p}`);
  });
});

describe("readIndex: entries", () => {
  it("skips entries without a string sessionId or numeric updatedAt, with warnings", () => {
    const p = writeRaw(
      JSON.stringify({
        good: { sessionId: "s1", updatedAt: 5 },
        noId: { updatedAt: 5 },
        badTime: { sessionId: "s2", updatedAt: "yesterday" },
        notObject: "x",
      }),
    );
    const r = readIndex(p);
    expect(Object.keys(r.entries)).toEqual(["good"]);
    expect(r.keys).toEqual(["good", "noId", "badTime", "notObject"]);
    expect(r.warnings).toHaveLength(3);
    expect(r.warnings.join("\n")).toMatch(/"noId" has no sessionId/);
    expect(r.warnings.join("\n")).toMatch(/"badTime" has no numeric updatedAt/);
  });

  it("keeps key order (even integer-like keys), unknown fields, the raw text and a bigint mtime", () => {
    const text = '{\n  "zeta": {"sessionId": "z", "updatedAt": 3, "custom": {"deep": [1]}},\n  "10": {"sessionId": "n", "updatedAt": 2},\n  "alpha": {"sessionId": "a", "updatedAt": 1, "status": "running"}\n}';
    const p = writeRaw(text);
    const r = readIndex(p);
    expect(r.keys).toEqual(["zeta", "10", "alpha"]);
    expect(r.entries.zeta.custom).toEqual({ deep: [1] });
    expect(r.entries.alpha.status).toBe("running");
    expect(r.raw).toBe(text);
    expect(r.stat.size).toBe(Buffer.byteLength(text));
    expect(typeof r.stat.mtimeNs).toBe("bigint");
    expect(r.stat.mtimeNs).toBe(fs.statSync(p, { bigint: true }).mtimeNs);
  });

  it("reads the real 2026.7.1 index", () => {
    const r = readIndex(path.join(REAL_OPENCLAW, "s5-errors-within-grace/state/agents/main/sessions/sessions.json"));
    expect(r.keys).toEqual(["agent:main:s5-http500", "agent:main:s5-malformed"]);
    expect(r.entries["agent:main:s5-http500"].status).toBe("running");
    expect(r.warnings).toEqual([]);
  });
});

describe("lineCol", () => {
  it("counts 1-based lines and columns", () => {
    expect(lineCol("ab\ncd", 0)).toEqual({ line: 1, col: 1 });
    expect(lineCol("ab\ncd", 4)).toEqual({ line: 2, col: 2 });
    expect(lineCol("ab\ncd", 99)).toEqual({ line: 2, col: 3 });
  });
});
