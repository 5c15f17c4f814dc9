import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Evidence, GatewayInfo, Heartbeat } from "../../../src/core/types.js";
import type { LiveVerdict } from "../../../src/core/live/judge-live.js";
import { SessionCache } from "../../../src/store/live/session-cache.js";
import { StoreReader } from "../../../src/store/live/store-reader.js";
import { readSessionEvidence } from "../../../src/store/snapshot.js";
import { cleanupStateDirs, indexPath, makeStateDir, writeIndex } from "../../fixtures/store-builder.js";

afterEach(cleanupStateDirs);

const judge = (ev: Evidence): LiveVerdict => ({ hb: { sessionKey: ev.sessionKey } as Heartbeat, moving: false, verdictDueAt: Infinity, rejudgeAfterMs: Infinity });
const GATEWAY = { pid: 1, alive: false, probe: "skipped" } as GatewayInfo;

function setup(entries: Record<string, unknown>) {
  const stateDir = makeStateDir();
  writeIndex(stateDir, "main", entries);
  const cache = new SessionCache(judge, undefined);
  const store = cache.addStore({ agentId: "main", storePath: indexPath(stateDir), era: "B" });
  const read: string[] = [];
  const reader = new StoreReader(
    cache,
    { stateDir, env: {}, gateway: GATEWAY, config: {} },
    (ref, key, entry, run, warnings) => (read.push(key), readSessionEvidence(ref, key, entry, run, warnings)),
    () => 1_000,
  );
  return { stateDir, cache, store, reader, read };
}

const entry = (sessionId: string, updatedAt: number) => ({ sessionId, updatedAt });

describe("StoreReader: reading an index and its sessions into the live cache", () => {
  it("an index rewrite re-reads only the entries whose text changed, and drops the ones that left", async () => {
    const s = setup({ "agent:main:a": entry("a", 1), "agent:main:b": entry("b", 1), "agent:main:c": entry("c", 1) });
    expect(await s.reader.readStore(s.store, true, true)).toEqual({ kind: "read", changed: ["agent:main:a", "agent:main:b", "agent:main:c"] });
    writeIndex(s.stateDir, "main", { "agent:main:a": entry("a", 1), "agent:main:b": entry("b", 2) });
    s.read.length = 0;
    expect(await s.reader.readStore(s.store, false, false)).toEqual({ kind: "read", changed: ["agent:main:b"] });
    expect(s.read).toEqual(["agent:main:b"]);
    expect([...s.store.sessions.keys()]).toEqual(["agent:main:a", "agent:main:b"]);
    expect(s.reader.stats).toMatchObject({ indexReads: 2, sessionReads: 4 });
  });

  it("an index that stops parsing keeps its last good read, with a warning naming it; parsing again clears it", async () => {
    const s = setup({ "agent:main:a": entry("a", 1) });
    await s.reader.readStore(s.store, true, true);
    fs.writeFileSync(indexPath(s.stateDir), "{ torn");
    expect(await s.reader.readStore(s.store, false, false)).toEqual({ kind: "corrupt" });
    expect([...s.store.sessions.keys()]).toEqual(["agent:main:a"]);
    expect(s.store.corrupt?.warning).toContain(`${indexPath(s.stateDir)} was not read`);
    expect(s.store.corrupt?.warning).toContain("showing its last good read");
    writeIndex(s.stateDir, "main", { "agent:main:a": entry("a", 1) });
    await s.reader.readStore(s.store, false, false);
    expect(s.store.corrupt).toBeUndefined();
  });

  it("at start (strict) an index that does not parse throws; a vanished index drops its store", async () => {
    const s = setup({});
    fs.writeFileSync(indexPath(s.stateDir), "{ torn");
    await expect(s.reader.readStore(s.store, true, true)).rejects.toThrow();
    fs.rmSync(indexPath(s.stateDir));
    expect(await s.reader.readStore(s.store, false, false)).toEqual({ kind: "gone" });
    expect(s.cache.stores.size).toBe(0);
  });

  it("a gateway lock naming the same live gateway changes nothing; another gateway is carried by every session", async () => {
    const s = setup({ "agent:main:a": entry("a", 1) });
    await s.reader.readStore(s.store, true, true);
    expect(s.reader.adoptGateway({ ...GATEWAY })).toBe(false);
    expect(s.reader.adoptGateway({ ...GATEWAY, pid: 2, alive: true })).toBe(true);
    expect(s.store.sessions.get("agent:main:a")?.ev.gateway).toMatchObject({ pid: 2, alive: true });
  });
});
