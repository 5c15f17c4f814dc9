// `watch` on era C stores: one connection per store, kept open, polled with `PRAGMA data_version`
// (it changes when another connection commits; a commit touches only -wal/-shm, so watching the
// main file would miss it). A store is re-read only when that number moves, never on a timer.
// The owner (singleton lock JSON + POSIX lock) is not in the DB: it is re-read on the slow tick.
import { UnreadableError } from "../../core/errors.js";
import type { Evidence, GatewayInfo, Heartbeat, StoreRef } from "../../core/types.js";
import { openEraCStore, ownerOf, stateDirOfAgentDb, type EraCConnection } from "./read-store.js";

interface LiveStore {
  ref: StoreRef;
  stateDir?: string;
  conn?: EraCConnection;
  version?: number;
  owner: GatewayInfo;
  evidence: Evidence[];
  heartbeats: Heartbeat[];
  warnings: string[];
  why?: string;
}

export interface EraCLive {
  heartbeats(): Heartbeat[];
  warnings(): string[];
  unread(): Array<StoreRef & { why: string }>;
  /** re-reads stores whose data_version moved (and, with `slow`, re-checks owners); true when anything changed */
  poll(slow: boolean): boolean;
  /** re-derives every cached heartbeat at a new time; true when any changed */
  rederive(same: (a: Heartbeat, b: Heartbeat) => boolean): boolean;
  /** stores read so far (tests) */
  readonly reads: number;
  close(): void;
}

export function openEraCLive(refs: StoreRef[], derive: (ev: Evidence) => Heartbeat): EraCLive {
  let reads = 0;
  const stores: LiveStore[] = refs.map((ref) => {
    const stateDir = stateDirOfAgentDb(ref.storePath);
    return { ref, stateDir, owner: ownerOf(stateDir), evidence: [], heartbeats: [], warnings: [] };
  });

  const connect = (s: LiveStore): boolean => {
    try {
      s.conn = openEraCStore(s.ref, s.owner.alive, s.stateDir);
      s.why = undefined;
      s.version = undefined;
      return true;
    } catch (err) {
      if (!(err instanceof UnreadableError)) throw err;
      const changed = s.why !== err.message;
      s.why = err.message;
      s.evidence = [];
      s.heartbeats = [];
      return changed;
    }
  };

  const refresh = (s: LiveStore): boolean => {
    if (!s.conn) return false;
    let version: number;
    try {
      version = s.conn.dataVersion();
    } catch (err) {
      // the file was replaced or removed under us: reopen on the next slow tick
      s.conn.close();
      s.conn = undefined;
      s.why = `cannot read ${s.ref.storePath}: ${(err as Error).message}`;
      return true;
    }
    if (version === s.version) return false;
    const read = s.conn.read(s.owner);
    reads++;
    s.version = version;
    s.evidence = read.evidence;
    s.warnings = read.warnings;
    s.heartbeats = s.evidence.map(derive);
    return true;
  };

  const recheckOwner = (s: LiveStore): boolean => {
    const next = ownerOf(s.stateDir);
    const prev = s.owner;
    if (next.alive === prev.alive && next.pid === prev.pid && next.startedAt === prev.startedAt && next.posixLock === prev.posixLock) return false;
    s.owner = next;
    // immutable is safe only while nobody owns the store: an owner that came alive means reopening
    if (s.conn && s.conn.mode === "immutable" && next.alive) {
      s.conn.close();
      s.conn = undefined;
    }
    for (const ev of s.evidence) ev.gateway = next;
    s.heartbeats = s.evidence.map(derive);
    return true;
  };

  for (const s of stores) if (connect(s)) refresh(s);

  return {
    get reads() {
      return reads;
    },
    heartbeats: () => stores.flatMap((s) => s.heartbeats),
    warnings: () => stores.flatMap((s) => s.warnings),
    unread: () => stores.filter((s) => s.why !== undefined).map((s) => ({ ...s.ref, why: s.why! })),
    poll(slow) {
      let changed = false;
      for (const s of stores) {
        if (slow) {
          changed = recheckOwner(s) || changed;
          if (!s.conn) changed = connect(s) || changed;
        }
        try {
          changed = refresh(s) || changed;
        } catch (err) {
          if (!(err instanceof UnreadableError)) throw err;
          s.why = err.message;
          changed = true;
        }
      }
      return changed;
    },
    rederive(same) {
      let changed = false;
      for (const s of stores) {
        s.heartbeats = s.heartbeats.map((old, i) => {
          const hb = derive(s.evidence[i]);
          if (same(hb, old)) return old;
          changed = true;
          return hb;
        });
      }
      return changed;
    },
    close() {
      for (const s of stores) s.conn?.close();
    },
  };
}
