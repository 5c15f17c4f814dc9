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
//
// This file wires the pieces in live/: route-changes (events -> work), batch-runner (one batch at
// a time), store-reader (reads into the cache), session-cache (src/core judges, it remembers),
// live-targets (which stores), dead-owners (the tick's pid check), publisher (list and deltas).
import fs from "node:fs";
import path from "node:path";
import { sameHeartbeat, sameVerdict } from "../core/heartbeat-equality.js";
import { judgeLive } from "../core/live/judge-live.js";
import type { Heartbeat, StoreRef, Thresholds } from "../core/types.js";
import { selectStores, type StoreTarget } from "./agents.js";
import { gatewayPort, type OpenClawConfig } from "./config.js";
import { readGateway } from "./gateway.js";
import { expandUserPath, type Env } from "./locate.js";
import { ownerState } from "./proc.js";
import { thresholdsFor } from "./thresholds.js";
import { openState, readSessionEvidence, resolveStoreRefs, withConfiguredModel, type SnapshotOptions } from "./snapshot.js";
import { watchStores, type StoreChange } from "./watcher.js";
import { AgentsDirWatch } from "./live/agents-dir-watch.js";
import { BatchRunner } from "./live/batch-runner.js";
import { queueDeadOwners } from "./live/dead-owners.js";
import { DirWatches } from "./live/dir-watches.js";
import { EraCSide } from "./live/era-c-side.js";
import { LiveTargets } from "./live/live-targets.js";
import { movedOnDisk } from "./live/moved-on-disk.js";
import { NewWarnings } from "./live/new-warnings.js";
import { queueSession, queueStore, sessionId, type Pending } from "./live/pending.js";
import { Publisher, type HeartbeatDelta } from "./live/publisher.js";
import { routeChanges, type ChangeRouting } from "./live/route-changes.js";
import { SessionCache, type Cached } from "./live/session-cache.js";
import { StoreReader, type LiveStats } from "./live/store-reader.js";

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

export type { LiveStats };
export { sameHeartbeat, sameVerdict };

export type { HeartbeatDelta };

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
  const loaded = openState(opts, env);
  const { stateDir, configPath } = loaded;
  const config: OpenClawConfig = loaded.config;
  // the same thresholds as `status` (stall limits and the whole-run timeout): the same verdicts
  const thresholds: Thresholds = thresholdsFor({ config }, opts.stallAfter);
  const trajectoryDir = env.OPENCLAW_TRAJECTORY_DIR?.trim() ? expandUserPath(env.OPENCLAW_TRAJECTORY_DIR, env) : undefined;
  // --store and --agent fix the set of stores; otherwise a new agent dir adds one
  const discover = !opts.store && !opts.agent;
  const port = gatewayPort(config, env, opts.profile);
  const tickMs = opts.tickMs ?? 1_000;

  const gateway = await readGateway({ configPath, port, tmpDir: opts.tmpDir, probe: opts.probe });
  const cache = new SessionCache((ev, at) => judgeLive(ev, at, thresholds), trajectoryDir);
  // a state dir that went away (moved, deleted, an unmounted volume) is not "no sessions, all
  // fine": what is on screen stays, with why, as for an index that stopped parsing
  const stateDirGone = (): string | undefined =>
    !opts.store && !fs.existsSync(stateDir) ? `the state dir ${stateDir} is gone (moved or deleted?): showing its last read until it is back` : undefined;
  const reader = new StoreReader(cache, { stateDir, env, gateway, tail: opts.tail, config }, opts.readSession ?? readSessionEvidence, now, stateDirGone);
  const targets = new LiveTargets(cache, () => {
    const gone = stateDirGone();
    if (gone) throw new Error(gone);
    const selected = selectStores(stateDir, config, opts, env);
    return { targets: selected, ...resolveStoreRefs(stateDir, config, opts, env) };
  });
  const out = new Publisher(cache, () => eraCSide.heartbeats());
  let lastUpdate = 0;
  let closed = false;
  let starting = true;
  let ticks = 0;
  const early: StoreChange[] = [];

  // ------------------------------------------------------------------ output

  /**
   * Whole stores first (one not read, the state dir gone, an era C store refused), then the rest:
   * a banner of a few lines must not hide "was not read" behind a copied dir's per-session notes.
   */
  const currentWarnings = (): string[] => {
    const all = new Set<string>(targets.warnings());
    for (const store of cache.stores.values()) if (store.corrupt) all.add(store.corrupt.warning);
    for (const w of eraCSide.warnings()) all.add(w);
    for (const w of [...loaded.warnings, ...watches.warnings()]) all.add(w);
    for (const store of cache.stores.values()) {
      for (const w of store.indexWarnings) all.add(w);
      for (const c of store.sessions.values()) for (const w of c.warnings) all.add(w);
    }
    return [...all];
  };

  const newWarnings = new NewWarnings(opts.onWarning);
  const reportWarnings = (): void => {
    if (opts.onWarning) newWarnings.report(currentWarnings());
  };

  /** A refresh changed what is shown: rebuild the list, say so. */
  const published = (): void => {
    out.rebuild();
    lastUpdate = now();
    reportWarnings();
    out.notify();
  };

  /** era C stores: polled on their own connections (sqlite/live.ts), no file watch */
  const eraCSide = new EraCSide({
    judge: (ev) => cache.judge(withConfiguredModel(ev, config), now()),
    now,
    pollMs: opts.eraCPollMs,
    onChange: () => {
      out.wholeListChanged();
      published();
    },
    onFailure: () => reportWarnings(),
  });
  /** (Re)opens the era C side when the set of era C stores changed */
  const syncEraC = (): void => {
    if (eraCSide.sync(targets.eraC)) out.wholeListChanged();
  };

  // ------------------------------------------------------------------ watching

  const wantedDirs = (): Set<string> => new Set([...targets.indexDirs(), ...(trajectoryDir ? [trajectoryDir] : []), ...cache.files.dirs()]);

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
    for (const t of targets.uncached()) if (armed.has(path.dirname(path.resolve(t.storePath))) && fs.existsSync(t.storePath)) runner.pending.targets = true;
    for (const dir of added) for (const c of cache.sessionsIn(dir)) queueSession(runner.pending, c);
  };

  const routing: ChangeRouting = {
    storesIn: (dir) => [...cache.stores.values()].filter((s) => s.dir === dir),
    sessionsIn: (dir) => cache.sessionsIn(dir),
    atPath: (file) => cache.files.atPath(file),
    withId: (id) => cache.files.withId(id),
    rearmed: (dir) => watches.rearmed(dir),
  };

  const onChanges = (changes: StoreChange[]): void => {
    if (closed) return;
    // during the first read, changes wait until it is cached, so they can be matched to sessions
    if (starting) early.push(...changes);
    else {
      routeChanges(changes, routing, runner.pending);
      runner.kick();
    }
  };

  const watches = new DirWatches(opts.watchDir ?? watchStores, onChanges, reportWarnings, {
    debounceMs: opts.debounceMs,
    maxWaitMs: opts.maxWaitMs,
    retryMs: opts.retryMs,
  });
  const agentsWatch = discover
    ? new AgentsDirWatch(
        path.join(stateDir, "agents"),
        () => {
          runner.pending.targets = true;
          runner.kick();
        },
        opts.debounceMs,
      )
    : undefined;
  const armAgentsWatch = (): void => {
    if (!closed) agentsWatch?.arm();
  };

  // ------------------------------------------------------------------ refresh batches

  /** Applies one batch of work; false when it was only the gateway re-read and that found no change. */
  const applyBatch = async (work: Pending): Promise<boolean> => {
    const gatewayMoved = work.gateway && reader.adoptGateway(await readGateway({ configPath, port, tmpDir: opts.tmpDir, probe: false }));
    if (work.targets) {
      for (const store of targets.resolve(false, syncEraC)) work.stores.set(store.ref.storePath, true);
      // a new store's dir is watched before it is read: nothing written meanwhile is missed
      syncWatchers();
    }
    // sessions already read in this batch: their files' changes came before the read
    const done = new Set<string>();
    const run = reader.runContext();
    for (const [storePath, force] of work.stores) {
      const store = cache.stores.get(storePath);
      if (!store) continue;
      const read = await reader.readStore(store, force, false, run);
      if (read.kind === "gone") runner.pending.targets = true;
      if (read.kind === "read") for (const key of read.changed) done.add(sessionId(storePath, key));
    }
    const singles: Cached[] = [];
    for (const [id, { storePath, key }] of work.sessions) {
      const c = cache.stores.get(storePath)?.sessions.get(key);
      // a session that left the index needs nothing more
      if (c && !done.has(id)) singles.push(c);
    }
    await reader.readSessions(singles, run);
    if (gatewayMoved) cache.rejudgeAll(now());
    reader.stats.refreshes++;
    return gatewayMoved || work.targets || work.stores.size > 0 || work.sessions.size > 0;
  };

  const runner = new BatchRunner(
    async (work) => {
      // the slow tick's gateway re-read, finding the same gateway: nothing to rebuild or tell
      if (!(await applyBatch(work))) {
        lastUpdate = now();
        return;
      }
      syncWatchers();
      published();
    },
    (err) => {
      targets.refreshFailed(err);
      reportWarnings();
    },
    () => !closed && !starting,
  );

  // ------------------------------------------------------------------ the tick

  /**
   * Re-judges cached evidence whose verdict (or reasons' wording) time can change now, checks the
   * live lock owners, and on every slow tick re-reads what no file event will report: the gateway
   * lock, the agents dir, dirs that cannot be watched.
   */
  const tick = (): void => {
    if (closed) return;
    ticks++;
    queueDeadOwners(cache.liveLocks, reader.gateway, runner.pending, ownerState);
    const slow = ticks % Math.max(1, opts.slowEvery ?? 5) === 0;
    if (slow) {
      runner.pending.gateway = true; // a gateway that started since leaves only a new lock file behind
      armAgentsWatch();
      for (const dir of watches.unwatched) {
        runner.pending.targets = true;
        for (const store of cache.stores.values()) if (store.dir === dir) queueStore(runner.pending, store.ref.storePath, false);
        for (const c of cache.sessionsIn(dir)) if (movedOnDisk(c.ev)) queueSession(runner.pending, c);
      }
    }
    runner.kick();
    const at = now();
    let shown = cache.rejudgeDue(at, slow);
    // a verdict that changed is published at once; reasons whose ages moved ("3m02s ago"), every
    // few seconds: each publish costs the view a full frame or two
    if (eraCSide.tick(slow)) {
      shown = true;
      out.wholeListChanged();
    }
    const publish = shown || (slow && cache.agesOnly);
    if (publish) out.rebuild();
    // a read stuck for seconds (a hung mount) must turn the footer yellow, not hide behind ticks
    if (runner.busyFor() < 2 * tickMs) lastUpdate = at;
    if (publish) out.notify();
  };

  // ------------------------------------------------------------------ start

  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    closed = true;
    clearInterval(timer);
    agentsWatch?.close();
    watches.close();
    out.close();
    eraCSide.close();
  };
  try {
    const initial = targets.resolve(true);
    // watch before reading: a change during the first read must not go unseen
    syncWatchers();
    armAgentsWatch();
    // one corrupt index must not hide the others; when it is the only store, its error is the answer
    const alone = initial.length === 1 && targets.eraC.length === 0;
    for (const store of initial) {
      // an index gone since it was selected: select again once running
      if ((await reader.readStore(store, true, alone)).kind === "gone") runner.pending.targets = true;
    }
    syncEraC();
  } catch (err) {
    stop();
    throw err;
  }
  out.rebuild();
  lastUpdate = now();
  reportWarnings();
  starting = false;
  // dirs known only from the sessions just read (a transcript kept elsewhere) are armed now
  syncWatchers();
  onChanges(early.splice(0));
  runner.kick();
  timer = setInterval(tick, tickMs);
  eraCSide.armPoll();

  return {
    stateDir,
    stats: reader.stats,
    get: () => out.get(),
    moving: (hb) => cache.moving(hb),
    subscribe: (cb) => out.subscribe(cb),
    lastUpdateAt: () => lastUpdate,
    stores: () => [...cache.stores.values()].map((s) => s.ref),
    eraC: () => targets.eraC,
    unread: () => [
      ...[...cache.stores.values()].flatMap((s) => (s.corrupt ? [{ ...s.ref, why: s.corrupt.why }] : [])),
      ...eraCSide.unread(),
    ],
    warnings: currentWarnings,
    settled: () => runner.settled(),
    close() {
      if (!closed) stop();
    },
  };
}
