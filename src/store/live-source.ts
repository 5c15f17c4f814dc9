// The live feed behind `watch` (and anything else that wants heartbeats pushed): one full read
// at start, then only what the file system says changed.
//
// - Every directory holding files the health model reads is watched (watcher.ts: directory
//   watches, filtered by name, debounced). A changed transcript, lock or trajectory re-reads ONLY
//   the sessions whose files those are; a changed sessions.json re-reads the index and re-reads
//   only the entries that differ from the cached ones.
// - The clock tick re-runs the pure health model on cached evidence, for the sessions whose verdict
//   a threshold can change now (stall, --stale-after: src/core/live/verdict-due.ts) or whose
//   reasons' ages need a new wording ("3m ago"); the others are not looked at. The one thing it
//   checks outside the cache is whether the lock owners it believes alive still are: a crashed
//   process leaves its lock file untouched, so no file event will ever say so, and Node cannot
//   wait on a pid. That check is a signal-0 per distinct live pid, a few per tick.
// - A corrupt index keeps the last good read of that store on screen, with a warning; one corrupt
//   at start is listed as unread (the other stores are shown) until it parses again.
// - Stores that appear (a new agent, a sessions dir created later) or vanish are picked up from
//   directory events on <stateDir>/agents and on every selected sessions dir.
import fs from "node:fs";
import path from "node:path";
import { sameHeartbeat, sameVerdict } from "../core/heartbeat-equality.js";
import { judgeLive } from "../core/live/judge-live.js";
import { parseStallAfter, stallDefaultFromConfig } from "../core/thresholds.js";
import type { Evidence, GatewayInfo, Heartbeat, IndexEntry, StoreRef, Thresholds } from "../core/types.js";
import { selectStores, type StoreTarget } from "./agents.js";
import { gatewayPort, stuckSessionWarnMs, type OpenClawConfig } from "./config.js";
import { readGateway } from "./gateway.js";
import { expandUserPath, type Env } from "./locate.js";
import { RealPaths } from "./contain.js";
import { mapPool } from "./pool.js";
import { ownerState } from "./proc.js";
import { readIndexSummary } from "./read-index.js";
import { EraCSide } from "./live/era-c-side.js";
import { openState, readSessionEvidence, resolveStoreRefs, withConfiguredModel, type EvidenceContext, type SnapshotOptions } from "./snapshot.js";
import { movedOnDisk } from "./live/moved-on-disk.js";
import { SessionCache, type Cached, type CachedStore } from "./live/session-cache.js";
import { classifyName, watchStores, type StoreChange } from "./watcher.js";
import { AgentsDirWatch } from "./live/agents-dir-watch.js";
import { DirWatches } from "./live/dir-watches.js";
import { NewWarnings } from "./live/new-warnings.js";
import { emptyPending, isEmptyPending, queueSession, queueStore, sessionId, type Pending } from "./live/pending.js";

export interface LiveSourceOptions extends SnapshotOptions {
  stallAfter?: string[];
  /** the clock every verdict is judged at (default Date.now) */
  now?: () => number;
  /** clock tick: re-derive from cached evidence, re-check live lock owners (default 1000) */
  tickMs?: number;
  /** era C: how often PRAGMA data_version is polled (default 200; well under 0.1 ms a poll) */
  eraCPollMs?: number;
  /** every this many ticks the gateway lock is re-read and an unwatchable dir re-read (default 5) */
  slowEvery?: number;
  debounceMs?: number;
  maxWaitMs?: number;
  retryMs?: number;
  /** each distinct warning once, when it first appears */
  onWarning?: (message: string) => void;
  /** how one session is read (tests wrap it to see what is re-read) */
  readSession?: typeof readSessionEvidence;
  /** how one directory is watched (tests make it fail) */
  watchDir?: typeof watchStores;
}

export interface LiveStats {
  /** sessions read from disk, the initial read included */
  sessionReads: number;
  /** sessions.json files read */
  indexReads: number;
  /** file-driven refreshes applied */
  refreshes: number;
}

export { sameHeartbeat, sameVerdict };

/**
 * What changed since the previous notification: exactly the heartbeats that are new or replaced,
 * and those of sessions no longer listed. serve's hub looks at these, not at 10,000 sessions.
 */
export interface HeartbeatDelta {
  changed: readonly Heartbeat[];
  removed: readonly Heartbeat[];
}

/** Structurally the view's HeartbeatSource (src/ui/watch/source.ts), plus what a command needs. */
export interface LiveSource {
  get(): Heartbeat[];
  /**
   * cb runs after each change, with what changed since its previous call (undefined: compare the
   * whole list, e.g. after an era C store changed); returns the unsubscribe function
   */
  subscribe(cb: (delta?: HeartbeatDelta) => void): () => void;
  /** this heartbeat's run is in progress and something alive can move it (judge-live.ts) */
  moving(hb: Heartbeat): boolean;
  /** epoch ms of the last refresh, periodic re-checks included */
  lastUpdateAt(): number;
  readonly stateDir: string;
  stores(): StoreRef[];
  eraC(): StoreRef[];
  /** stores that cannot be read now, with why: a JSON index that does not parse, an era C store */
  unread(): Array<StoreRef & { why: string }>;
  /** the warnings that hold now (an index that stopped parsing, an unwatchable dir ...) */
  warnings(): string[];
  readonly stats: LiveStats;
  /** resolves once every change reported so far has been applied (tests, shutdown) */
  settled(): Promise<void>;
  close(): void;
}

export async function openLiveSource(opts: LiveSourceOptions = {}): Promise<LiveSource> {
  const env: Env = opts.env ?? process.env;
  const now = opts.now ?? Date.now;
  const readSession = opts.readSession ?? readSessionEvidence;
  const watchDir = opts.watchDir ?? watchStores;
  const loaded = openState(opts, env);
  const { stateDir, configPath } = loaded;
  const config: OpenClawConfig = loaded.config;
  const thresholds: Thresholds = parseStallAfter(opts.stallAfter ?? [], stallDefaultFromConfig(stuckSessionWarnMs(config)));
  const trajectoryDir = env.OPENCLAW_TRAJECTORY_DIR?.trim() ? expandUserPath(env.OPENCLAW_TRAJECTORY_DIR, env) : undefined;
  const agentsDir = path.join(stateDir, "agents");
  // --store and --agent fix the set of stores; otherwise a new agent dir adds one
  const discover = !opts.store && !opts.agent;
  const port = gatewayPort(config, env, opts.profile);

  const gateway = await readGateway({ configPath, port, tmpDir: opts.tmpDir, probe: opts.probe });
  const ctx: EvidenceContext = { stateDir, env, gateway, tail: opts.tail, config };
  const stats: LiveStats = { sessionReads: 0, indexReads: 0, refreshes: 0 };
  const cache = new SessionCache((ev, at) => judgeLive(ev, at, thresholds), trajectoryDir);
  const { stores, files } = cache;
  let targets: StoreTarget[] = [];
  let eraC: StoreRef[] = [];
  let targetWarnings: string[] = [];
  const subscribers = new Set<(delta?: HeartbeatDelta) => void>();
  /** an era C store changed: its heartbeats are not tracked one by one, so the whole list is news */
  let wholeList = false;
  let list: Heartbeat[] = [];
  let lastUpdate = 0;
  let closed = false;
  let pending = emptyPending();
  let running: Promise<void> | undefined;
  let runStartedAt = 0;
  let ticks = 0;
  let starting = true;
  const early: StoreChange[] = [];
  /** era C stores: polled on their own connections (sqlite/live.ts), no file watch */
  const eraCSide = new EraCSide({
    judge: (ev) => cache.judge(withConfiguredModel(ev, config), now()),
    now,
    pollMs: opts.eraCPollMs,
    onChange: () => {
      wholeList = true;
      rebuild();
      lastUpdate = now();
      reportWarnings();
      notify();
    },
    onFailure: () => reportWarnings(),
  });
  /** (Re)opens the era C side when the set of era C stores changed: its heartbeats are not tracked one by one */
  const syncEraC = (): void => {
    if (eraCSide.sync(eraC)) wholeList = true;
  };

  // ------------------------------------------------------------------ reading

  const readOne = async (store: CachedStore, key: string, entry: IndexEntry, run: EvidenceContext): Promise<{ key: string; ev: Evidence; warnings: string[] }> => {
    const warnings: string[] = [];
    stats.sessionReads++;
    const ev = await readSession(store.ref, key, entry, run, warnings);
    return { key, ev, warnings };
  };

  /** The context of one refresh run: directories resolved once for its sessions, then forgotten. */
  const runContext = (): EvidenceContext => ({ ...ctx, realPaths: new RealPaths() });

  /** Re-reads a store's index; re-reads the sessions that are new or whose entry changed (all with `force`). */
  const readStore = async (store: CachedStore, force: boolean, strict = false, run: EvidenceContext = runContext()): Promise<string[]> => {
    let read;
    try {
      stats.indexReads++;
      read = readIndexSummary(store.ref.storePath);
    } catch (err) {
      // at start there is no last good read to fall back on: fail the way `status` does
      if (strict) throw err;
      if (!fs.existsSync(store.ref.storePath)) {
        // the index is gone (agent removed, sessions dir deleted): so are its sessions
        cache.dropStore(store.ref.storePath);
        pending.targets = true;
        return [];
      }
      const why = (err as Error).message;
      const shown = store.sessions.size > 0 ? "; showing its last good read" : "";
      store.corrupt = { why, warning: `agent ${store.ref.agentId}: ${store.ref.storePath} was not read: ${why}${shown}` };
      return [];
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
    for (const key of [...store.sessions.keys()]) if (!texts.has(key)) cache.drop(store, key);
    const results = await mapPool(changed, (key) => readOne(store, key, read.entries[key], run));
    const at = now();
    for (const r of results) {
      cache.put(store, r.key, r.ev, r.warnings, at);
      store.entryText.set(r.key, texts.get(r.key)!);
    }
    return changed;
  };

  /** Which stores the options select now; new ones are queued for a full read, vanished ones dropped. */
  const resolveTargets = (strict = false): CachedStore[] => {
    let refs: StoreRef[];
    try {
      targets = selectStores(stateDir, config, opts, env);
      const resolved = resolveStoreRefs(stateDir, config, opts, env);
      refs = resolved.stores;
      eraC = resolved.eraC;
      targetWarnings = resolved.warnings;
      if (!starting) syncEraC();
    } catch (err) {
      if (strict) throw err;
      // e.g. the --store file vanished: keep what is on screen, say why
      targetWarnings = [(err as Error).message];
      return [];
    }
    const fresh: CachedStore[] = [];
    const wanted = new Set(refs.map((r) => r.storePath));
    for (const storePath of [...stores.keys()]) if (!wanted.has(storePath)) cache.dropStore(storePath);
    for (const ref of refs) {
      const known = stores.get(ref.storePath);
      if (known) {
        known.ref = ref; // its era may have changed
        continue;
      }
      fresh.push(cache.addStore(ref));
    }
    return fresh;
  };

  // ------------------------------------------------------------------ output

  const rebuild = (): void => {
    const out = cache.heartbeats();
    out.push(...eraCSide.heartbeats());
    list = out;
  };

  const notify = (): void => {
    const changes = cache.takeDelta();
    const delta: HeartbeatDelta | undefined = wholeList ? undefined : changes;
    wholeList = false;
    for (const cb of [...subscribers]) cb(delta);
  };

  const currentWarnings = (): string[] => {
    const out = new Set<string>([...loaded.warnings, ...targetWarnings, ...watches.warnings()]);
    for (const store of stores.values()) {
      for (const w of store.indexWarnings) out.add(w);
      if (store.corrupt) out.add(store.corrupt.warning);
      for (const c of store.sessions.values()) for (const w of c.warnings) out.add(w);
    }
    for (const w of eraCSide.warnings()) out.add(w);
    return [...out];
  };

  const newWarnings = new NewWarnings(opts.onWarning);
  const reportWarnings = (): void => {
    if (opts.onWarning) newWarnings.report(currentWarnings());
  };

  // ------------------------------------------------------------------ watching

  const wantedDirs = (): Set<string> => {
    const dirs = new Set<string>();
    for (const t of targets) dirs.add(path.dirname(path.resolve(t.storePath)));
    if (trajectoryDir) dirs.add(trajectoryDir);
    for (const dir of files.dirs()) dirs.add(dir);
    return dirs;
  };

  /**
   * Arms a watcher on every dir that holds (or will hold) files we read, and closes the ones no
   * longer needed. What changed in a dir before its watch was armed is caught up here: an index
   * that appeared, sessions read from a dir that was not watched yet.
   */
  const syncWatchers = (): void => {
    if (closed) return;
    const added = watches.sync(wantedDirs());
    if (added.length === 0 || starting) return;
    const armed = new Set(added);
    for (const t of targets) {
      if (armed.has(path.dirname(path.resolve(t.storePath))) && !stores.has(t.storePath) && fs.existsSync(t.storePath)) pending.targets = true;
    }
    for (const dir of added) for (const c of sessionsIn(dir)) queueSession(pending, c);
  };

  const sessionsIn = (dir: string): Cached[] => cache.sessionsIn(dir);

  const onChanges = (changes: StoreChange[]): void => {
    if (closed) return;
    if (starting) {
      // the first read is under way: apply these once it is cached, so they can be matched to sessions
      early.push(...changes);
      return;
    }
    for (const ch of changes) {
      const dir = ch.dir;
      const here = [...stores.values()].filter((s) => s.dir === dir);
      if (ch.rescan) {
        // the dir appeared, vanished or was re-armed: events may have been lost in between
        watches.rearmed(dir);
        pending.targets = true;
        for (const s of here) queueStore(pending, s.ref.storePath, true);
        for (const c of sessionsIn(dir)) queueSession(pending, c);
        continue;
      }
      if (ch.index) {
        if (here.length === 0) pending.targets = true; // an index appeared where none was read
        for (const s of here) queueStore(pending, s.ref.storePath, false);
      }
      for (const name of ch.names) {
        const hits = files.atPath(path.join(dir, name));
        if (hits) {
          for (const c of hits) queueSession(pending, c);
          continue;
        }
        // a file at a path not seen before (a sidecar named by a new pointer): match by session id
        const kind = classifyName(name);
        if (kind?.kind === "session") for (const c of files.withId(kind.sessionId) ?? []) queueSession(pending, c);
      }
    }
    kick();
  };

  const watches = new DirWatches(watchDir, (changes) => onChanges(changes), reportWarnings, {
    debounceMs: opts.debounceMs,
    maxWaitMs: opts.maxWaitMs,
    retryMs: opts.retryMs,
  });
  const agentsWatch = discover
    ? new AgentsDirWatch(
        agentsDir,
        () => {
          pending.targets = true;
          kick();
        },
        opts.debounceMs,
      )
    : undefined;
  const armAgentsWatch = (): void => {
    if (!closed) agentsWatch?.arm();
  };

  // ------------------------------------------------------------------ refresh runs

  const refreshGateway = async (): Promise<boolean> => {
    const next = await readGateway({ configPath, port, tmpDir: opts.tmpDir, probe: false });
    const prev = ctx.gateway!;
    if (next.pid === prev.pid && next.startedAt === prev.startedAt && next.alive === prev.alive && next.lockPath === prev.lockPath) return false;
    // the health model ignores the probe; keep the first answer rather than pretend a new one
    const info: GatewayInfo = { ...next, probe: next.pid === prev.pid ? prev.probe : "skipped" };
    ctx.gateway = info;
    for (const c of cache.sessions()) c.ev.gateway = info;
    return true;
  };

  /** Applies one batch of work; false when it was only the gateway re-read and that found no change. */
  const runOnce = async (work: Pending): Promise<boolean> => {
    let all = false;
    if (work.gateway) all = await refreshGateway();
    if (work.targets) {
      for (const store of resolveTargets()) work.stores.set(store.ref.storePath, true);
      // a new store's dir is watched before it is read: nothing written meanwhile is missed
      syncWatchers();
    }
    // sessions already read in this batch: their files' changes came before the read
    const done = new Set<string>();
    const run = runContext();
    for (const [storePath, force] of work.stores) {
      const store = stores.get(storePath);
      if (!store) continue;
      for (const key of await readStore(store, force, false, run)) done.add(sessionId(storePath, key));
    }
    const singles: Cached[] = [];
    for (const [id, { storePath, key }] of work.sessions) {
      const c = stores.get(storePath)?.sessions.get(key);
      // a session that left the index needs nothing more
      if (c && !done.has(id)) singles.push(c);
    }
    const results = await mapPool(singles, (c) => readOne(c.store, c.key, c.ev.entry, run));
    const at = now();
    for (const [i, r] of results.entries()) cache.put(singles[i].store, r.key, r.ev, r.warnings, at);
    if (all) cache.rejudgeAll(at);
    stats.refreshes++;
    return all || work.targets || work.stores.size > 0 || work.sessions.size > 0;
  };

  /** Runs queued work one batch at a time; changes arriving meanwhile form the next batch. */
  const kick = (): void => {
    if (running || closed || starting || isEmptyPending(pending)) return;
    runStartedAt = Date.now();
    running = (async () => {
      try {
        while (!closed && !isEmptyPending(pending)) {
          const work = pending;
          pending = emptyPending();
          // the slow tick's gateway re-read, finding the same gateway: nothing to rebuild or tell
          if (!(await runOnce(work))) {
            lastUpdate = now();
            continue;
          }
          rebuild();
          syncWatchers();
          lastUpdate = now();
          reportWarnings();
          notify();
        }
      } catch (err) {
        // a run must never take the feed down: say so, and let the next change try again
        const msg = `refresh failed: ${(err as Error).message}`;
        targetWarnings = [...targetWarnings.filter((w) => !w.startsWith("refresh failed:")), msg];
        reportWarnings();
      } finally {
        running = undefined;
      }
      if (!closed && !isEmptyPending(pending)) kick();
    })();
  };

  // ------------------------------------------------------------------ the tick

  const checkOwners = (): void => {
    const verdicts = new Map<string, string>();
    for (const c of cache.liveLocks) {
      const lock = c.ev.lock!;
      const k = `${lock.pid}:${lock.starttime ?? ""}`;
      let state = verdicts.get(k);
      if (state === undefined) verdicts.set(k, (state = ownerState(lock.pid!, lock.starttime)));
      if (state !== "alive") queueSession(pending, c);
    }
    const gw = ctx.gateway;
    if (gw?.alive && gw.pid !== undefined && ownerState(gw.pid) !== "alive") pending.gateway = true;
  };

  const tick = (): void => {
    if (closed) return;
    ticks++;
    checkOwners();
    const slow = ticks % Math.max(1, opts.slowEvery ?? 5) === 0;
    if (slow) {
      pending.gateway = true; // a gateway that started since leaves only a new lock file behind
      armAgentsWatch();
      for (const dir of watches.unwatched) {
        pending.targets = true;
        for (const store of stores.values()) if (store.dir === dir) queueStore(pending, store.ref.storePath, false);
        for (const c of sessionsIn(dir)) if (movedOnDisk(c.ev)) queueSession(pending, c);
      }
    }
    kick();
    const at = now();
    let shown = cache.rejudgeDue(at, slow);
    // a verdict that changed is published at once; reasons whose ages moved ("3m02s ago"), every
    // few seconds: each publish costs the view a full frame or two
    if (eraCSide.tick(slow)) {
      shown = true;
      wholeList = true;
    }
    const publish = shown || (slow && cache.agesOnly);
    if (publish) rebuild();
    // a read stuck for seconds (a hung mount) must turn the footer yellow, not hide behind ticks
    if (!running || Date.now() - runStartedAt < 2 * (opts.tickMs ?? 1_000)) lastUpdate = at;
    if (publish) notify();
  };

  // ------------------------------------------------------------------ start

  const stop = (): void => {
    closed = true;
    clearInterval(timer);
    agentsWatch?.close();
    watches.close();
    subscribers.clear();
    eraCSide.close();
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const initial = resolveTargets(true);
    // watch before reading: a change during the first read must not go unseen
    syncWatchers();
    armAgentsWatch();
    // one corrupt index must not hide the others; when it is the only store, its error is the answer
    const alone = initial.length === 1 && eraC.length === 0;
    for (const store of initial) await readStore(store, true, alone);
    syncEraC();
  } catch (err) {
    stop();
    throw err;
  }
  rebuild();
  lastUpdate = now();
  reportWarnings();
  starting = false;
  // dirs known only from the sessions just read (a transcript kept elsewhere) are armed now
  syncWatchers();
  onChanges(early.splice(0));
  kick();
  timer = setInterval(tick, opts.tickMs ?? 1_000);
  eraCSide.armPoll();

  return {
    stateDir,
    stats,
    get: () => list,
    moving: (hb) => cache.moving(hb),
    subscribe(cb) {
      subscribers.add(cb);
      return () => {
        subscribers.delete(cb);
      };
    },
    lastUpdateAt: () => lastUpdate,
    stores: () => [...stores.values()].map((s) => s.ref),
    eraC: () => eraC,
    unread: () => [
      ...[...stores.values()].flatMap((s) => (s.corrupt ? [{ ...s.ref, why: s.corrupt.why }] : [])),
      ...eraCSide.unread(),
    ],
    warnings: currentWarnings,
    async settled() {
      while (running) await running;
    },
    close() {
      if (!closed) stop();
    },
  };
}
