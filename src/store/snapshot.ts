// The one entry point commands use to read OpenClaw: locate, select stores, read each index
// strictly, and gather the evidence of every session (transcript tail, trajectory's last run,
// transcript lock, gateway). Only reads. Era C (SQLite) stores are read by src/store/sqlite,
// which writes nothing, and are kept apart (`eraC`) so no writer is ever handed one.
import fs from "node:fs";
import path from "node:path";
import type { StoreOptions } from "../commands/options.js";
import { UnreadableError, UsageError } from "../core/errors.js";
import type { Evidence, GatewayInfo, IndexEntry, StoreRef } from "../core/types.js";
import { agentIdFromStorePath, agentIdsOnDisk, defaultStorePath, isValidAgentId, selectStores } from "./agents.js";
import { configuredModel, gatewayPort, lastTouchedVersion, loadConfig, sessionStoreShared, type OpenClawConfig } from "./config.js";
import { AGENT_DB_FILE, agentDbPath, configEraC, importPendingMessage, jsonStoreEra, probeAgentDb, startsLikeSqlite } from "./era.js";
import { readGateway } from "./gateway.js";
import { ownerOf, readEraCStore, stateDirOfAgentDb } from "./sqlite/read-store.js";
import { locate, placeInAgentsTree, type Env } from "./locate.js";
import { RealPaths } from "./contain.js";
import { readLockSync } from "./locks.js";
import { readIndexSummary, type IndexSummary } from "./read-index.js";
import { resolveTranscriptPath } from "./session-file.js";
import type { TailOptions } from "./tail.js";
import { NotRegularFileError } from "./regular-file.js";
import { locateTrajectory, readTrajectoryTailSync } from "./trajectory.js";
import { readTranscriptTailSync } from "./transcript.js";

export interface SnapshotOptions extends StoreOptions {
  env?: Env;
  /** where the gateway keeps its singleton lock (default os.tmpdir()) */
  tmpDir?: string;
  /** probe the gateway's /healthz (default true) */
  probe?: boolean;
  tail?: TailOptions;
  /**
   * Hands each session's evidence to the caller as soon as its store is read (era C: as its row
   * is read), with the config read first; `evidence` then stays empty. What a caller derives
   * from it is all that stays alive, never every store's evidence at once.
   */
  eachEvidence?: (config: OpenClawConfig) => (ev: Evidence) => void;
  /**
   * With eachEvidence: the last `n` sessions handed to it are taken back, a store that failed
   * midway (an era C statement failing after some rows): an unread store shows no sessions.
   */
  dropEvidence?: (n: number) => void;
}

export interface Snapshot {
  stateDir: string;
  configPath: string;
  config: OpenClawConfig;
  /** the JSON stores read (eras A/B); era C stores are only in `eraC` */
  stores: StoreRef[];
  gateway: GatewayInfo;
  evidence: Evidence[];
  warnings: string[];
  /** SQLite stores (OpenClaw 2026.8+): read, never written */
  eraC: StoreRef[];
  /**
   * stores that could not be read, with why: a JSON index that is corrupt or missing, an era C
   * store (no node:sqlite, unsupported version, unsafe to open). The others are still read.
   */
  unread: UnreadStore[];
}

export interface UnreadStore extends StoreRef {
  why: string;
}

/** What reading one session needs besides its entry. */
export interface EvidenceContext {
  stateDir: string;
  env?: Env;
  gateway?: GatewayInfo;
  tail?: TailOptions;
  /** the config: a session that names no model shows the one OpenClaw falls back to */
  config?: OpenClawConfig;
  /**
   * Directories already resolved for containment checks. readStoreEvidence makes one per store
   * read; leave it unset in a context that lives long (a directory may be replaced meanwhile).
   */
  realPaths?: RealPaths;
}

export interface OpenedState {
  stateDir: string;
  configPath: string;
  config: OpenClawConfig;
  /** the config's own warnings (unreadable, not JSON5) */
  warnings: string[];
}

/** The state dir and its config, as every command starts; a missing state dir is an UnreadableError (exit 3). */
export function openState(opts: StoreOptions, env: Env = process.env): OpenedState {
  const { stateDir, configPath } = locate(opts, env);
  // an explicit --store needs no state dir around it
  if (!opts.store && !isDir(stateDir)) {
    throw new UnreadableError(`no OpenClaw state dir at ${stateDir} (set --state-dir or OPENCLAW_STATE_DIR)`);
  }
  const { config, warnings, found } = loadConfig(configPath);
  // OpenClaw without a config runs on its defaults, and so do we; but one named on purpose that is
  // not there is more likely a typo than a choice
  if (!found && env.OPENCLAW_CONFIG_PATH?.trim()) warnings.push(`OPENCLAW_CONFIG_PATH names ${configPath}, which does not exist: OpenClaw's defaults are used`);
  return { stateDir, configPath, config, warnings };
}

export async function readSnapshot(opts: SnapshotOptions = {}): Promise<Snapshot> {
  const env = opts.env ?? process.env;
  const { stateDir, configPath, config, warnings } = openState(opts, env);
  const { stores, eraC, warnings: storeWarnings } = resolveStoreRefs(stateDir, config, opts, env);
  warnings.push(...storeWarnings);
  const gateway = await readGateway({ configPath, port: gatewayPort(config, env, opts.profile), tmpDir: opts.tmpDir, probe: opts.probe });
  const ctx: EvidenceContext = { stateDir, env, gateway, tail: opts.tail, config };
  const evidence: Evidence[] = [];
  const each = opts.eachEvidence?.(config);
  const unreadJson: UnreadStore[] = [];
  for (const store of stores) {
    try {
      const read = await readStoreEvidence(store, ctx);
      if (each) read.evidence.forEach(each);
      else evidence.push(...read.evidence);
      warnings.push(...read.warnings);
    } catch (err) {
      // one agent's corrupt index must not hide the others; when nothing else is there to show,
      // the error itself is the clearest answer
      if (!(err instanceof UnreadableError) || (stores.length === 1 && eraC.length === 0)) throw err;
      unreadJson.push({ ...store, why: err.message });
      warnings.push(`agent ${store.agentId}: ${store.storePath} was not read: ${err.message}`);
    }
  }
  const eraCRead = readEraCStores(eraC, warnings, each, config, opts.dropEvidence);
  evidence.push(...eraCRead.evidence);
  // an era C install has no gateway lock in $TMPDIR (2026.8+ keep it in the state dir)
  const shown = gateway.lockPath || !eraCRead.owner?.lockPath ? gateway : { ...eraCRead.owner, port: eraCRead.owner.port ?? gateway.port, probe: gateway.probe };
  return { stateDir, configPath, config, stores, gateway: shown, evidence, warnings, eraC, unread: [...unreadJson, ...eraCRead.unread] };
}

/** Reads every era C store; one that cannot be read is listed in `unread` with its reason, never fatal to the others. */
export function readEraCStores(
  eraC: StoreRef[],
  warnings: string[],
  eachRead?: (ev: Evidence) => void,
  config?: OpenClawConfig,
  drop?: (n: number) => void,
): { evidence: Evidence[]; unread: UnreadStore[]; owner?: GatewayInfo } {
  let handed = 0;
  const one = eachRead && config ? (ev: Evidence) => eachRead(withConfiguredModel(ev, config)) : eachRead;
  const each = one
    ? (ev: Evidence) => {
        handed++;
        one(ev);
      }
    : undefined;
  const evidence: Evidence[] = [];
  const unread: UnreadStore[] = [];
  const owners = new Map<string, GatewayInfo>();
  let owner: GatewayInfo | undefined;
  for (const store of eraC) {
    const stateDir = stateDirOfAgentDb(store.storePath);
    const key = stateDir ?? "";
    if (!owners.has(key)) owners.set(key, ownerOf(stateDir));
    const storeOwner = owners.get(key)!;
    owner ??= storeOwner;
    handed = 0;
    try {
      const read = readEraCStore(store, { stateDir, owner: storeOwner, each });
      evidence.push(...(config ? read.evidence.map((ev) => withConfiguredModel(ev, config)) : read.evidence));
      warnings.push(...read.warnings);
    } catch (err) {
      if (!(err instanceof UnreadableError)) throw err;
      if (handed > 0) drop?.(handed);
      unread.push({ ...store, why: err.message });
      warnings.push(`agent ${store.agentId}: OpenClaw's SQLite store was not read: ${err.message}`);
    }
  }
  return { evidence, unread, owner };
}

/** configuredModel of each agent, per config read: 50,000 rows of three agents ask it 50,000 times. */
const modelsByConfig = new WeakMap<OpenClawConfig, Map<string, Evidence["configuredModel"]>>();

/** The evidence with the model OpenClaw falls back to for its agent (config.ts configuredModel). */
export function withConfiguredModel(ev: Evidence, config: OpenClawConfig): Evidence {
  let models = modelsByConfig.get(config);
  if (!models) modelsByConfig.set(config, (models = new Map()));
  let model = models.get(ev.agentId);
  if (model === undefined && !models.has(ev.agentId)) models.set(ev.agentId, (model = configuredModel(config, ev.agentId)));
  // shared between that agent's sessions: nothing writes to it (fields.ts only reads it)
  if (model) ev.configuredModel = model;
  return ev;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A --store file read as an OpenClaw agent database: one with a session_nodes table, or one that
 * is named like one (or *.sqlite) or starts like SQLite but cannot be read (reported as that, not
 * as bad JSON).
 */
function isAgentDbFile(file: string): boolean {
  const probe = probeAgentDb(file);
  if (probe.kind === "has") return true;
  if (probe.kind === "absent") return false;
  return path.basename(file) === AGENT_DB_FILE || file.endsWith(".sqlite") || startsLikeSqlite(file);
}

/** An agent asked for by name that has neither store: both places named (on 2026.8+ the sessions.json one is the wrong one to look for), and the agents there are. */
function noStoreMessage(agentId: string, storePath: string, db: string | undefined, stateDir: string | undefined): string {
  const where = db ? `neither ${storePath} nor ${db} (OpenClaw 2026.8+) exists` : `${storePath} does not exist`;
  const known = stateDir ? agentIdsOnDisk(stateDir) : [];
  return `agent ${agentId} has no session store: ${where}${known.length > 0 ? `; agents in ${path.join(stateDir!, "agents")}: ${known.join(", ")}` : ""}`;
}

/** The state dir a --store path lives in (<stateDir>/agents/<id>/sessions/sessions.json), if it does. */
function stateDirOfStore(storePath: string): string | undefined {
  return placeInAgentsTree(storePath, "sessions")?.stateDir;
}

export function resolveStoreRefs(
  stateDir: string,
  config: OpenClawConfig,
  opts: StoreOptions,
  env: Env = process.env,
): { stores: StoreRef[]; eraC: StoreRef[]; warnings: string[] } {
  const stores: StoreRef[] = [];
  const eraC: StoreRef[] = [];
  const warnings: string[] = [];
  const era = configEraC(config);
  if (opts.store) refuseSidecar(opts.store);
  for (const t of selectStores(stateDir, config, opts, env)) {
    // a --store file outside any agents tree (a copy, a backup) has no agent database beside it
    if (opts.store && isAgentDbFile(t.storePath)) {
      // --store may name an openclaw-agent.sqlite itself (in its agents tree, or a copy)
      const agentId = placeInAgentsTree(t.storePath, "agent")?.agentId ?? t.agentId;
      eraC.push({ agentId, storePath: path.resolve(t.storePath), era: "C" });
      continue;
    }
    const home = opts.store ? stateDirOfStore(t.storePath) : stateDir;
    const db = home ? agentDbPath(home, t.agentId) : undefined;
    const probe = db ? probeAgentDb(db) : undefined;
    if (db && probe?.kind === "has") {
      eraC.push({ agentId: t.agentId, storePath: db, era: "C" });
      // OpenClaw 2026.8+ refuses to start while an unimported sessions.json exists
      if (fs.existsSync(t.storePath)) warnings.push(`agent ${t.agentId}: ${t.storePath} is left beside the SQLite store and is not read (OpenClaw 2026.8+ refuses to start while it is there unimported)`);
      continue;
    }
    // an agent database that cannot be read: where the config says OpenClaw < 2026.8 wrote it, it
    // holds no sessions (2026.6/2026.7 keep auth profiles there, often 0600) and is not ours to judge
    if (db && probe?.kind === "unreadable" && era !== "before") {
      // with no sessions.json, or a config of 2026.8+, the database is where the sessions are:
      // listed as an era C store, whose read reports why it cannot be read, never "no sessions",
      // and a sessions.json left beside it is neither read nor ever written
      if (!fs.existsSync(t.storePath) || era === "since") {
        eraC.push({ agentId: t.agentId, storePath: db, era: "C" });
        continue;
      }
      // beside a sessions.json, with no version in the config: an OpenClaw 2026.6/2026.7 database
      // without sessions, or an era C store next to a leftover index; the index is read, and said so
      warnings.push(`agent ${t.agentId}: ${db} cannot be read (${probe.why}); ${t.storePath} is read instead (on OpenClaw 2026.8+ the sessions are in that database, not in sessions.json)`);
    }
    if (!fs.existsSync(t.storePath)) {
      // on 2026.8+ an agent database without session tables (an empty file: its creation cut
      // short) is where the sessions should be: read as a store, whose read says why it holds none
      if (db && probe?.kind === "lacks" && era === "since") {
        eraC.push({ agentId: t.agentId, storePath: db, era: "C" });
        continue;
      }
      if (t.explicit) warnings.push(noStoreMessage(t.agentId, t.storePath, db, home));
      // session.store moved the index somewhere it is not, while one sits where OpenClaw keeps it
      // by default: likely a config typo (OpenClaw itself reads the configured path)
      else if (!opts.store) {
        const usual = defaultStorePath(stateDir, t.agentId);
        if (path.resolve(usual) !== path.resolve(t.storePath) && fs.existsSync(usual)) {
          warnings.push(`agent ${t.agentId}: session.store puts its index at ${t.storePath}, which does not exist; ${usual} is there and is not read (OpenClaw reads the configured path too)`);
        }
      }
      continue;
    }
    const ref: StoreRef = { agentId: t.agentId, storePath: t.storePath, era: jsonStoreEra(t.storePath, config) };
    // home: the tree a --store file sits in, if it does
    if (opts.store ? home === undefined : sessionStoreShared(config)) ref.keyNamesAgent = true;
    if (era === "since") {
      ref.importPending = lastTouchedVersion(config) ?? "2026.8+";
      warnings.push(importPendingMessage(ref));
    }
    stores.push(ref);
  }
  return { stores, eraC, warnings };
}

/** `--store` naming SQLite's -wal, -shm or -journal of a database: the database is meant. */
function refuseSidecar(store: string): void {
  const m = /^(.*)-(wal|shm|journal)$/.exec(store);
  if (m && fs.existsSync(m[1]!)) throw new UsageError(`--store ${store} is SQLite's -${m[2]} of ${m[1]}: pass --store ${m[1]} (the database itself)`);
}

/**
 * Reads one store's index (UnreadableError when corrupt) and the evidence of each session. The
 * entries are cut to the fields the tool reads (read-index.ts slimEntry): evidence is for
 * deciding, the writer re-reads the index itself.
 */
export async function readStoreEvidence(store: StoreRef, ctx: EvidenceContext): Promise<StoreEvidence> {
  return readStoreEvidenceSync(store, ctx);
}

export interface StoreEvidence {
  index: IndexSummary;
  evidence: Evidence[];
  warnings: string[];
}

/** readStoreEvidence without the promise: a report written as it is made reads stores inside a generator. */
export function readStoreEvidenceSync(store: StoreRef, ctx: EvidenceContext): StoreEvidence {
  if (store.era === "C") throw new UnreadableError(`${store.storePath} is an OpenClaw SQLite store (2026.8+); it is not read`);
  const index = readIndexSummary(store.storePath);
  const warnings = [...index.warnings];
  const local: EvidenceContext = { ...ctx, realPaths: new RealPaths() };
  // each session is a few small synchronous reads (see tail.ts): a loop, no pool of promises
  const evidence: Evidence[] = [];
  for (const key of Object.keys(index.entries)) evidence.push(readSessionEvidenceSync(store, key, index.entries[key], local, warnings));
  return { index, evidence, warnings };
}

/** Re-derives ONE session's evidence (watch re-reads only the sessions whose files changed). */
export async function readSessionEvidence(
  store: StoreRef,
  sessionKey: string,
  entry: IndexEntry,
  ctx: EvidenceContext,
  warnings: string[] = [],
): Promise<Evidence> {
  return readSessionEvidenceSync(store, sessionKey, entry, ctx, warnings);
}

/** readSessionEvidence without the promise. */
export function readSessionEvidenceSync(store: StoreRef, sessionKey: string, entry: IndexEntry, ctx: EvidenceContext, warnings: string[] = []): Evidence {
  const { sessionsDir, roots } = dirsOf(store, ctx.stateDir);
  const realPaths = ctx.realPaths ?? new RealPaths();
  const resolved = resolveTranscriptPath(entry, { sessionsDir, roots, realPaths });
  const evidence: Evidence = { agentId: agentIdOf(sessionKey, store), sessionKey, entry, era: store.era };
  if (ctx.gateway) evidence.gateway = ctx.gateway;
  if (resolved.note) evidence.sessionFileNote = resolved.note;
  const sessionId = entry.sessionId;
  const where = locateTrajectory({ sessionId, transcriptPath: resolved.path, roots, env: ctx.env, realPaths });
  if (where.note) warnings.push(`${sessionKey}: ${where.note}`);
  const problems: { transcript?: string; trajectory?: string } = {};
  const transcript = resolved.path ? safely(() => readTranscriptTailSync(resolved.path!, ctx.tail), warnings, resolved.path, (p) => (problems.transcript = `transcript ${p}`)) : undefined;
  const trajectory = where.path ? safely(() => readTrajectoryTailSync(where.path!, ctx.tail), warnings, where.path, (p) => (problems.trajectory = `trajectory ${p}`)) : undefined;
  if (problems.transcript) evidence.transcriptProblem = problems.transcript;
  if (problems.trajectory) evidence.trajectoryProblem = problems.trajectory;
  else if (!where.path && where.note) evidence.trajectoryProblem = where.note;
  const lock = resolved.path ? safely(() => readLockSync(`${resolved.path}.lock`), warnings, `${resolved.path}.lock`) : undefined;
  if (resolved.path) evidence.transcriptPath = resolved.path;
  if (transcript) evidence.transcript = transcript;
  if (trajectory) evidence.trajectory = trajectory;
  if (lock) evidence.lock = lock;
  return ctx.config ? withConfiguredModel(evidence, ctx.config) : evidence;
}

const storeDirs = new WeakMap<StoreRef, { storePath: string; stateDir: string; sessionsDir: string; roots: readonly string[] }>();

/** The store's dir and the dirs its files may live in: worked out once for all its sessions. */
function dirsOf(store: StoreRef, stateDir: string): { sessionsDir: string; roots: readonly string[] } {
  const known = storeDirs.get(store);
  if (known && known.storePath === store.storePath && known.stateDir === stateDir) return known;
  const sessionsDir = path.dirname(path.resolve(store.storePath));
  const dirs = { storePath: store.storePath, stateDir, sessionsDir, roots: [path.join(stateDir, "agents"), sessionsDir] };
  storeDirs.set(store, dirs);
  return dirs;
}

/** The store's agent, or where the store does not tell (StoreRef.keyNamesAgent) the one the key names. */
function agentIdOf(sessionKey: string, store: StoreRef): string {
  if (store.keyNamesAgent) {
    const m = /^agent:([^:]+):/.exec(sessionKey);
    if (m && isValidAgentId(m[1])) return m[1];
  }
  return store.agentId || agentIdFromStorePath(store.storePath);
}

/** One unreadable side file (EACCES, EIO) must not hide every other session. */
function safely<T>(read: () => T, warnings: string[], file: string, problem?: (what: string) => void): T | undefined {
  try {
    return read();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    warnings.push(`cannot read ${file}: ${e.code ?? e.message}`);
    // the health reasons name what was found instead of calling the file missing
    problem?.(err instanceof NotRegularFileError ? `${file} is ${err.kind}, not a regular file: not read` : `${file} could not be read (${e.code ?? e.message})`);
    return undefined;
  }
}
