// Writes era C stores the way OpenClaw 2026.9.6 lays them out: an agent database with the real
// schema (schema.ts), user_version 23 and schema_meta role 'agent', one session_nodes row per key
// (entry_json canonical, columns its projections), a session_windows row per session id,
// transcript rows (events of >= 1 KiB that zstd shrinks by >= 10 % stored compressed, with their
// navigation_json, as src/config/sessions/transcript-payload.ts does) and trajectory rows for
// finished runs only (9.6 inserts a run's trajectory when it ends). This is the simulator's own
// file, never a user's store.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { requireNodeSqlite } from "../../store/sqlite/node-sqlite.js";
import { AGENT_SCHEMA_DDL, AGENT_SCHEMA_VERSION } from "./schema.js";

interface WriteDb {
  exec(sql: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown };
  close(): void;
}

export interface SimTranscriptEvent {
  /** the JSON line's object, exactly as the file era wrote it */
  event: Record<string, unknown>;
  at: number;
}

export interface SimSessionRow {
  sessionKey: string;
  sessionId: string;
  /** the canonical SessionEntry */
  entry: Record<string, unknown> & { sessionId: string; updatedAt: number; status?: string };
  transcript: SimTranscriptEvent[];
  /** finished runs' trajectory events, in order */
  trajectory: Array<{ runId: string; event: Record<string, unknown>; at: number }>;
}

export const ZSTD_MIN_BYTES = 1024;
export const ZSTD_MIN_SAVING = 0.1;

function modules(): { DatabaseSync: new (p: string) => WriteDb; zstd: (b: Buffer) => Buffer } {
  const require = createRequire(import.meta.url);
  const zlib = require("node:zlib") as { zstdCompressSync?: (b: Buffer) => Buffer };
  if (typeof zlib.zstdCompressSync !== "function") throw new Error("writing era C stores needs Node 24 (zstd)");
  return { DatabaseSync: requireNodeSqlite<{ DatabaseSync: new (p: string) => WriteDb }>().DatabaseSync, zstd: zlib.zstdCompressSync };
}

export function agentDbFile(stateDir: string, agentId: string): string {
  return path.join(stateDir, "agents", agentId, "agent", "openclaw-agent.sqlite");
}

/**
 * The transcript table of agent schema 19 (OpenClaw 2026.8.1-2026.9.4) and 21 (2026.9.5), verbatim
 * from their schema SQL: text rows only, no compressed ones. Every other table this tool reads is
 * the same in all three versions (src/store/sqlite/open.ts).
 */
const TRANSCRIPT_EVENTS_BEFORE_23 =
  'CREATE TABLE transcript_events (\n  session_id TEXT NOT NULL,\n  seq INTEGER NOT NULL,\n  event_json TEXT NOT NULL,\n  created_at INTEGER NOT NULL,\n  PRIMARY KEY (session_id, seq),\n  FOREIGN KEY (session_id) REFERENCES "session_windows"(session_id) ON DELETE CASCADE\n) STRICT';

/** The release that wrote each schema version, as schema_meta.app_version names it. */
export const SIM_APP_VERSION: Record<SimSchemaVersion, string> = { 19: "2026.9.4", 21: "2026.9.5", 23: "2026.9.6" };

export type SimSchemaVersion = 19 | 21 | 23;

/**
 * Creates (replacing any earlier simulation) one agent's database and fills it. `schemaVersion`
 * 19 or 21 writes an older release's store: its transcript table (text rows only) and versions.
 */
export function writeAgentDb(stateDir: string, agentId: string, sessions: Iterable<SimSessionRow>, now: number, schemaVersion: SimSchemaVersion = AGENT_SCHEMA_VERSION): string {
  const { DatabaseSync, zstd } = modules();
  const older = schemaVersion !== AGENT_SCHEMA_VERSION;
  const file = agentDbFile(stateDir, agentId);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const db = new DatabaseSync(file);
  try {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");
    db.exec("BEGIN");
    for (const ddl of AGENT_SCHEMA_DDL) db.exec(older && ddl.startsWith("CREATE TABLE transcript_events ") ? TRANSCRIPT_EVENTS_BEFORE_23 : ddl);
    db.prepare("INSERT INTO schema_meta VALUES ('primary', 'agent', ?, ?, ?, ?, ?)").run(schemaVersion, agentId, SIM_APP_VERSION[schemaVersion], now, now);
    const node = db.prepare(
      `INSERT INTO session_nodes (session_key, current_session_id, entry_json, entry_valid, updated_at, status, created_at, created_via,
         label, display_name, spawned_by, last_interaction_at, last_activity_at) VALUES (?, ?, ?, 1, ?, ?, ?, 'run', ?, ?, ?, ?, ?)`,
    );
    const valid = db.prepare("UPDATE session_nodes SET entry_valid = 1 WHERE session_key = ?");
    const window = db.prepare(
      `INSERT INTO session_windows (session_id, session_key, created_at, updated_at, transcript_updated_at, session_entry_provenance,
         started_at, ended_at, status, model_provider, model, agent_harness_id, display_name) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, 'openclaw', ?)`,
    );
    // before 23 a row is text only, without its byte count
    const plain = db.prepare(
      older
        ? "INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES (?, ?, ?, ?)"
        : "INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_utf8_bytes) VALUES (?, ?, ?, ?, ?)",
    );
    const packed = older
      ? undefined
      : db.prepare(
          "INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_zstd, event_utf8_bytes, navigation_json) VALUES (?, ?, NULL, ?, ?, ?, ?)",
        );
    const traj = db.prepare("INSERT INTO trajectory_runtime_events (session_id, seq, run_id, event_json, created_at) VALUES (?, ?, ?, ?, ?)");
    const num = (v: unknown) => (typeof v === "number" ? v : null);
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    for (const s of sessions) {
      const e = s.entry;
      const last = s.transcript[s.transcript.length - 1]?.at ?? e.updatedAt;
      node.run(s.sessionKey, s.sessionId, JSON.stringify(e), e.updatedAt, str(e.status), num(e.createdAt) ?? num(e.sessionStartedAt) ?? e.updatedAt,
        str(e.label), str(e.displayName), str(e.spawnedBy), num(e.lastInteractionAt), last);
      // OpenClaw's insert trigger marks a new row pending; its validator then marks it valid
      valid.run(s.sessionKey);
      window.run(s.sessionId, s.sessionKey, num(e.sessionStartedAt) ?? e.updatedAt, e.updatedAt, last, num(e.startedAt), num(e.endedAt), str(e.status),
        str(e.modelProvider), str(e.model), str(e.displayName));
      s.transcript.forEach((t, seq) => {
        const text = JSON.stringify(t.event);
        const bytes = Buffer.byteLength(text);
        if (packed && bytes >= ZSTD_MIN_BYTES) {
          const frame = zstd(Buffer.from(text));
          if (frame.length <= bytes * (1 - ZSTD_MIN_SAVING)) {
            packed.run(s.sessionId, seq, t.at, frame, bytes, navigation(t.event, bytes));
            return;
          }
        }
        if (older) plain.run(s.sessionId, seq, text, t.at);
        else plain.run(s.sessionId, seq, text, t.at, bytes);
      });
      s.trajectory.forEach((t, seq) => traj.run(s.sessionId, seq, t.runId, JSON.stringify(t.event), t.at));
    }
    db.exec("COMMIT");
    db.exec(`PRAGMA user_version = ${schemaVersion}`);
    // the data checkpointed into the main file; closing this last connection then removes -wal and
    // -shm, so a generated store reads as a copy does (immutable=1). A crashed writer's store, its
    // commit only in the -wal: test/fixtures/era-c-crash.ts
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (err) {
    try {
      db.exec("ROLLBACK");
    } catch {
      /* not in a transaction */
    }
    throw err;
  } finally {
    db.close();
  }
  return file;
}

/** The navigation summary a compressed row must carry (the table's CHECK requires its shape). */
function navigation(event: Record<string, unknown>, bytes: number): string {
  const head = { type: event.type, id: event.id, parentId: event.parentId ?? null, timestamp: event.timestamp };
  const msg = (event.message ?? {}) as Record<string, unknown>;
  return JSON.stringify({
    version: 1,
    report: { kind: "canonical", hasParentId: event.parentId != null, entry: head },
    navigation: { ...head, message: { role: msg.role } },
    reset: { ...head, message: { role: msg.role } },
    model: { ...head, message: { role: msg.role, provider: msg.provider, model: msg.model, stopReason: msg.stopReason, timestamp: msg.timestamp, content: [] } },
    modelBytes: bytes,
    modelWithoutCheckpointBytes: bytes,
    withoutCustomDataBytes: bytes,
  });
}

/** The singleton lock JSON a killed gateway leaves in the state dir (tmp/openclaw-<uid>/). */
export function writeOwnerLock(stateDir: string, body: { pid: number; startTime?: number; createdAt: number; port?: number; role?: string }): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const dir = path.join(stateDir, "tmp", uid === undefined ? "openclaw" : `openclaw-${uid}`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "gateway.0badc0de.lock");
  const json: Record<string, unknown> = { pid: body.pid, createdAt: new Date(body.createdAt).toISOString(), port: body.port ?? 18789, startTime: body.startTime };
  if (body.role) json.role = body.role;
  fs.writeFileSync(file, JSON.stringify(json));
  fs.writeFileSync(`${file}.sqlite`, "");
  return file;
}
