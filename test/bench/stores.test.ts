import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureStore, generatorVersion, indexFingerprint, invalidateStore, readMeta } from "../../bench/stores.js";

let out: string;
const lines: string[] = [];
const log = (l: string) => lines.push(l);
beforeEach(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-stores-"));
  lines.length = 0;
});
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

describe("ensureStore", () => {
  it("generates once with a manifest and metadata, then reuses the store while the version matches", async () => {
    const first = await ensureStore(out, 25, log);
    expect(first.reused).toBe(false);
    expect(first.meta.sessions).toBe(25);
    expect(first.meta.version).toBe(generatorVersion());
    expect(JSON.parse(fs.readFileSync(path.join(first.dir, "manifest.json"), "utf8")).sessions).toHaveLength(25);
    const again = await ensureStore(out, 25, log);
    expect(again.reused).toBe(true);
    expect(again.meta).toEqual(first.meta);
  });

  it("regenerates a store made by another generator version or left incomplete", async () => {
    const first = await ensureStore(out, 12, log);
    const metaPath = path.join(first.dir, "bench-store.json");
    fs.writeFileSync(metaPath, JSON.stringify({ ...readMeta(first.dir), version: "old" }));
    const second = await ensureStore(out, 12, log);
    expect(second.reused).toBe(false);
    expect(lines.some((l) => l.includes("old") && l.includes("regenerating"))).toBe(true);
    invalidateStore(second);
    expect((await ensureStore(out, 12, log)).reused).toBe(false);
  });
});

describe("indexFingerprint", () => {
  it("changes when an index or the set of lock files changes, not otherwise", async () => {
    const s = await ensureStore(out, 15, log);
    const fp = indexFingerprint(s.stateDir);
    expect(indexFingerprint(s.stateDir)).toBe(fp);
    const sessionsDir = path.join(s.stateDir, "agents", "main", "sessions");
    fs.writeFileSync(path.join(sessionsDir, "x.jsonl.lock"), "{}");
    const withLock = indexFingerprint(s.stateDir);
    expect(withLock).not.toBe(fp);
    fs.appendFileSync(path.join(sessionsDir, "sessions.json"), " ");
    expect(indexFingerprint(s.stateDir)).not.toBe(withLock);
  });
});
