// `watch` on era C stores: one connection per store, kept open, polled with `PRAGMA data_version`
// (it changes when another connection commits; a commit touches only -wal/-shm, so watching the
// main file would miss it). A store is re-read only when that number moves, never on a timer.
// An immutable open (no owner, no sidecars) sees no commit at all: each poll stats the main file
// and its sidecars (read-store.ts changedOnDisk) and reopens it when a writer came or went.
// The owner (singleton lock JSON + POSIX lock) is not in the DB: it is re-read on the slow tick.
// Between reads, the clock tick re-judges only the verdicts time can change (judge-live.ts), and
// a resting session's ages once their wording can have moved, as the JSON side does.
import { UnreadableError } from "../../core/errors.js";
import type { LiveVerdict } from "../../core/live/judge-live.js";
import { nextRejudgeAt } from "../../core/live/rejudge-after.js";
import type { Evidence, GatewayInfo, Heartbeat, StoreRef } from "../../core/types.js";
import { openEraCStore, ownerOf, stateDirOfAgentDb, storeFileFacts, type EraCConnection } from "./read-store.js";
import { runtimeMissing } from "./runtime.js";

interface LiveStore {
  ref: StoreRef;
  stateDir?: string;
  conn?: EraCConnection;
  version?: number;
  owner: GatewayInfo;
  evidence: Evidence[];
  heartbeats: Heartbeat[];
  /** per heartbeat: from this moment on time alone can change its verdict (re-judged on the next tick) */
  verdictAt: number[];
  /** per heartbeat: otherwise, when the slow tick next re-judges its ages */
  rejudgeAt: number[];
  warnings: string[];
  why?: string;
  /** the files as they were when an open failed: any change on disk retries it at once */
  failedOn?: string;
}

export interface EraCLive {
  heartbeats(): Heartbeat[];
  warnings(): string[];
  unread(): Array<StoreRef & { why: string }>;
  /** re-reads stores whose data_version moved (and, with `slow`, re-checks owners); true when anything changed */
  poll(slow: boolean): boolean;
  /**
   * re-derives cached heartbeats at a new time; true when any changed. With `slow` given (a clock
   * tick), only those due: those whose verdict a threshold can have changed by now, and on a slow
   * tick those whose ages' wording can have moved; without it, every one.
   */
  rederive(same: (a: Heartbeat, b: Heartbeat) => boolean, slow?: boolean): boolean;
  /** stores read so far (tests) */
  readonly reads: number;
  close(): void;
}

export function openEraCLive(
  refs: StoreRef[],
  judge: (ev: Evidence) => Pick<LiveVerdict, "hb" | "verdictDueAt" | "rejudgeAfterMs">,
  now: () => number = Date.now,
  missing: () => string | undefined = runtimeMissing,
): EraCLive {
  let reads = 0;
  // without node:sqlite (Node 20, 22.14) every open fails, and this Node will not change while it
  // runs: each store says why once, and is never tried again (each try probes the file)
  const noRuntime = missing();
  const stores: LiveStore[] = refs.map((ref) => {
    const stateDir = stateDirOfAgentDb(ref.storePath);
    return { ref, stateDir, owner: ownerOf(stateDir), evidence: [], heartbeats: [], verdictAt: [], rejudgeAt: [], warnings: [] };
  });

  /** Judges every session of the store afresh. */
  const deriveAll = (s: LiveStore): void => {
    const at = now();
    const n = s.evidence.length;
    s.heartbeats = new Array<Heartbeat>(n);
    s.verdictAt = new Array<number>(n);
    s.rejudgeAt = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const v = judge(s.evidence[i]!);
      s.heartbeats[i] = v.hb;
      s.verdictAt[i] = v.verdictDueAt;
      s.rejudgeAt[i] = nextRejudgeAt(v.rejudgeAfterMs, at);
    }
  };

  const connect = (s: LiveStore): boolean => {
    if (noRuntime !== undefined && s.why !== undefined) return false;
    // the files as they are before the attempt: a change during it still counts as a change after
    const before = storeFileFacts(s.ref.storePath).all;
    try {
      s.conn = openEraCStore(s.ref, s.owner.alive, s.stateDir);
      s.why = undefined;
      s.failedOn = undefined;
      s.version = undefined;
      return true;
    } catch (err) {
      if (!(err instanceof UnreadableError)) throw err;
      s.failedOn = before;
      // a store that read before keeps its last good read (as a JSON index that stops parsing
      // does), named unread with why: its sessions did not end because the file went bad
      const changed = s.why !== err.message;
      s.why = err.message;
      return changed;
    }
  };

  const refresh = (s: LiveStore): boolean => {
    let reopened = false;
    // a store opened immutable (no owner, no sidecars) never sees a commit: a writer that appears
    // (its -wal/-shm) or wrote and left (the main file changed) means opening it again, as the
    // sidecars now say (plain, immutable, or refused); so does a main file replaced under any
    // connection (a restored backup), which the old inode would hide for good
    if (s.conn?.changedOnDisk()) {
      s.conn.close();
      s.conn = undefined;
      reopened = connect(s);
    }
    if (!s.conn) return reopened;
    let version: number;
    try {
      version = s.conn.dataVersion();
    } catch (err) {
      // the file was replaced or removed under us: reopen once it changes again, or at the slow tick
      s.conn.close();
      s.conn = undefined;
      s.why = `cannot read ${s.ref.storePath}: ${(err as Error).message}`;
      s.failedOn = storeFileFacts(s.ref.storePath).all;
      return true;
    }
    if (version === s.version) return false;
    // this version is tried once: a read that fails (a damaged page, a bad row, BUSY past the
    // timeout) is not tried again every 200 ms, only after the next commit or reopen
    s.version = version;
    let read: ReturnType<EraCConnection["read"]>;
    try {
      read = s.conn.read(s.owner);
    } catch (err) {
      if (!(err instanceof UnreadableError)) throw err;
      // the last good read stays; only a new reason is news
      const changed = s.why !== err.message;
      s.why = err.message;
      return changed;
    }
    reads++;
    s.why = undefined;
    s.evidence = read.evidence;
    s.warnings = read.warnings;
    deriveAll(s);
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
    deriveAll(s);
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
        } else if (!s.conn && s.failedOn !== undefined && storeFileFacts(s.ref.storePath).all !== s.failedOn) {
          // something changed on disk since the open failed (a gateway's sidecars appeared just
          // after its lock was seen, a bad file was replaced): try again now, not at the slow tick
          changed = connect(s) || changed;
        }
        changed = refresh(s) || changed;
      }
      return changed;
    },
    rederive(same, slow) {
      let changed = false;
      const at = now();
      for (const s of stores) {
        // a new array when anything changed: heartbeats() callers may hold the old one
        let next: Heartbeat[] | undefined;
        for (let i = 0; i < s.heartbeats.length; i++) {
          if (slow !== undefined && at < s.verdictAt[i]! && !(slow && at >= s.rejudgeAt[i]!)) continue;
          const v = judge(s.evidence[i]!);
          s.verdictAt[i] = v.verdictDueAt;
          s.rejudgeAt[i] = nextRejudgeAt(v.rejudgeAfterMs, at);
          if (same(v.hb, s.heartbeats[i]!)) continue;
          next ??= [...s.heartbeats];
          next[i] = v.hb;
          changed = true;
        }
        if (next) s.heartbeats = next;
      }
      return changed;
    },
    close() {
      for (const s of stores) s.conn?.close();
    },
  };
}
