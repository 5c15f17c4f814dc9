import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UnreadableError } from "../../src/core/errors.js";
import { lineCol } from "../../src/store/json-position.js";
import { parseIndex, parseIndexBytes, READ_FIELDS, readIndex, readIndexSummary, slimEntry } from "../../src/store/read-index.js";
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

  it("a JSON object none of whose entries is a session (OpenClaw's config given as --store) is refused by both readers, naming its keys", () => {
    const config = JSON.stringify({ meta: { lastTouchedVersion: "2026.7.1" }, agents: { defaults: {} }, gateway: { port: 18789 }, logging: "info" });
    const p = writeRaw(config);
    for (const read of [readIndex, readIndexSummary]) {
      expect(() => read(p)).toThrow(UnreadableError);
      expect(() => read(p)).toThrow(`${p} is not a session index: none of its 4 top-level entries is a session (no sessionId; its keys: "meta", "agents", "gateway", "logging"); nothing was read or written`);
    }
  });

  it("still an index: {} (no sessions), entries with a sessionId but something else wrong, and broken entries under session keys (each warned about)", () => {
    expect(readIndex(writeRaw("{}")).keys).toEqual([]);
    // a hand-edited index whose one entry lost its sessionId: as before, warned about and skipped
    const broken = readIndex(writeRaw('{"agent:work:main": {"updatedAt": 1700000000000}}'));
    expect(broken.entries).toEqual({});
    expect(broken.warnings).toEqual([expect.stringContaining('entry "agent:work:main" has no sessionId; skipped')]);
    const odd = readIndex(writeRaw('{"a": {"sessionId": "s1"}, "b": 3}'));
    expect(odd.entries).toEqual({});
    expect(odd.warnings).toHaveLength(2);
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

  it("a `__proto__` key (or `constructor`) is an entry like any other, in every reader, and sets no prototype", () => {
    // JSON.parse makes "__proto__" an own key, as OpenClaw's reader does; assigned into a plain
    // object it became that object's prototype, and the session vanished from every listing
    const text = '{"agent:main:a": {"sessionId": "a", "updatedAt": 1}, "__proto__": {"sessionId": "p", "updatedAt": 2, "status": "done"}, "constructor": {"sessionId": "c", "updatedAt": 3}}';
    const p = writeRaw(text);
    // the strict parse (readIndex), and the window scan of the summary readers (also with a window smaller than an entry)
    for (const r of [readIndex(p), readIndexSummary(p), parseIndexBytes(Buffer.from(text), p), parseIndexBytes(Buffer.from(text), p, 8)]) {
      expect(Object.keys(r.entries)).toEqual(["agent:main:a", "__proto__", "constructor"]);
      expect(Object.hasOwn(r.entries, "__proto__")).toBe(true);
      expect(r.entries["__proto__"]).toMatchObject({ sessionId: "p", updatedAt: 2, status: "done" });
      expect(Object.getPrototypeOf(r.entries)).toBeNull();
      expect(r.warnings).toEqual([]);
    }
    // nothing leaked into Object.prototype
    expect(({} as Record<string, unknown>).sessionId).toBeUndefined();
    expect("toString" in readIndex(p).entries).toBe(false);
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

// ------------------------------------------------------------------ the evidence readers' index

/** parseIndex with every entry slimmed, or its error: what readIndexSummary must answer. */
function strictSlim(text: string): unknown {
  try {
    const p = parseIndex(text, "L");
    for (const k of Object.keys(p.entries)) p.entries[k] = slimEntry(p.entries[k]);
    return { keys: p.keys, entries: Object.entries(p.entries), warnings: p.warnings };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function windowed(text: string, windowBytes: number): unknown {
  try {
    const p = parseIndexBytes(Buffer.from(text), "L", windowBytes);
    return { keys: p.keys, entries: Object.entries(p.entries), warnings: p.warnings };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe("readIndexSummary", () => {
  it("keeps every field IndexEntry declares (src/core/types.ts), and no other", () => {
    const types = fs.readFileSync(path.join(import.meta.dirname, "../../src/core/types.ts"), "utf8");
    const body = /export interface IndexEntry \{([\s\S]*?)\n\}/.exec(types)![1];
    const declared = [...body.matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(10);
    expect([...READ_FIELDS].sort()).toEqual([...declared].sort());
  });

  it("cuts an entry to the fields the tool reads, keeping origin.chatType for the prune protection", () => {
    const full = {
      sessionId: "s1",
      updatedAt: 5,
      status: "running",
      startedAt: 1,
      endedAt: 2,
      runtimeMs: 1,
      abortedLastRun: false,
      lastInteractionAt: 3,
      sessionStartedAt: 0,
      model: "m",
      modelProvider: "p",
      chatType: "direct",
      label: "l",
      displayName: "d",
      sessionFile: "/x.jsonl",
      spawnedBy: "agent:main:main",
      parentSessionKey: "agent:main:main",
      origin: { chatType: "group", provider: "telegram", big: ["x"] },
      skillsSnapshot: { prompt: "x".repeat(1000) },
      systemPromptReport: { chars: 9 },
    };
    const { origin, skillsSnapshot, systemPromptReport, ...read } = full;
    expect(slimEntry(full)).toEqual({ ...read, origin: { chatType: "group" } });
    expect(slimEntry({ sessionId: "s", updatedAt: 1, origin: "x" })).toEqual({ sessionId: "s", updatedAt: 1 });
    expect(slimEntry({ sessionId: "s", updatedAt: 1, origin: { provider: "x" } })).toEqual({ sessionId: "s", updatedAt: 1 });
    // absent stays absent (not undefined-valued)
    expect(Object.keys(slimEntry({ sessionId: "s", updatedAt: 1, status: undefined }))).toEqual(["sessionId", "updatedAt", "status"]);
    expect(Object.keys(slimEntry({ sessionId: "s", updatedAt: 1 }))).toEqual(["sessionId", "updatedAt"]);
  });

  it("reads the real 2026.7.1 indexes with the same keys, warnings and (cut) entries as readIndex", () => {
    for (const run of fs.readdirSync(REAL_OPENCLAW)) {
      const p = path.join(REAL_OPENCLAW, run, "state/agents/main/sessions/sessions.json");
      if (!fs.existsSync(p)) continue;
      const full = readIndex(p);
      const summary = readIndexSummary(p);
      expect(summary.keys).toEqual(full.keys);
      expect(summary.warnings).toEqual(full.warnings);
      expect(summary.stat).toEqual(full.stat);
      expect("raw" in summary).toBe(false);
      expect(Object.keys(summary.entries)).toEqual(Object.keys(full.entries));
      for (const k of full.keys) expect(summary.entries[k]).toEqual(slimEntry(full.entries[k]));
      expect(JSON.stringify(summary.entries).length).toBeLessThan(full.raw.length / 2);
    }
  });

  it("throws the very errors readIndex throws, line:col included", () => {
    const texts = ["", "  \n", "[]", "null", "42", '{\n  "a": {"sessionId": "x", "updatedAt": 1},\n}', '{"a": 1} trailing', '{"a": "unterminated\n}', '{"a": ', "\ufeff{}"];
    for (const text of texts) {
      const p = writeRaw(text);
      const strict = errorOf(p).message;
      expect(() => readIndexSummary(p), JSON.stringify(text)).toThrow(strict);
    }
  });

  it("reads entry by entry across any window size: duplicates, integer-like keys, escapes, unicode, warnings", () => {
    const entry = (id: string, extra: Record<string, unknown> = {}) => ({ sessionId: id, updatedAt: 1, ...extra });
    const texts = [
      "{}",
      ' \r\n\t{ }\n',
      JSON.stringify({ b: entry("1"), "10": entry("2"), a: entry("3", { label: 'q"}{][,:\\' }), "2": "not an object" }, null, 2),
      '{"dup": {"sessionId": "first", "updatedAt": 1}, "x": {"updatedAt": 2}, "dup": {"sessionId": "last", "updatedAt": 3, "origin": {"chatType": "group"}}}',
      '{"dup": {"sessionId": "ok", "updatedAt": 1}, "dup": {"updatedAt": 3}}',
      '{"k\\"\\u00e9": {"sessionId": "é€😀", "updatedAt": -1.5e3, "skillsSnapshot": [[[{"a": "\\\\"}]]], "model": null}}',
      `{"big": ${JSON.stringify(entry("b", { skillsSnapshot: { prompt: "x".repeat(5000), list: Array.from({ length: 200 }, (_, i) => ({ i })) } }))}}`,
      '{"a": true, "b": 12, "c": null, "d": [], "e": "s"}',
      // broken ones: the strict reader's error, every time
      '{"a": {"sessionId": "x", "updatedAt": 1}, }',
      '{"a": {"sessionId": "x", "updatedAt": 1}',
      '{"a": {"sessionId": "x", "updatedAt": tru}}',
      '{"a" {"sessionId": "x"}}',
      '{"a": {"sessionId": "x", "updatedAt": 1}}}',
      '{"a": {"sessionId": "x", "updatedAt": 1]}',
      '{"a": 1 2}',
      '{"a": "x\u0001"}',
      "{'a': 1}",
      '{"a": 1}{}',
    ];
    for (const text of texts) {
      const want = strictSlim(text);
      for (const w of [1, 2, 3, 5, 8, 13, 64, 4096, 1 << 20]) expect(windowed(text, w), `${JSON.stringify(text).slice(0, 80)} / window ${w}`).toEqual(want);
    }
  });
});


describe("readIndex: what is not a plain JSON file is named", () => {
  it("a byte-order mark says so, in both readers", () => {
    const file = path.join(makeTempDir(), "sessions.json");
    fs.writeFileSync(file, '\ufeff{"a":{"sessionId":"x","updatedAt":1}}');
    expect(() => readIndex(file)).toThrow(`session index ${file} starts with a byte-order mark (UTF-8 BOM)`);
    expect(() => readIndexSummary(file)).toThrow(`session index ${file} starts with a byte-order mark (UTF-8 BOM)`);
  });

  it("a FIFO is refused at once, naming it", () => {
    const file = path.join(makeTempDir(), "sessions.json");
    execFileSync("mkfifo", [file]);
    expect(() => readIndexSummary(file)).toThrow(`${file} is a FIFO (named pipe), not a regular file`);
    expect(() => readIndex(file)).toThrow(`${file} is a FIFO (named pipe), not a regular file`);
  });
});
