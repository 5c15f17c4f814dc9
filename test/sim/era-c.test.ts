// The era C simulator writes stores the reader accepts as OpenClaw 2026.9.6's own, with zstd rows
// where 9.6 writes them, and each session gets the verdict the manifest intends.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../src/core/health/deriveHeartbeat.js";
import { generateEraCStore } from "../../src/sim/era-c/generate.js";
import { readEraCStore } from "../../src/store/sqlite/read-store.js";
import { REAL_OPENCLAW_C, sqlite } from "../fixtures/real-openclaw-c.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("generateEraCStore", () => {
  it("writes v23 agent databases whose every session gets its intended verdict", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "oc-sim-c-"));
    dirs.push(out);
    const m = await generateEraCStore({ outDir: out, sessions: 60, seed: 7, now: Date.parse("2026-12-04T12:00:00Z") });
    expect(m.dbPaths).toHaveLength(2);
    const kinds = new Set(m.sessions.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(["done", "failed", "killed", "running-dead", "timeout"]);
    const got = new Map<string, string>();
    for (const [i, agentId] of ["main", "ops"].entries()) {
      const read = readEraCStore({ agentId, storePath: m.dbPaths[i]!, era: "C" });
      expect(read.owner).toMatchObject({ alive: false, role: "gateway" });
      for (const ev of read.evidence) {
        const hb = deriveHeartbeat(ev, m.now, { stallAfterMs: 120_000, perState: {} });
        got.set(ev.sessionKey, `${hb.state}/${hb.health}`);
      }
    }
    for (const s of m.sessions) expect(got.get(s.sessionKey), `${s.sessionKey} (${s.kind})`).toBe(`${s.verdict.state}/${s.verdict.health}`);
  });

  it.each([19, 21] as const)("writes an older release's store (schema %i: text transcript rows only) that the reader judges as the manifest intends", async (version) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `oc-sim-c${version}-`));
    dirs.push(out);
    const m = await generateEraCStore({ outDir: out, sessions: 30, agents: ["main"], seed: 5, now: Date.parse("2026-12-04T12:00:00Z"), schemaVersion: version });
    const { DatabaseSync } = sqlite();
    const db = new DatabaseSync(`file:${m.dbPaths[0]}?mode=ro&immutable=1`);
    try {
      expect(db.prepare("PRAGMA user_version").get().user_version).toBe(version);
      expect(db.prepare("SELECT name FROM pragma_table_info('transcript_events')").all().map((r) => r.name)).toEqual(["session_id", "seq", "event_json", "created_at"]);
    } finally {
      db.close();
    }
    const read = readEraCStore({ agentId: "main", storePath: m.dbPaths[0]!, era: "C" });
    const got = new Map(read.evidence.map((ev) => [ev.sessionKey, deriveHeartbeat(ev, m.now, { stallAfterMs: 120_000, perState: {} })]));
    for (const s of m.sessions) expect(`${got.get(s.sessionKey)?.state}/${got.get(s.sessionKey)?.health}`, `${s.sessionKey} (${s.kind})`).toBe(`${s.verdict.state}/${s.verdict.health}`);
  });

  it("stores long events zstd-compressed with their navigation_json, short ones as JSON", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "oc-sim-c-"));
    dirs.push(out);
    const m = await generateEraCStore({ outDir: out, sessions: 40, agents: ["main"], seed: 3 });
    const { DatabaseSync } = sqlite();
    const db = new DatabaseSync(`file:${m.dbPaths[0]}?mode=ro&immutable=1`);
    try {
      expect(db.prepare("PRAGMA user_version").get().user_version).toBe(23);
      const z = db.prepare("SELECT count(*) AS n, min(event_utf8_bytes) AS min FROM transcript_events WHERE event_zstd IS NOT NULL AND navigation_json IS NOT NULL").get();
      expect(z.n).toBeGreaterThan(0);
      expect(z.min).toBeGreaterThanOrEqual(1024);
      expect(db.prepare("SELECT count(*) AS n FROM transcript_events WHERE event_json IS NOT NULL AND event_utf8_bytes >= 1024").get().n).toBe(0);
    } finally {
      db.close();
    }
  });

  it("creates exactly the schema of a store OpenClaw 2026.9.6 wrote (every table, index and trigger)", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "oc-sim-c-"));
    dirs.push(out);
    const m = await generateEraCStore({ outDir: out, sessions: 5, agents: ["main"], seed: 1 });
    const { DatabaseSync } = sqlite();
    const schema = (file: string) => {
      const db = new DatabaseSync(`file:${file}?mode=ro&immutable=1`);
      try {
        return db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all().map((r) => `${r.type} ${r.name} ${r.sql ?? ""}`);
      } finally {
        db.close();
      }
    };
    const real = path.join(REAL_OPENCLAW_C, "c1-quick-done", "state", "agents", "main", "agent", "openclaw-agent.sqlite");
    expect(schema(m.dbPaths[0]!)).toEqual(schema(real));
  });
});
