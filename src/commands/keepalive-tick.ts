// One keepalive tick: for every selected store, read it (a store that fails is logged and
// skipped), derive health, plan the touches (pure), and hand them to the one writer. Nothing
// here writes a file itself; the loop around it lives in keepalive.ts.
import path from "node:path";
import { afterConflict, waitLeftMs, type BackoffState } from "../core/backoff.js";
import { CliError, EXIT, UnreadableError, WriteConflictError } from "../core/errors.js";
import { planItem } from "../core/plan/actions.js";
import { refreshWindow, planTick } from "../core/keepalive-schedule.js";
import { idleResetConfigured } from "../core/maintenance.js";
import type { TouchField } from "../core/plan/keepalive.js";
import type { StoreRef, Thresholds } from "../core/types.js";
import { gatewayPort, loadConfig, type OpenClawConfig } from "../store/config.js";
import { readGateway } from "../store/gateway.js";
import { locate, type Env } from "../store/locate.js";
import { acquireLoopLock, loopLockPath, LoopLockBusyError, type LoopLock } from "../store/loop-lock.js";
import { collectAfterSessions, collectGarbage } from "../store/heap.js";
import { openState, readStoreEvidence, resolveStoreRefs, type EvidenceContext } from "../store/snapshot.js";
import { applyPatches, defaultAuditPath } from "../store/writer/index.js";
import { faultsFromEnv } from "../store/writer/faults.js";
import { countSkips, type StoreTick, type TickRecord, type TouchedSession } from "../ui/keepalive-log.js";
import { noStoreWhy } from "../ui/messages.js";
import { thresholdsFor } from "../store/thresholds.js";
import type { StoreOptions } from "./options.js";

export interface KeepaliveSettings {
  store: StoreOptions;
  intervalMs: number;
  activityThresholdMs: number;
  /** --refresh-after; default derived per tick from the config (see refreshWindow) */
  refreshAfterMs?: number;
  fields: TouchField[];
  dryRun: boolean;
  probe: boolean;
  env: Env;
  /** the OS temp dir, where OpenClaw's gateway keeps its singleton lock (default os.tmpdir()) */
  tmpDir?: string;
  /** OPENCLAW_SESSIONS_NOW: the clock of every plan (the loop still sleeps in real time) */
  fixedNow?: number;
  /** how long one write may wait for an era A gateway's sessions.json.lock */
  gatewayLockWaitMs: number;
  /** conflicts back off from the interval up to this */
  maxBackoffMs: number;
  random: () => number;
}

/** What the loop keeps between ticks. */
export class KeepaliveState {
  /** our loop locks, by lock path */
  readonly locks = new Map<string, LoopLock>();
  readonly backoff = new Map<string, BackoffState>();
  /** the index a write is in progress on (a forced exit cleans up after it) */
  writing: string | undefined;
  ticks = 0;
  writes = 0;
  /** era C stores already said to be never written (at start, or when one appeared) */
  readonly eraCSaid = new Set<string>();
  /** the JSON stores the last tick kept alive, by agent: one that is gone is said once */
  lastStores = new Map<string, string>();
  private lastWarnings = new Set<string>();

  /** The warnings not already logged by the previous tick (a log line per tick, not per problem). */
  fresh(warnings: string[]): string[] {
    const now = new Set(warnings);
    const out = warnings.filter((w) => !this.lastWarnings.has(w));
    this.lastWarnings = now;
    return [...new Set(out)];
  }

  releaseAll(): void {
    for (const lock of this.locks.values()) lock.release();
    this.locks.clear();
  }
}

interface Located {
  stateDir: string;
  configPath: string;
  config: OpenClawConfig;
  stores: StoreRef[];
  /** era C stores: never touched (keepalive-era-c.ts says why, once) */
  eraC: StoreRef[];
  /** indexes awaiting OpenClaw 2026.8+'s import: never touched (a warning says why) */
  importPending: StoreRef[];
  warnings: string[];
}

/** The stores to keep alive right now. Usage errors (--store with --agent) throw; a missing index is a warning. */
export function locateStores(s: KeepaliveSettings, atStart = false): Located {
  // at start a state dir or --store that is not there is a wrong flag (or user), not one to wait
  // for: exit 3 as for every command; one that goes away mid-run is logged and skipped each tick
  const opened = atStart ? openState(s.store, s.env) : undefined;
  const { stateDir, configPath } = opened ?? locate(s.store, s.env);
  const { config, warnings } = opened ?? loadConfig(configPath);
  let refs;
  try {
    refs = resolveStoreRefs(stateDir, config, s.store, s.env);
  } catch (err) {
    if (err instanceof UnreadableError && !atStart) return { stateDir, configPath, config, stores: [], eraC: [], importPending: [], warnings: [...warnings, err.message] };
    throw err;
  }
  const none = refs.stores.length === 0 && refs.eraC.length === 0 && !s.store.store;
  warnings.push(...(none ? noStoreWhy(refs.warnings, stateDir) : refs.warnings));
  // an index awaiting OpenClaw 2026.8+'s import is never written (refs.warnings says why)
  return {
    stateDir,
    configPath,
    config,
    stores: refs.stores.filter((st) => !st.importPending),
    eraC: refs.eraC,
    importPending: refs.stores.filter((st) => st.importPending),
    warnings,
  };
}

/**
 * What changed in the set of stores since the last tick, said once each: an era C store that
 * appeared (a new agent, or an agent OpenClaw 2026.8 migrated: its sessions.json imported) is
 * never written, and a JSON store whose index went away is no longer kept alive.
 */
export function storeChanges(where: Pick<Located, "stores" | "eraC">, state: KeepaliveState): string[] {
  const out: string[] = [];
  for (const store of where.eraC) {
    if (state.eraCSaid.has(store.storePath)) continue;
    state.eraCSaid.add(store.storePath);
    out.push(`agent ${store.agentId}: ${store.storePath} is an OpenClaw 2026.8+ SQLite store now: never written by keepalive (OpenClaw's idle reset reads lastInteractionAt); its sessions are not kept alive from here`);
  }
  const now = new Map(where.stores.map((st) => [st.agentId, st.storePath]));
  for (const [agentId, storePath] of state.lastStores) {
    if (now.has(agentId)) continue;
    const migrated = where.eraC.some((c) => c.agentId === agentId);
    if (!migrated) out.push(`agent ${agentId}: ${storePath} is gone: its sessions are not kept alive until it is back`);
  }
  state.lastStores = now;
  return out;
}

/** Takes (or confirms) this loop's lock on `storePath`. */
export function ensureLoopLock(state: KeepaliveState, storePath: string): LoopLock {
  const p = loopLockPath(storePath);
  const mine = state.locks.get(p);
  if (mine?.held()) return mine;
  state.locks.delete(p);
  const lock = acquireLoopLock(storePath);
  state.locks.set(p, lock);
  return lock;
}

export async function runTick(s: KeepaliveSettings, state: KeepaliveState, shouldStop: () => boolean): Promise<TickRecord> {
  const startedAt = Date.now();
  state.ticks++;
  const rec: TickRecord = {
    type: "tick",
    tick: state.ticks,
    at: s.fixedNow ?? startedAt,
    durationMs: 0,
    dryRun: s.dryRun,
    seen: 0,
    touched: [],
    skipped: {},
    writes: 0,
    stores: [],
    warnings: [],
  };
  const warnings: string[] = [];
  const skips: string[] = [];
  try {
    const where = locateStores(s);
    warnings.push(...where.warnings);
    warnings.push(...storeChanges(where, state));
    const gateway = await readGateway({ configPath: where.configPath, port: gatewayPort(where.config, s.env, s.store.profile), probe: s.probe, tmpDir: s.tmpDir });
    const window = refreshWindow({
      intervalMs: s.intervalMs,
      activityThresholdMs: s.activityThresholdMs,
      overrideMs: s.refreshAfterMs,
      fields: s.fields,
      config: where.config,
    });
    warnings.push(...window.warnings);
    const common: StoreContext = {
      s,
      state,
      evidence: { stateDir: where.stateDir, env: s.env, gateway },
      agentsRoot: path.join(where.stateDir, "agents"),
      thresholds: thresholdsFor({ config: where.config }),
      freshWithinMs: window.freshWithinMs,
      idleReset: idleResetConfigured(where.config),
      shouldStop,
    };
    const collectAfter = collectAfterSessions(s.env);
    for (const store of where.stores) {
      if (shouldStop()) break; // abandon the rest of the tick: nothing started is left half done
      const one = await tickStore(store, common);
      // that store's evidence and plan are garbage now: see src/store/heap.ts
      if (one.tick.seen >= collectAfter) collectGarbage();
      rec.stores.push(one.tick);
      rec.seen += one.tick.seen;
      rec.touched.push(...one.touched);
      skips.push(...one.skips);
      warnings.push(...one.warnings);
      if (one.tick.outcome === "written" || (one.tick.outcome === "conflict" && one.wrote)) rec.writes++;
    }
  } catch (err) {
    // a config we cannot parse, a state dir we cannot list: log, write nothing, try again next tick
    if (err instanceof CliError && err.exitCode === EXIT.usage) throw err;
    const message = messageOf(err);
    rec.stores.push({ agentId: "(all)", storePath: "-", outcome: "unreadable", seen: 0, touched: 0, notApplied: [], overwritten: [], error: message });
  }
  state.writes += rec.writes;
  rec.skipped = countSkips(skips);
  rec.warnings = state.fresh(warnings);
  rec.durationMs = Date.now() - startedAt;
  return rec;
}

interface StoreContext {
  s: KeepaliveSettings;
  state: KeepaliveState;
  evidence: EvidenceContext;
  agentsRoot: string;
  thresholds: Thresholds;
  freshWithinMs: number;
  idleReset: boolean;
  shouldStop: () => boolean;
}

interface StoreResult {
  tick: StoreTick;
  touched: TouchedSession[];
  skips: string[];
  warnings: string[];
  wrote: boolean;
}

async function tickStore(store: StoreRef, c: StoreContext): Promise<StoreResult> {
  const { s, state } = c;
  const tick: StoreTick = { agentId: store.agentId, storePath: store.storePath, outcome: "unchanged", seen: 0, touched: 0, notApplied: [], overwritten: [] };
  const out: StoreResult = { tick, touched: [], skips: [], warnings: [], wrote: false };
  const key = loopLockPath(store.storePath);
  const wait = waitLeftMs(state.backoff.get(key), Date.now());
  if (wait > 0) return { ...out, tick: { ...tick, outcome: "backoff", retryInMs: wait } };
  // why this loop cannot write the store: its loop lock cannot be created (a read-only mount, a
  // directory of another user's). The store is still read and planned, so a tick with nothing due
  // there is not a failure; a touch that comes due is refused, never written without the lock
  let unlockable: string | undefined;
  if (!s.dryRun) {
    try {
      ensureLoopLock(state, store.storePath);
    } catch (err) {
      if (err instanceof LoopLockBusyError) return { ...out, tick: { ...tick, outcome: "locked", error: messageOf(err) } };
      unlockable = messageOf(err);
    }
  }

  let read;
  try {
    read = await readStoreEvidence(store, c.evidence);
  } catch (err) {
    // one agent failing (corrupt index, unreadable dir) must not stop the others or the loop
    return { ...out, tick: { ...tick, outcome: "unreadable", error: messageOf(err) } };
  }
  out.warnings.push(...read.warnings);
  const now = s.fixedNow ?? Date.now();
  tick.at = now;
  const items = read.evidence.map((ev) => planItem(ev, now, c.thresholds));
  tick.seen = items.length;
  const plan = planTick(items, {
    now,
    activityThresholdMs: s.activityThresholdMs,
    fields: s.fields,
    freshWithinMs: c.freshWithinMs,
    idleResetConfigured: c.idleReset,
  });
  out.skips.push(...plan.skipped.map((k) => k.why));
  const byKey = new Map(plan.actions.map((a) => [a.sessionKey, a]));
  const touched = (keys: Set<string>) =>
    plan.touch
      .filter((p) => keys.has(p.sessionKey))
      .map((p) => ({
        agentId: byKey.get(p.sessionKey)?.agentId ?? store.agentId,
        sessionKey: p.sessionKey,
        sessionId: p.expect.sessionId,
        fields: Object.keys(p.set ?? {}),
        reasons: p.reasons,
      }));
  if (plan.touch.length === 0) {
    if (unlockable) tick.error = `${unlockable}; nothing was due, a touch that comes due will not be written`;
    return out;
  }
  if (unlockable) {
    const n = plan.touch.length;
    tick.outcome = "refused";
    tick.error = `${n} touch${n === 1 ? "" : "es"} due, not written: ${unlockable}`;
    return out;
  }
  if (s.dryRun) {
    out.touched = touched(new Set(plan.touch.map((p) => p.sessionKey)));
    tick.touched = out.touched.length;
    tick.outcome = "planned";
    return out;
  }
  if (c.shouldStop()) {
    tick.outcome = "abandoned";
    return out;
  }

  state.writing = store.storePath;
  try {
    const res = await applyPatches(store.storePath, plan.touch, {
      era: store.era,
      command: "keepalive",
      agentsRoot: c.agentsRoot,
      allowOutsideAgentsTree: Boolean(s.store.store),
      gatewayLockWaitMs: s.gatewayLockWaitMs,
      auditPath: defaultAuditPath(s.env),
      faults: faultsFromEnv(s.env.OPENCLAW_SESSIONS_FAULT),
    });
    out.wrote = res.wrote;
    out.warnings.push(...res.warnings);
    out.touched = touched(new Set(res.applied.map((a) => a.sessionKey)));
    tick.touched = out.touched.length;
    tick.notApplied = res.skipped;
    tick.overwritten = res.overwritten;
    tick.outcome = res.wrote ? "written" : "unchanged";
    if (res.overwritten.length > 0) {
      // an era B gateway wrote an older copy over ours: retrying at once would only fight it
      tick.outcome = "conflict";
      tick.error = `the gateway overwrote ${res.overwritten.length} touch${res.overwritten.length === 1 ? "" : "es"}`;
      tick.retryInMs = backOff(c, key);
    } else {
      state.backoff.delete(key);
    }
  } catch (err) {
    if (err instanceof UnreadableError) {
      tick.outcome = "unreadable";
    } else {
      // refused too: a rule that refused this write refuses the next one, so do not retry every tick.
      // Another openclaw-sessions process on the store (our writer lock held: exit 5) is "locked";
      // a race with OpenClaw itself (its sessions.json.lock held, the index kept changing) is a
      // "conflict", which the loop backs off from and --once reports as a refused write (exit 4)
      tick.outcome = !(err instanceof CliError) ? "refused" : err.exitCode === EXIT.busy ? "locked" : isConflict(err) ? "conflict" : "refused";
      tick.retryInMs = backOff(c, key);
    }
    tick.error = messageOf(err);
  } finally {
    state.writing = undefined;
  }
  return out;
}

function backOff(c: StoreContext, key: string): number {
  const now = Date.now();
  const next = afterConflict(c.state.backoff.get(key), now, { baseMs: c.s.intervalMs, maxMs: c.s.maxBackoffMs }, c.s.random());
  c.state.backoff.set(key, next);
  return next.notBefore - now;
}

function messageOf(err: unknown): string {
  if (err instanceof CliError) return err.message;
  const e = err as NodeJS.ErrnoException;
  return `unexpected error: ${e?.message ?? String(err)}`;
}

/** Lost a race (rather than refused by a safety rule or an I/O error). */
export function isConflict(err: CliError): boolean {
  return err.exitCode === EXIT.busy || err instanceof LoopLockBusyError || err instanceof WriteConflictError;
}

/**
 * `--once`: the exit code of the tick (0 when every store was handled), by the exit table: a
 * write OpenClaw kept us from (its lock held by the gateway, an index that kept changing, an era B
 * overwrite) is a refused write, 4, as for `cleanup`; 5 is only another openclaw-sessions process.
 */
export function onceExitCode(rec: TickRecord): number {
  const outcomes = new Set(rec.stores.map((st) => st.outcome));
  if (outcomes.has("unreadable")) return EXIT.unknown;
  if (outcomes.has("refused") || outcomes.has("conflict")) return EXIT.writeRefused;
  if (outcomes.has("locked") || outcomes.has("backoff")) return EXIT.busy;
  if (rec.stores.length === 0) return EXIT.unknown;
  return EXIT.ok;
}
