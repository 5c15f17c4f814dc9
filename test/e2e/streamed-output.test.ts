// Big documents are written in pieces (status --json, cleanup --dry-run --json, watch --once):
// the text must be exactly what one JSON.stringify would have printed, whatever the reader's
// pace, and a writer must wait for the pipe instead of queueing the whole document in memory.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WRITE_BATCH_CHARS, writeChunks } from "../../src/commands/heartbeats.js";
import { generateStore, type Manifest } from "../../src/sim/generate.js";
import { jsonChunks, Later, MappedItems, StreamedItems } from "../../src/ui/snapshot.js";
import { makeTempDir } from "../fixtures/store-builder.js";
import { run } from "../commands/helpers/run.js";
import { assertBuilt, BIN, REPO_ROOT } from "./helpers/cli.js";

const NOW = Date.parse("2026-07-01T12:00:00.000Z");

describe("jsonChunks", () => {
  const big = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  const docs: unknown[] = [
    {},
    [],
    { a: [] },
    { a: undefined, b: () => 1, c: Symbol("x"), d: null },
    { s: big(100, (i) => ({ i, u: undefined, f() {}, d: new Date(i), arr: [1, undefined, () => 2], nested: { x: `é\n"\\${i}`, y: "✖ ▲ ●" } })) },
    { x: 1, list: big(65, (i) => i), y: { deep: { deeper: big(70, (i) => [i, { q: null }]) } }, z: "end" },
    big(200, (i) => (i % 3 ? { k: i } : [])),
    { "10": 1, b: 2, "2": big(80, () => ({})) },
    { emptyBig: big(70, () => []), emptyObjs: big(70, () => ({})), holes: new Array(100) },
    // long arrays deep down, light items batched between heavy ones walked on their own
    { a: { b: { c: big(300, (i) => (i % 37 === 0 ? { heavy: big(70, (j) => ({ j })) } : i % 5 ? { light: i, s: "x\ny" } : null)) } } },
    big(130, (i) => big(i % 3 === 0 ? 66 : 2, (j) => ({ i, j }))),
  ];

  it("writes exactly what JSON.stringify writes, pretty and on one line", () => {
    for (const doc of docs) {
      for (const space of [0, 2] as const) expect([...jsonChunks(doc, space)].join("")).toBe(JSON.stringify(doc, null, space));
    }
  });

  it("writes a long array in pieces of a few dozen items, never as one string", () => {
    const doc = { sessions: big(1000, (i) => ({ i, reasons: ["a", "b"] })) };
    const pieces = [...jsonChunks(doc)];
    const total = pieces.join("").length;
    expect(pieces.length).toBeGreaterThan(1000 / 64);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(total / 10);
  });

  it("MappedItems is written as items.map(fn), each item made when it is written", () => {
    const items = big(300, (i) => i);
    let made = 0;
    const doc = { head: "x", sessions: new MappedItems(items, (i) => (made++, { i, sq: i * i })), tail: [] };
    const gen = jsonChunks(doc);
    gen.next();
    expect(made).toBe(0);
    const text = ["{", ...gen].join("");
    expect(made).toBe(300);
    expect(text).toBe(JSON.stringify({ head: "x", sessions: items.map((i) => ({ i, sq: i * i })), tail: [] }, null, 2));
    expect([...jsonChunks({ s: new MappedItems([], () => 1) }, 0)].join("")).toBe('{"s":[]}');
  });

  it("StreamedItems is pulled as it is written; a Later value is computed when the writing reaches it", () => {
    const refused: string[] = [];
    let pulled = 0;
    function* stores(): Generator<unknown> {
      for (const name of ["a", "bad", "c", "bad2"]) {
        pulled++;
        if (name.startsWith("bad")) refused.push(name);
        else yield { name, actions: big(70, (i) => ({ i })) };
      }
    }
    const items = (name: string) => ({ name, actions: big(70, (i) => ({ i })) });
    for (const space of [0, 2] as const) {
      refused.length = 0;
      pulled = 0;
      const doc = { head: 1, stores: new StreamedItems(stores()), refused: new Later(() => [...refused]), code: new Later(() => refused.length), gone: new Later(() => undefined), list: [new Later(() => "x"), new Later(() => undefined)] };
      const gen = jsonChunks(doc, space);
      const first = gen.next();
      expect(pulled).toBe(0);
      const text = [first.value, ...gen].join("");
      expect(pulled).toBe(4);
      // `refused` and `code` were read after the stores were pulled; undefined is left out / null, as JSON.stringify does
      expect(text).toBe(JSON.stringify({ head: 1, stores: [items("a"), items("c")], refused: ["bad", "bad2"], code: 2, list: ["x", null] }, null, space));
    }
    expect([...jsonChunks({ s: new StreamedItems([]) }, 0)].join("")).toBe('{"s":[]}');
  });
});

/** A pipe-like sink: small buffer, slow to take bytes; records how much ever waited in it. */
function slowSink(opts: { fail?: NodeJS.ErrnoException; failAfter?: number } = {}) {
  const got: string[] = [];
  let maxPending = 0;
  let writes = 0;
  const sink = new Writable({
    highWaterMark: 4096,
    decodeStrings: false,
    write(chunk: string, _enc, cb) {
      writes++;
      if (opts.fail && writes > (opts.failAfter ?? 0)) {
        setImmediate(() => cb(opts.fail));
        return;
      }
      got.push(chunk);
      setTimeout(cb, 1);
    },
  });
  const origWrite = sink.write.bind(sink);
  sink.write = ((chunk: string, ...rest: unknown[]) => {
    const ok = (origWrite as (c: string, ...r: unknown[]) => boolean)(chunk, ...rest);
    maxPending = Math.max(maxPending, sink.writableLength);
    return ok;
  }) as typeof sink.write;
  return { sink, text: () => got.join(""), maxPending: () => maxPending };
}

describe("writeChunks", () => {
  const pieces = Array.from({ length: 20_000 }, (_, i) => `{"i":${i},"pad":"${"x".repeat(40)}"},\n`);
  const total = pieces.join("");

  it("waits for 'drain': a slow reader never has more than a batch queued, and gets every byte", async () => {
    const s = slowSink();
    expect(total.length).toBeGreaterThan(20 * WRITE_BATCH_CHARS);
    await expect(writeChunks(pieces, s.sink)).resolves.toBe(true);
    expect(s.text()).toBe(total);
    // without waiting, all of it would have queued up in the stream
    expect(s.maxPending()).toBeLessThanOrEqual(WRITE_BATCH_CHARS + 4096);
    expect(s.sink.listenerCount("error")).toBe(0);
    expect(s.sink.listenerCount("drain")).toBe(0);
  });

  it("a reader that went away (EPIPE) ends the output quietly: false, no throw, no more pieces taken", async () => {
    const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    const s = slowSink({ fail: epipe, failAfter: 2 });
    let taken = 0;
    function* counted() {
      for (const p of pieces) {
        taken++;
        yield p;
      }
    }
    await expect(writeChunks(counted(), s.sink)).resolves.toBe(false);
    expect(taken).toBeLessThan(pieces.length);
  });

  it("any other write error is thrown", async () => {
    const eio = Object.assign(new Error("write EIO"), { code: "EIO" });
    const s = slowSink({ fail: eio, failAfter: 1 });
    await expect(writeChunks(pieces, s.sink)).rejects.toThrow("EIO");
  });
});

// ------------------------------------------------------------------ the built CLI, a big store

let manifest: Manifest;
// made once for the whole file (store-builder's temp dirs go after each test)
let storeRoot: string;

beforeAll(async () => {
  assertBuilt();
  storeRoot = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-stream-"));
  // 1,100 sessions (was 1,500): status --json is still over 1 MB (1.1 MB), 17 times the pipe's 64 KiB
  manifest = await generateStore({ outDir: path.join(storeRoot, "state"), sessions: 1100, seed: 11, now: NOW });
}, 120_000);

afterAll(() => {
  if (storeRoot) fs.rmSync(storeRoot, { recursive: true, force: true });
});

const env = () => ({ OPENCLAW_SESSIONS_NOW: String(manifest.now), TMPDIR: makeTempDir("ocs-e2e-tmp-") });

/** Runs the CLI with a reader that takes a piece, then waits: the pipe is full most of the time. */
function runSlowReader(args: string[], opts: { closeAfterFirst?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env() }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.on("data", (d: Buffer) => {
      out.push(d);
      if (opts.closeAfterFirst) {
        child.stdout.destroy();
        return;
      }
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 3);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr });
    });
  });
}

describe("big outputs of the built CLI", () => {
  const state = () => manifest.stateDir;

  it("status --json: complete, valid, exactly JSON.stringify's text, even for a slow reader", async () => {
    const slow = await runSlowReader(["status", "--json", "--no-probe", "--state-dir", state()]);
    expect(slow.code).toBe(0);
    expect(slow.stdout.length).toBeGreaterThan(1_000_000);
    const doc = JSON.parse(slow.stdout);
    expect(slow.stdout).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(doc.sessions).toHaveLength(manifest.sessions.length);
    expect(new Set(doc.sessions.map((s: { sessionKey: string }) => s.sessionKey))).toEqual(new Set(manifest.sessions.map((s) => s.sessionKey)));
    // the same command at full pace (in-process, on a buffer) prints the very same text
    const fast = await run(["status", "--json", "--no-probe", "--state-dir", state()], { env: env() });
    expect(fast.stdout).toBe(slow.stdout);
  }, 120_000);

  it("cleanup --dry-run --json: the whole report, store by store, exactly JSON.stringify's text", async () => {
    const slow = await runSlowReader(["cleanup", "--dry-run", "--json", "--no-probe", "--state-dir", state()]);
    expect(slow.code).toBe(0);
    const doc = JSON.parse(slow.stdout);
    expect(slow.stdout).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(doc.stores.map((s: { agentId: string }) => s.agentId)).toEqual(["main", "ops", "research"]);
    expect(doc.stores.reduce((n: number, s: { beforeCount: number }) => n + s.beforeCount, 0)).toBe(manifest.sessions.length);
    expect(doc.exitCode).toBe(0);
    expect(doc.stores.some((s: { actions: unknown[] }) => s.actions.length > 0)).toBe(true);
  }, 120_000);

  it("watch --once --json: one complete NDJSON line; watch --once: the whole table", async () => {
    const json = await runSlowReader(["watch", "--once", "--json", "--no-probe", "--state-dir", state()]);
    expect(json.code).toBe(0);
    expect(json.stdout.endsWith("\n")).toBe(true);
    expect(json.stdout.indexOf("\n")).toBe(json.stdout.length - 1);
    const doc = JSON.parse(json.stdout);
    expect(json.stdout).toBe(`${JSON.stringify(doc)}\n`);
    expect(doc.sessions).toHaveLength(manifest.sessions.length);
    const table = await runSlowReader(["watch", "--once", "--no-probe", "--state-dir", state()]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^# \d{4}-/);
    expect(lines.at(-1)).toMatch(new RegExp(`^${manifest.sessions.length} sessions: `));
    expect(lines).toHaveLength(manifest.sessions.length + 3);
  }, 120_000);

  it("a reader that stops early (status --json | head) ends the output quietly, exit 0, no stack trace", async () => {
    const r = await runSlowReader(["status", "--json", "--no-probe", "--state-dir", state()], { closeAfterFirst: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  }, 120_000);
});
