// Reading for the live source: an index and the sessions in it that changed, single sessions,
// the gateway lock. Everything read goes into the cache, judged there (src/core decides).
import fs from "node:fs";
import type { Evidence, GatewayInfo, IndexEntry } from "../../core/types.js";
import { RealPaths } from "../contain.js";
import { mapPool } from "../pool.js";
import { readIndexSummary } from "../read-index.js";
import type { EvidenceContext, readSessionEvidence } from "../snapshot.js";
import type { Cached, CachedStore, SessionCache } from "./session-cache.js";

export interface LiveStats {
  /** sessions read from disk, the initial read included */
  sessionReads: number;
  /** sessions.json files read */
  indexReads: number;
  /** file-driven refreshes applied */
  refreshes: number;
}

/** What re-reading one index found. */
export type IndexRead =
  /** the keys of the sessions (re-)read */
  | { kind: "read"; changed: string[] }
  /** the index is gone (agent removed, sessions dir deleted): so are its sessions */
  | { kind: "gone" }
  /** it did not parse: the last good read stays, with a warning */
  | { kind: "corrupt" };

export class StoreReader {
  readonly stats: LiveStats = { sessionReads: 0, indexReads: 0, refreshes: 0 };

  constructor(
    private readonly cache: SessionCache,
    /** shared by every read; its gateway is replaced when the gateway lock changes */
    private readonly ctx: EvidenceContext,
    private readonly readSession: typeof readSessionEvidence,
    private readonly now: () => number,
    /** why the whole state dir is missing now (moved, deleted), if it is: its stores are then kept, not dropped */
    private readonly stateDirGone: () => string | undefined = () => undefined,
  ) {}

  get gateway(): GatewayInfo | undefined {
    return this.ctx.gateway;
  }

  /** The context of one refresh run: directories resolved once for its sessions, then forgotten. */
  runContext(): EvidenceContext {
    return { ...this.ctx, realPaths: new RealPaths() };
  }

  /**
   * Re-reads a store's index, then the sessions that are new or whose entry changed (all of them
   * with `force`). `strict`: at start there is no last good read to fall back on, so an index that
   * does not read fails the way `status` does.
   */
  async readStore(store: CachedStore, force: boolean, strict: boolean, run: EvidenceContext = this.runContext()): Promise<IndexRead> {
    let read;
    try {
      this.stats.indexReads++;
      read = readIndexSummary(store.ref.storePath);
    } catch (err) {
      if (strict) throw err;
      const dirGone = this.stateDirGone();
      if (dirGone) {
        // not one agent's store removed but everything out of reach: what was read stays, with why
        store.corrupt = { why: dirGone, warning: dirGone };
        return { kind: "corrupt" };
      }
      if (!fs.existsSync(store.ref.storePath)) {
        this.cache.dropStore(store.ref.storePath);
        return { kind: "gone" };
      }
      const why = (err as Error).message;
      const shown = store.sessions.size > 0 ? "; showing its last good read" : "";
      store.corrupt = { why, warning: `agent ${store.ref.agentId}: ${store.ref.storePath} was not read: ${why}${shown}` };
      return { kind: "corrupt" };
    }
    store.corrupt = undefined;
    store.indexWarnings = read.warnings;
    const changed: string[] = [];
    const texts = new Map<string, string>();
    for (const key of Object.keys(read.entries)) {
      const text = JSON.stringify(read.entries[key]);
      texts.set(key, text);
      if (force || store.entryText.get(key) !== text || !store.sessions.has(key)) changed.push(key);
    }
    for (const key of [...store.sessions.keys()]) if (!texts.has(key)) this.cache.drop(store, key);
    const results = await mapPool(changed, (key) => this.readOne(store, key, read.entries[key], run));
    const at = this.now();
    for (const r of results) {
      this.cache.put(store, r.key, r.ev, r.warnings, at);
      store.entryText.set(r.key, texts.get(r.key)!);
    }
    return { kind: "read", changed };
  }

  /** Re-reads these sessions' files (their index entries as cached). */
  async readSessions(sessions: readonly Cached[], run: EvidenceContext): Promise<void> {
    // their files went with the state dir: a read now would only say "transcript not found"
    if (this.stateDirGone()) return;
    const results = await mapPool(sessions, (c) => this.readOne(c.store, c.key, c.ev.entry, run));
    const at = this.now();
    for (const [i, r] of results.entries()) this.cache.put(sessions[i].store, r.key, r.ev, r.warnings, at);
  }

  /**
   * Takes a fresh read of the gateway lock; true when it names another gateway (or the same one
   * alive or dead now), which every session's evidence then carries.
   */
  adoptGateway(next: GatewayInfo): boolean {
    const prev = this.ctx.gateway!;
    if (next.pid === prev.pid && next.startedAt === prev.startedAt && next.alive === prev.alive && next.lockPath === prev.lockPath) return false;
    // the health model ignores the probe; keep the first answer rather than pretend a new one
    const info: GatewayInfo = { ...next, probe: next.pid === prev.pid ? prev.probe : "skipped" };
    this.ctx.gateway = info;
    for (const c of this.cache.sessions()) c.ev.gateway = info;
    return true;
  }

  private async readOne(store: CachedStore, key: string, entry: IndexEntry, run: EvidenceContext): Promise<{ key: string; ev: Evidence; warnings: string[] }> {
    const warnings: string[] = [];
    this.stats.sessionReads++;
    const ev = await this.readSession(store.ref, key, entry, run, warnings);
    return { key, ev, warnings };
  }
}
