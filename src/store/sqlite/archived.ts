// Era C rows OpenClaw's maintenance archived: `session_nodes.archived_at` set. The live reader
// (rows.ts) leaves them out, as OpenClaw lists only rows with archived_at NULL; this says, for
// sessions that just left the live set, which left because they were archived (serve's
// `socket.drain` reason `archived`). One short read-only statement per store, on a connection of
// its own, opened by the same never-write rules as every read.
import { UnreadableError } from "../../core/errors.js";
import type { StoreRef } from "../../core/types.js";
import { checkAgentSchema, openStoreDb } from "./open.js";
import { ownerOf, stateDirOfAgentDb } from "./read-store.js";

export interface ArchivedRow {
  sessionKey: string;
  /** current_session_id of the archived row: the session that left */
  sessionId: string;
  archivedAt: number;
}

/** SQLite's default limit on host parameters is 32766; departures come a few at a time. */
const KEYS_PER_STATEMENT = 500;

/** The archived rows among `keys` in one agent database. */
export function readArchivedRows(store: StoreRef, keys: readonly string[]): ArchivedRow[] {
  if (keys.length === 0) return [];
  const { db } = openStoreDb(store.storePath, ownerOf(stateDirOfAgentDb(store.storePath)).alive);
  try {
    checkAgentSchema(db, store.storePath);
    const out: ArchivedRow[] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
      const part = keys.slice(i, i + KEYS_PER_STATEMENT);
      const sql = `SELECT session_key AS key, current_session_id AS sid, archived_at AS at FROM session_nodes WHERE archived_at IS NOT NULL AND session_key IN (${part.map(() => "?").join(",")})`;
      for (const r of db.prepare(sql).all(...part)) {
        if (typeof r.key === "string" && typeof r.sid === "string" && (typeof r.at === "number" || typeof r.at === "bigint")) {
          out.push({ sessionKey: r.key, sessionId: r.sid, archivedAt: Number(r.at) });
        }
      }
    }
    return out;
  } catch (err) {
    if (err instanceof UnreadableError) throw err;
    throw new UnreadableError(`cannot read ${store.storePath}: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}
