import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WriteRefusedError } from "../../../src/core/errors.js";
import { applyPatches, readAuditTail } from "../../../src/store/writer/index.js";
import { sha256 } from "../../../src/store/writer/write-cycle.js";
import { entry, makeStore, manyEntries, patchFor, realStoreBytes, type TempStore } from "./helpers/store.js";

let store: TempStore | undefined;
afterEach(() => {
  store?.cleanup();
  store = undefined;
});

/** Everything in the directory that is not the index: backups, temps, lock files. */
function extraFiles(s: TempStore): string[] {
  return s.dirFiles().filter((f) => f !== "sessions.json");
}

describe("applyPatches on a real OpenClaw index", () => {
  it("changes only the patched values: unknown fields and key order are kept byte for byte", async () => {
    const original = realStoreBytes("s1-quick-done");
    store = makeStore(original);
    const before = store.read()["agent:main:main"];
    const res = await applyPatches(
      store.storePath,
      [patchFor(store, "agent:main:main", { status: "failed", brandNew: 7 })],
      store.opts(),
    );
    expect(res.wrote).toBe(true);
    expect(res.applied.map((a) => a.sessionKey)).toEqual(["agent:main:main"]);
    expect(res.applied[0].previous).toEqual({ status: before.status });
    const expected = JSON.parse(original.toString());
    expected["agent:main:main"].status = "failed";
    expected["agent:main:main"].brandNew = 7;
    // status stays in its place, the new field is appended: the same bytes OpenClaw would write
    const want = JSON.stringify(expected, null, 2);
    expect(store.bytes().toString()).toBe(want);
    expect(Object.keys(store.read()["agent:main:main"]).at(-1)).toBe("brandNew");
    expect(want.replace('"status": "failed"', `"status": "${before.status}"`).replace(',\n    "brandNew": 7', "")).toBe(
      original.toString(),
    );
  });

  it("deletes a field set to undefined and keeps the rest in order", async () => {
    store = makeStore({ "agent:main:a": entry("A", 10, { status: "running", model: "m", tail: 1 }) });
    await applyPatches(store.storePath, [patchFor(store, "agent:main:a", { model: undefined })], store.opts());
    expect(Object.keys(store.read()["agent:main:a"])).toEqual(["sessionId", "updatedAt", "status", "tail"]);
  });

  it("keeps a trailing newline when the file had one, and adds none otherwise", async () => {
    store = makeStore(JSON.stringify({ k: entry("A", 1) }, null, 2) + "\n");
    await applyPatches(store.storePath, [patchFor(store, "k", { status: "done" })], store.opts());
    expect(store.bytes().toString().endsWith("}\n")).toBe(true);
    store.cleanup();
    store = makeStore({ k: entry("A", 1) });
    await applyPatches(store.storePath, [patchFor(store, "k", { status: "done" })], store.opts());
    expect(store.bytes().toString().endsWith("}")).toBe(true);
  });
});

describe("re-checking each change under the lock", () => {
  it("skips a change whose updatedAt or sessionId moved, and applies the others", async () => {
    store = makeStore({ a: entry("A", 1), b: entry("B", 2), c: entry("C", 3) });
    const stale = { ...patchFor(store, "a", { status: "done" }), expect: { sessionId: "A", updatedAt: 0 } };
    const replaced = { ...patchFor(store, "b", { status: "done" }), expect: { sessionId: "OLD", updatedAt: 2 } };
    const gone = { ...patchFor(store, "c", { status: "done" }), sessionKey: "zzz" };
    const ok = patchFor(store, "c", { status: "done" });
    const res = await applyPatches(store.storePath, [stale, replaced, gone, ok], store.opts());
    expect(res.skipped.map((s) => s.sessionKey)).toEqual(["a", "b", "zzz"]);
    expect(res.skipped[0].why).toMatch(/changed since planned: updatedAt/);
    expect(res.skipped[1].why).toMatch(/changed since planned: sessionId/);
    expect(res.skipped[2].why).toMatch(/no longer exists/);
    const now = store.read();
    expect(now.a.status).toBeUndefined();
    expect(now.b.status).toBeUndefined();
    expect(now.c.status).toBe("done");
  });

  it("writes nothing at all when every change was skipped", async () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    const res = await applyPatches(
      store.storePath,
      [{ ...patchFor(store, "a", { status: "done" }), expect: { sessionId: "A", updatedAt: 99 } }],
      store.opts(),
    );
    expect(res.wrote).toBe(false);
    expect(res.applied).toEqual([]);
    expect(store.bytes().equals(before)).toBe(true);
    expect(extraFiles(store)).toEqual([]);
    expect(fs.existsSync(store.auditPath) ? readAuditTail(store.auditPath) : []).toEqual([]);
  });

  it("removes entries and counts them", async () => {
    store = makeStore({ a: entry("A", 1), b: entry("B", 2) });
    const res = await applyPatches(store.storePath, [patchFor(store, "a", undefined, { remove: true, action: "prune" })], store.opts());
    expect(res.beforeCount).toBe(2);
    expect(res.afterCount).toBe(1);
    expect(Object.keys(store.read())).toEqual(["b"]);
    expect(res.applied[0]).toMatchObject({ sessionKey: "a", removed: true, action: "prune" });
  });

  it("refuses to delete required fields", async () => {
    store = makeStore({ a: entry("A", 1) });
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { updatedAt: undefined })], store.opts());
    expect(res.wrote).toBe(false);
    expect(res.skipped[0].why).toMatch(/required field updatedAt/);
  });

  it("skips every change when the index does not exist, and does not create it", async () => {
    store = makeStore({ a: entry("A", 1) });
    fs.unlinkSync(store.storePath);
    const res = await applyPatches(
      store.storePath,
      [{ sessionKey: "a", expect: { sessionId: "A", updatedAt: 1 }, set: { status: "done" }, action: "finalize", reasons: [] }],
      store.opts(),
    );
    expect(res.wrote).toBe(false);
    expect(res.skipped[0].why).toMatch(/does not exist/);
    expect(fs.existsSync(store.storePath)).toBe(false);
  });
});

describe("file mode, backup, audit", () => {
  it("keeps mode 0600, and another mode the file already had", async () => {
    store = makeStore({ a: entry("A", 1) }, 0o600);
    await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    expect(fs.statSync(store.storePath).mode & 0o777).toBe(0o600);
    store.cleanup();
    store = makeStore({ a: entry("A", 1) }, 0o640);
    await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    expect(fs.statSync(store.storePath).mode & 0o777).toBe(0o640);
  });

  it("backs up the replaced bytes (mode 0600) and writes an intent line, then one audit line per change", async () => {
    store = makeStore({ a: entry("A", 1, { status: "running" }), b: entry("B", 2, { status: "running" }) });
    const before = store.bytes();
    const res = await applyPatches(
      store.storePath,
      [patchFor(store, "a", { status: "done" }), patchFor(store, "b", { status: "failed" })],
      store.opts({ now: () => 1_800_000_000_123 }),
    );
    expect(res.backupPath).toBe(`${fs.realpathSync(store.storePath)}.bak.1800000000123`);
    expect(fs.readFileSync(res.backupPath!).equals(before)).toBe(true);
    expect(fs.statSync(res.backupPath!).mode & 0o777).toBe(0o600);
    const [intent, ...lines] = readAuditTail(store.auditPath);
    // the intent, fsynced before the rename, names the backup and the bytes written
    expect(intent).toMatchObject({ kind: "intent", of: "apply", command: "cleanup", backupPath: res.backupPath, writtenSha256: sha256(store.bytes()) });
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => [l.sessionKey, l.set])).toEqual([
      ["a", { status: "done" }],
      ["b", { status: "failed" }],
    ]);
    expect(lines[0]).toMatchObject({
      kind: "apply",
      command: "cleanup",
      pid: process.pid,
      sessionId: "A",
      action: "finalize",
      backupPath: res.backupPath,
      ts: new Date(1_800_000_000_123).toISOString(),
    });
    expect(new Set([intent, ...lines].map((l) => l.writeId)).size).toBe(1);
    expect(fs.statSync(store.auditPath).mode & 0o777).toBe(0o600);
    // nothing else is left beside the index: no temp, no lock
    expect(extraFiles(store)).toEqual(["sessions.json.bak.1800000000123"]);
  });

  it("keeps only the newest keepBackups of our own backups and never touches OpenClaw's", async () => {
    store = makeStore({ a: entry("A", 1) });
    const dir = path.dirname(store.storePath);
    fs.writeFileSync(path.join(dir, "sessions.json.bak.1000"), "{}"); // made by OpenClaw
    for (let i = 0; i < 6; i++) {
      const t = 2_000 + i;
      await applyPatches(store.storePath, [patchFor(store, "a", { n: i })], store.opts({ keepBackups: 3, now: () => t }));
    }
    expect(extraFiles(store)).toEqual([
      "sessions.json.bak.1000",
      "sessions.json.bak.2003",
      "sessions.json.bak.2004",
      "sessions.json.bak.2005",
    ]);
  });
});

describe("backup rotation per command", () => {
  it("keepalive's frequent writes never rotate away a cleanup's backup (a prune's only copy of what it removed)", async () => {
    store = makeStore({ a: entry("A", 1) });
    await applyPatches(store.storePath, [patchFor(store, "a", { n: -1 })], store.opts({ command: "cleanup", keepBackups: 3, now: () => 2_000 }));
    for (let i = 0; i < 6; i++) {
      const t = 3_000 + i;
      await applyPatches(store.storePath, [patchFor(store, "a", { n: i })], store.opts({ command: "keepalive", keepBackups: 3, now: () => t }));
    }
    expect(extraFiles(store)).toEqual(["sessions.json.bak.2000", "sessions.json.bak.3003", "sessions.json.bak.3004", "sessions.json.bak.3005"]);
    // cleanup's own writes rotate its backups, and leave keepalive's alone
    for (let i = 0; i < 3; i++) {
      const t = 4_000 + i;
      await applyPatches(store.storePath, [patchFor(store, "a", { n: 10 + i })], store.opts({ command: "cleanup", keepBackups: 3, now: () => t }));
    }
    expect(extraFiles(store)).toEqual([
      "sessions.json.bak.3003",
      "sessions.json.bak.3004",
      "sessions.json.bak.3005",
      "sessions.json.bak.4000",
      "sessions.json.bak.4001",
      "sessions.json.bak.4002",
    ]);
  });
});

describe("refusals: nothing is written", () => {
  it("refuses an era C store before touching anything", async () => {
    store = makeStore({ a: entry("A", 1) });
    const before = store.bytes();
    const run = applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ era: "C" }));
    await expect(run).rejects.toThrow(WriteRefusedError);
    await expect(run).rejects.toThrow(/openclaw sessions cleanup/);
    expect(store.bytes().equals(before)).toBe(true);
    expect(extraFiles(store)).toEqual([]);
  });

  it("refuses a sessions.json whose agent dir holds an OpenClaw 2026.8+ database, whatever era it was handed as", async () => {
    store = makeStore({ a: entry("A", 1, { status: "running" }) });
    const db = path.join(store.agentsRoot, "main", "agent", "openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.copyFileSync(path.join(import.meta.dirname, "../fixtures/era/era-c.sqlite"), db);
    const before = store.bytes();
    const run = applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ era: "B" }));
    await expect(run).rejects.toThrow(WriteRefusedError);
    await expect(run).rejects.toThrow(`agent main keeps its sessions in ${db}`);
    expect(store.bytes().equals(before)).toBe(true);
    expect(extraFiles(store)).toEqual([]);
    // a database without OpenClaw's session tables (2026.6/2026.7 keep other things there) does not stop it
    fs.writeFileSync(db, "");
    await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ era: "B" }));
    expect(store.read().a.status).toBe("done");
  });

  it.each([
    ["truncated JSON", '{"a": {"sessionId": "A", "updatedAt": 1'],
    ["an empty file", ""],
    ["an array", "[]"],
    ["null", "null"],
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ])("refuses %s and leaves it byte-identical", async (_name, content) => {
    store = makeStore(content as string | Buffer);
    const before = store.bytes();
    const patch = { sessionKey: "a", expect: { sessionId: "A", updatedAt: 1 }, set: { status: "done" }, action: "finalize" as const, reasons: [] };
    const run = applyPatches(store.storePath, [patch], store.opts());
    await expect(run).rejects.toThrow(WriteRefusedError);
    await expect(run).rejects.toThrow(store.storePath);
    expect(store.bytes().equals(before)).toBe(true);
    expect(extraFiles(store)).toEqual([]);
  });

  it("refuses a result drastically smaller than what was read", async () => {
    store = makeStore({ a: entry("A", 1, { blob: "x".repeat(5000) }), b: entry("B", 2) });
    const before = store.bytes();
    const run = applyPatches(store.storePath, [patchFor(store, "a", { blob: undefined })], store.opts());
    await expect(run).rejects.toThrow(/shrink from \d+ to \d+ bytes/);
    expect(store.bytes().equals(before)).toBe(true);
    expect(extraFiles(store)).toEqual([]);
    // the same change is fine when the caller says such a shrink is expected
    const ok = await applyPatches(store.storePath, [patchFor(store, "a", { blob: undefined })], store.opts({ maxShrinkRatio: 0 }));
    expect(ok.wrote).toBe(true);
  });

  it("allows a large planned removal (the count check, not the byte check)", async () => {
    store = makeStore(manyEntries(40));
    const patches = Object.keys(store.read())
      .slice(0, 35)
      .map((k) => patchFor(store!, k, undefined, { remove: true, action: "cap" }));
    const res = await applyPatches(store.storePath, patches, store.opts());
    expect(res.afterCount).toBe(5);
  });

  it("refuses an index outside the agents tree unless told it is an explicit --store", async () => {
    store = makeStore({ a: entry("A", 1) });
    const outside = path.join(store.root, "elsewhere.json");
    fs.copyFileSync(store.storePath, outside);
    const patch = patchFor(store, "a", { status: "done" });
    await expect(applyPatches(outside, [patch], store.opts())).rejects.toThrow(/outside the agents tree/);
    expect(fs.readFileSync(outside).equals(store.bytes())).toBe(true);
    const res = await applyPatches(outside, [patch], store.opts({ allowOutsideAgentsTree: true }));
    expect(res.wrote).toBe(true);
  });

  it("refuses a symlink inside the tree that leads outside it", async () => {
    store = makeStore({ a: entry("A", 1) });
    const outside = path.join(store.root, "elsewhere.json");
    fs.renameSync(store.storePath, outside);
    fs.symlinkSync(outside, store.storePath);
    const before = fs.readFileSync(outside);
    const run = applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    await expect(run).rejects.toThrow(/outside the agents tree/);
    expect(fs.readFileSync(outside).equals(before)).toBe(true);
  });

  it("two writes from one process take turns instead of failing as busy", async () => {
    store = makeStore({ a: entry("A", 1), b: entry("B", 1) });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const first = applyPatches(
      store.storePath,
      [patchFor(store, "a", { status: "done" })],
      store.opts({ faults: { beforeRename: () => gate, afterRename: () => order.push("first") } }),
    );
    await waitUntil(() => fs.existsSync(`${store!.storePath}.openclaw-sessions.lock.owner`));
    const second = applyPatches(
      store.storePath,
      [patchFor(store, "b", { status: "done" })],
      store.opts({ faults: { afterRename: () => order.push("second") } }),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual([]);
    release();
    const results = await Promise.all([first, second]);
    expect(order).toEqual(["first", "second"]);
    expect(results.map((r) => r.wrote)).toEqual([true, true]);
    expect(store.read()).toEqual({ a: entry("A", 1, { status: "done" }), b: entry("B", 1, { status: "done" }) });
  });

  it("warns when the index was not in OpenClaw's format (it is rewritten with 2-space indent)", async () => {
    store = makeStore(JSON.stringify({ a: entry("A", 1) }));
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    expect(res.warnings).toEqual([expect.stringMatching(/not in OpenClaw's own format/)]);
    expect(store.bytes().toString()).toBe(JSON.stringify({ a: entry("A", 1, { status: "done" }) }, null, 2));
  });
});

async function waitUntil(pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
