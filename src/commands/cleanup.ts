// `cleanup`: finalize dead `running` entries, then prune status-aware (pruneAfter, maxEntries);
// `--undo` puts back the index our last cleanup write replaced. Plans come from src/core/plan, every
// index write goes through the one writer, archives are renamed only after the write stuck.
import path from "node:path";
import { Command, Option } from "commander";
import { CliError, EXIT, UnreadableError, UsageError } from "../core/errors.js";
import {
  maintenanceSection,
  MAINTENANCE_DEFAULTS,
  resolveMaintenancePolicy,
  resolveRunTimeoutMs,
  resolveStaleAfterMs,
  type ResolvedMaintenance,
} from "../core/maintenance.js";
import { planItem, type PlanItem } from "../core/plan/actions.js";
import { combinePatches } from "../core/plan/combine.js";
import { planFinalize, type FinalizePlan } from "../core/plan/finalize.js";
import { planPrune, type PrunePlan } from "../core/plan/prune.js";
import type { EntryPatch, StoreRef } from "../core/types.js";
import { archiveFiles, archiveRootFor, type ArchiveOutcome } from "../store/archive.js";
import { undoStoreCleanup } from "../store/cleanup-undo.js";
import { OtherIndexes } from "../store/other-indexes.js";
import { gatewayPort, type OpenClawConfig } from "../store/config.js";
import { collectAfterSessions, collectGarbage } from "../store/heap.js";
import { readGateway } from "../store/gateway.js";
import { openState, readStoreEvidenceSync, resolveStoreRefs, type EvidenceContext, type StoreEvidence } from "../store/snapshot.js";
import { applyPatches, defaultAuditPath, type ApplyResult } from "../store/writer/index.js";
import { faultsFromEnv } from "../store/writer/faults.js";
import {
  CLEANUP_SCHEMA_VERSION,
  NO_STORES,
  storeCleanupLines,
  renderUndoReport,
  storeCleanup,
  type CleanupReport,
  type RefusedStore,
  type StoreCleanup,
  type UndoOutcome,
  type UndoReport,
} from "../ui/cleanup-report.js";
import { eraCMessage, nothingToActOn } from "../ui/messages.js";
import { importPendingMessage } from "../store/era.js";
import { readEraCStore } from "../store/sqlite/read-store.js";
import { eraCCleanupLines, planEraCCleanup, type EraCCleanup } from "./cleanup-era-c.js";
import { jsonLine, Later, StreamedItems } from "../ui/snapshot.js";
import { thresholdsFor } from "../store/thresholds.js";
import { clockOverride, collect, writeChunks } from "./heartbeats.js";
import { cleanupInterrupt, interruptedField, type CleanupInterrupt } from "./cleanup-interrupt.js";
import { processIo, type CommandContext, type Io } from "./io.js";
import { addStoreOptions, pickStoreOptions, refuseTogether, type StoreOptions } from "./options.js";

const EXIT_HELP = `
What finalize writes (what OpenClaw writes for that ending; tables per version: docs/finalize-outcomes.md):
  the run ended (trajectory session.ended)   success: done; error: failed; timed out (timedOut, or a
                                             fallback failure reason timeout, e.g. HTTP 500): timeout;
                                             user abort: killed + abortedLastRun; endedAt = the end,
                                             runtimeMs
  nothing alive holds it, silent for         what OpenClaw's restart recovery writes: failed +
  --stale-after; or an error its gateway     abortedLastRun, endedAt = the last activity, no runtimeMs
  persists only after a 15 s grace and died
  (or restarted) inside it
  past agents.defaults.timeoutSeconds        timeout
  updatedAt is never moved backwards. Kept: a live owner with recent activity, a row a restarted
  gateway is recovering, an error its live gateway has yet to persist.

Exit codes:
  0  done, or nothing to do (in warn mode prunes are only reported)
  3  a store was not read and not touched (the others are still cleaned): a corrupt
     sessions.json, or an OpenClaw 2026.8+ SQLite store that cannot be read safely (an OpenClaw
     2026.8+ store that is read is only reported, never written: OpenClaw resumes and maintains
     it itself); a state dir or config that cannot be read; or no store to act on (an empty
     state dir, --agent naming no agent; --undo too); --undo: an audit log this user cannot
     read (run as the user who wrote it, or set XDG_STATE_HOME to theirs)
  4  a write was refused or failed (that index is unchanged); --undo refused or with nothing
     to put back (no cleanup write of ours on record, keepalive's touches are never undone;
     era C stores are never written); or an OpenClaw
     2026.5-2026.7 gateway wrote its older copy over some changes right after (they are listed:
     run cleanup again, best with the gateway stopped)
  5  another openclaw-sessions process is writing the same index
  64 bad usage
  129, 130, 143  stopped by SIGHUP, SIGINT or SIGTERM: the store being written is finished, no
     further store is read or written, one line on stderr says which were; a second signal
     exits at once (our temp file and locks removed)`;

export function register(program: Command, ctx: CommandContext = { io: processIo(), exit: (c) => (process.exitCode = c) }): void {
  const cmd = program
    .command("cleanup")
    .description("finalize dead `running` entries (writing what OpenClaw writes for that ending), then prune by pruneAfter/maxEntries without ever evicting a live session")
    .option("--finalize-stale", "only finalize stale `running` entries")
    .option("--prune", "only prune (pruneAfter) and cap (maxEntries)")
    .option("--stale-after <duration>", "silence before a run with no live owner is finalized (default 10m; bare number = minutes)")
    .option("--prune-after <duration>", "override session.maintenance.pruneAfter (a unit is required: 30d, 12h; a bare number is refused, since the config reads it as days and other flags as minutes)")
    .option("--max-entries <n>", "override session.maintenance.maxEntries")
    .option("--enforce", "prune even when session.maintenance.mode is warn")
    .option("--active-key <key>", "never evict this session key (repeatable)", collect)
    .option("--dry-run", "print the plan; write nothing")
    .option("--json", "machine-readable output (schemaVersion 1, epoch ms)")
    .option("--undo", "restore the index our last cleanup write replaced, if nothing (keepalive included) has changed it since; session files follow it")
    .addOption(new Option("--no-probe", "do not probe the gateway's /healthz"))
    .addHelpText("after", EXIT_HELP);
  addStoreOptions(cmd).action(async (opts) => {
    ctx.exit(await runCleanup(cleanupSettings(opts, ctx.io.env), ctx.io));
  });
}

/** What `cleanup` was asked, checked once: the command itself never sees commander's options. */
export interface CleanupSettings {
  store: StoreOptions;
  /** --undo: put back the index our last write replaced (no other step runs) */
  undo: boolean;
  steps: { finalize: boolean; prune: boolean };
  staleAfterMs: number;
  /** --prune-after, --max-entries, --enforce: checked here, resolved against the config once it is read */
  overrides: { pruneAfter?: string; maxEntries?: string; enforce: boolean };
  activeKeys: string[];
  dryRun: boolean;
  json: boolean;
  probe: boolean;
  /** OPENCLAW_SESSIONS_NOW: every plan made at this time instead of the wall clock */
  fixedNow?: number;
}

/** commander's options and the env -> settings; bad values and contradictions are usage errors (64) before anything is read. */
export function cleanupSettings(opts: Record<string, any>, env: Io["env"]): CleanupSettings {
  if (opts.undo && (opts.dryRun || opts.finalizeStale || opts.prune)) {
    throw new UsageError("--undo cannot be combined with --dry-run, --finalize-stale or --prune");
  }
  const fixedNow = clockOverride(env);
  const staleAfterMs = resolveStaleAfterMs(opts.staleAfter);
  const overrides = { pruneAfter: opts.pruneAfter, maxEntries: opts.maxEntries, enforce: !!opts.enforce };
  resolveMaintenancePolicy(undefined, overrides);
  refuseTogether(opts, ["finalizeStale", "--finalize-stale"], ["prune", "--prune"], "each runs only its own step; give neither to run both");
  // a setting of the step that is not run would be silently ignored
  for (const [key, flag] of [["pruneAfter", "--prune-after"], ["maxEntries", "--max-entries"], ["enforce", "--enforce"], ["activeKey", "--active-key"]] as const) {
    refuseTogether(opts, ["finalizeStale", "--finalize-stale"], [key, flag], `${flag} only applies to the prune step, which --finalize-stale skips`);
  }
  refuseTogether(opts, ["prune", "--prune"], ["staleAfter", "--stale-after"], "--stale-after only applies to the finalize step, which --prune skips");
  const both = !opts.finalizeStale && !opts.prune;
  return {
    store: pickStoreOptions(opts),
    undo: !!opts.undo,
    steps: { finalize: both || !!opts.finalizeStale, prune: both || !!opts.prune },
    staleAfterMs,
    overrides,
    activeKeys: opts.activeKey ?? [],
    dryRun: !!opts.dryRun,
    json: !!opts.json,
    probe: opts.probe !== false,
    fixedNow,
  };
}

export async function runCleanup(s: CleanupSettings, io: Io = processIo()): Promise<number> {
  const interrupt = cleanupInterrupt(io.signals);
  try {
    const code = s.undo ? await runUndo(s, io, interrupt) : await runApply(s, io, interrupt);
    const stopped = interrupt.outcome();
    if (!stopped) return code;
    io.stderr.write(`${stopped.line}\n`);
    return stopped.exitCode;
  } finally {
    interrupt.dispose();
  }
}

async function runApply(s: CleanupSettings, io: Io, interrupt: CleanupInterrupt): Promise<number> {
  const clock = (): number => s.fixedNow ?? Date.now();
  const { staleAfterMs, overrides, steps, activeKeys, store: storeOpts } = s;
  const out = io.stdout;
  const err = (line: string): void => void io.stderr.write(`${line}\n`);

  const found = await findStores(storeOpts, s.probe, io);
  const generatedAt = clock();
  const configLabel = found.configPath;
  // a bad maintenance setting only matters to the step that uses it
  const policy: ResolvedMaintenance = steps.prune
    ? resolveMaintenancePolicy(maintenanceSection(found.config), overrides, { configLabel })
    : { ...MAINTENANCE_DEFAULTS, apply: true, source: { mode: "default", pruneAfter: "default", maxEntries: "default" } };
  const runTimeoutMs = steps.finalize ? resolveRunTimeoutMs(found.config, configLabel) : Number.POSITIVE_INFINITY;
  // the verdict cleanup acts on is the one status shows with the same --stale-after and timeout
  const base = thresholdsFor({ config: found.config });
  const thresholds = { ...base, staleAfterMs, runTimeoutMs: steps.finalize ? runTimeoutMs : base.runTimeoutMs };

  // a refusal goes to stderr when it is known, in every mode: a script reading --json logs it too
  const refusedStores: RefusedStore[] = [];
  const codes: number[] = [];
  const refuse = (r: RefusedStore): void => {
    refusedStores.push(r);
    codes.push(EXIT.unknown);
    err(refusalLine(r));
  };
  found.refused.forEach(refuse);
  // no store at all (an empty state dir, a misspelled --agent): 3 as for status --check and
  // keepalive --once, or a cron job would do nothing forever with every run "fine"
  const nothing = found.stores.length === 0 && found.eraC.length === 0 && found.refused.length === 0;
  if (nothing) {
    codes.push(EXIT.unknown);
    err(`openclaw-sessions: ${nothingToActOn("clean up", found.warnings, found.stateDir)}`);
  }
  // era C stores are read and reported, never written (cleanup-era-c.ts)
  const eraCReports = (): EraCCleanup[] => {
    const out: EraCCleanup[] = [];
    if (found.eraC.length === 0) return out;
    // what OpenClaw's own maintenance will do: its config (or its defaults), never our flags,
    // and a flag given for it says so rather than seem to have been applied
    const ownPruneFlags = [
      ...(overrides.pruneAfter !== undefined ? [`--prune-after ${overrides.pruneAfter}`] : []),
      ...(overrides.maxEntries !== undefined ? [`--max-entries ${overrides.maxEntries}`] : []),
      ...(overrides.enforce ? ["--enforce"] : []),
      ...activeKeys.map((k) => `--active-key ${k}`),
    ];
    const eraCPolicy = resolveMaintenancePolicy(maintenanceSection(found.config), {}, { era: "C", configLabel });
    for (const store of found.eraC) {
      let read;
      try {
        read = readEraCStore(store);
      } catch (err) {
        if (!(err instanceof UnreadableError)) throw err;
        refuse({ ...store, why: `${err.message}; nothing was written` });
        continue;
      }
      const r = planEraCCleanup(store, read.evidence, { now: clock(), thresholds, policy: eraCPolicy, warnings: read.warnings });
      if (!steps.finalize) r.staleRunning = [];
      if (!steps.prune) r.openclawMaintenance = { ...r.openclawMaintenance, byAge: [], byCap: [] };
      else if (ownPruneFlags.length > 0) {
        r.warnings.push(`${ownPruneFlags.join(", ")} not applied to this store: OpenClaw's own maintenance prunes it, under its config's session.maintenance (shown here); set them there`);
      }
      out.push(r);
    }
    return out;
  };
  /**
   * One store read and planned, then its evidence let go (the plans keep what they need): stores
   * are handled one after the other, so 50,000 sessions over three agents never have all their
   * evidence in memory at once. Each store is judged at the moment its own evidence was read.
   * A store whose index cannot be read refuses only itself (undefined).
   */
  let previousSessions = 0;
  // what every other index names, read only when a prune is about to archive a file
  const otherIndexes = new OtherIndexes(found.stores.map((s) => s.storePath), found.agentsRoot);
  const collectAfter = collectAfterSessions(io.env);
  const readAndPlan = (store: StoreRef) => {
    // the previous store's evidence and plans are garbage now: see src/store/heap.ts
    if (previousSessions >= collectAfter) collectGarbage();
    previousSessions = 0;
    let read: StoreEvidence;
    try {
      read = readStoreEvidenceSync(store, found.evidenceContext);
    } catch (err) {
      if (!(err instanceof UnreadableError)) throw err;
      refuse({ ...store, why: refusalWhy(err) });
      return undefined;
    }
    previousSessions = read.evidence.length;
    const now = clock();
    const items: PlanItem[] = read.evidence.map((ev) => planItem(ev, now, thresholds));
    const archiveRoot = archiveRootFor(store.storePath, found.agentsRoot);
    const finalize: FinalizePlan | undefined = steps.finalize ? planFinalize(items) : undefined;
    const namedElsewhere = steps.prune ? otherIndexes.for(store.storePath) : undefined;
    const prune: PrunePlan | undefined = steps.prune
      ? planPrune(items, { now, policy, enforce: overrides.enforce, activeKeys, agentsRoot: archiveRoot, finalized: finalize?.patches, namedElsewhere })
      : undefined;
    const patches = combinePatches(finalize?.patches ?? [], prune?.patches ?? []);
    return { archiveRoot, base: { store, plannedAt: now, beforeCount: read.index.keys.length, finalize, prune, patches, warnings: read.warnings } };
  };
  const header = {
    schemaVersion: CLEANUP_SCHEMA_VERSION,
    dryRun: s.dryRun,
    generatedAt,
    stateDir: found.stateDir,
    steps,
    policy: {
      mode: policy.mode,
      pruneAfterMs: policy.pruneAfterMs,
      maxEntries: policy.maxEntries,
      staleAfterMs,
      runTimeoutMs: Number.isFinite(runTimeoutMs) ? runTimeoutMs : null,
      activeKeys,
    },
  } as const;

  // era C stores are only read: after a signal, not even that
  const eraCUnlessInterrupted = (): EraCCleanup[] => {
    if (!interrupt.requested) return eraCReports();
    for (const st of found.eraC) interrupt.skip(st.storePath);
    return [];
  };

  if (s.dryRun && s.json) {
    // Nothing is written, so each store's part of the report is printed as soon as it is planned
    // and then dropped; what comes after the stores is known only once they are all read.
    const planned = function* (): Generator<StoreCleanup> {
      for (const store of found.stores) {
        if (interrupt.skip(store.storePath)) continue;
        const p = readAndPlan(store);
        if (p) yield storeCleanup({ ...p.base, dryRun: true });
      }
    };
    const exitCode = () => Math.max(EXIT.ok, ...codes, interrupt.outcome()?.exitCode ?? 0);
    const doc = {
      ...header,
      stores: new StreamedItems(planned()),
      eraC: new Later(eraCUnlessInterrupted),
      refusedStores: new Later(() => refusedStores),
      warnings: found.warnings,
      // present only when a signal came (a Later giving undefined is left out)
      interrupted: new Later(() => interruptedField(interrupt).interrupted),
      exitCode: new Later(exitCode),
    };
    await writeChunks(jsonLine(doc), out);
    return exitCode();
  }

  // The human report is printed store by store as each is done; --json needs the whole document.
  const json = s.json;
  const stores: StoreCleanup[] = [];
  let printed = 0;
  // with no store, the line above already gave the warnings as its why
  if (!json && !nothing) for (const w of found.warnings) err(`warning: ${w}`);
  const undoHint = (st: StoreCleanup) => `openclaw-sessions cleanup --undo --store ${shellWord(st.storePath)}`;
  const report = async (st: StoreCleanup): Promise<void> => {
    if (json) {
      stores.push(st);
      return;
    }
    storeErrorLines(st).forEach(err);
    await writeChunks(joinLines(storeCleanupLines(st, header, { undoHint }), printed++ > 0 ? "\n\n" : ""), out);
  };
  for (const store of found.stores) {
    // a signal: the store in progress was finished, no further one is read or written
    if (interrupt.skip(store.storePath)) continue;
    const planned = readAndPlan(store);
    if (!planned) continue;
    const { base, archiveRoot } = planned;
    // an index awaiting OpenClaw 2026.8+'s import is reported as a dry run: never written
    if (s.dryRun || base.patches.length === 0 || store.importPending) {
      const notWritten = !s.dryRun && store.importPending ? { notWritten: importPendingMessage(store) } : {};
      await report(storeCleanup({ ...base, dryRun: s.dryRun || !!store.importPending, ...notWritten }));
      continue;
    }
    interrupt.writing = store.storePath;
    const { codes: failed, ...applied } = await applyStore(store, base.patches, base.prune, archiveRoot, {
      agentsRoot: found.agentsRoot,
      outsideAgentsTree: !!storeOpts.store,
      env: io.env,
    }).finally(() => (interrupt.writing = undefined));
    if (applied.result?.wrote) interrupt.written.push(store.storePath);
    codes.push(...failed);
    await report(storeCleanup({ ...base, dryRun: false, ...applied }));
  }
  const eraC = eraCUnlessInterrupted();
  if (!json) {
    for (const r of eraC) {
      for (const w of r.warnings) err(`warning: ${w}`);
      await writeChunks(joinLines(eraCCleanupLines(r, generatedAt, steps), printed++ > 0 ? "\n\n" : ""), out);
    }
  }
  const exitCode = Math.max(EXIT.ok, ...codes, interrupt.outcome()?.exitCode ?? 0);
  if (json) {
    for (const st of stores) storeErrorLines(st).forEach(err);
    const report = { ...header, stores, refusedStores, warnings: found.warnings, ...interruptedField(interrupt), exitCode } satisfies CleanupReport;
    await writeChunks(jsonLine({ ...report, eraC }), out);
  } else {
    // the last report's closing newline; nothing at all when every store was refused (stderr said why)
    if (printed > 0) out.write("\n");
    else if (refusedStores.length === 0 && !interrupt.requested) out.write(`${NO_STORES}\n`);
  }
  return exitCode;
}

/**
 * One store's changes through the writer, then the files of the entries really removed are
 * archived (only after the write stuck). A refused or failed write is an error for the report,
 * with its exit code; so is a change the gateway wrote over.
 */
async function applyStore(
  store: StoreRef,
  patches: EntryPatch[],
  prune: PrunePlan | undefined,
  archiveRoot: string,
  where: { agentsRoot: string; outsideAgentsTree: boolean; env: Io["env"] },
): Promise<{ result?: ApplyResult; archived?: ArchiveOutcome[]; error?: string; codes: number[] }> {
  let result: ApplyResult;
  try {
    result = await applyPatches(store.storePath, patches, {
      era: store.era,
      command: "cleanup",
      agentsRoot: where.agentsRoot,
      allowOutsideAgentsTree: where.outsideAgentsTree,
      auditPath: defaultAuditPath(where.env),
      faults: faultsFromEnv(where.env.OPENCLAW_SESSIONS_FAULT),
    });
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    return { error: err.message, codes: [err.exitCode] };
  }
  const codes = result.overwritten.length > 0 ? [EXIT.writeRefused] : [];
  if (!result.wrote || !prune) return { result, codes };
  // only files whose entry is really gone: an overwritten removal put the entry back
  const removed = new Set(result.applied.filter((c) => c.removed).map((c) => c.sessionKey));
  const overwritten = new Set(result.overwritten);
  const archived = archiveFiles(
    prune.archives.filter((a) => removed.has(a.sessionKey) && !overwritten.has(a.sessionKey)),
    archiveRoot,
  );
  return { result, archived, codes };
}

/** The lines joined by newlines, in pieces, after `before`. */
function* joinLines(lines: Iterable<string>, before: string): Generator<string, void, void> {
  let sep = before;
  for (const line of lines) {
    yield sep + line;
    sep = "\n";
  }
}

function refusalLine(r: RefusedStore): string {
  return `openclaw-sessions: ${r.why}`;
}

/** A store's failed or overwritten write, for stderr too: a script reading stdout still logs it. */
function storeErrorLines(s: StoreCleanup): string[] {
  const lines: string[] = [];
  if (s.error) lines.push(`openclaw-sessions: ${s.error}`);
  if (s.overwritten.length > 0) {
    lines.push(`openclaw-sessions: ${s.storePath}: the gateway wrote its older copy over ${s.overwritten.length} change(s) right after: ${s.overwritten.join(", ")}; run cleanup again`);
  }
  return lines;
}

async function printUndoReport(report: UndoReport, json: boolean, io: Io): Promise<void> {
  // errors go to stderr in both modes, so a script reading --json still sees them in its log
  for (const r of report.refusedStores) io.stderr.write(`${refusalLine(r)}\n`);
  if (json) await writeChunks(jsonLine(report), io.stdout);
  else {
    // every store refused: stderr said why, stdout gets no empty line
    const text = renderUndoReport(report);
    if (text) io.stdout.write(`${text}\n`);
  }
}

// ------------------------------------------------------------------ reading

interface StoresFound {
  stateDir: string;
  configPath: string;
  config: OpenClawConfig;
  agentsRoot: string;
  /** the JSON stores to read, in order */
  stores: StoreRef[];
  evidenceContext: EvidenceContext;
  /** stores refused before reading */
  refused: RefusedStore[];
  /** era C stores: read and reported, never written */
  eraC: StoreRef[];
  warnings: string[];
}

/** Where the stores are and what reading them needs (config, gateway); no index is read yet. */
async function findStores(storeOpts: StoreOptions, probe: boolean, io: Io): Promise<StoresFound> {
  const { stateDir, configPath, config, warnings } = openState(storeOpts, io.env);
  const refs = resolveStoreRefs(stateDir, config, storeOpts, io.env);
  warnings.push(...refs.warnings);
  const refused: RefusedStore[] = [];
  const gateway = await readGateway({ configPath, port: gatewayPort(config, io.env, storeOpts.profile), probe, tmpDir: io.tmpDir });
  return {
    stateDir,
    configPath,
    config,
    agentsRoot: path.join(stateDir, "agents"),
    stores: refs.stores,
    evidenceContext: { stateDir, gateway, env: io.env },
    refused,
    eraC: refs.eraC,
    warnings,
  };
}

function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

// ------------------------------------------------------------------ --undo

async function runUndo(s: CleanupSettings, io: Io, interrupt: CleanupInterrupt): Promise<number> {
  const storeOpts = s.store;
  const { stateDir, config } = openState(storeOpts, io.env);
  const refs = resolveStoreRefs(stateDir, config, storeOpts, io.env);
  // nothing to put back because there is no store: 3, as for cleanup itself (not 4: no refusal)
  if (refs.stores.length === 0 && refs.eraC.length === 0) {
    io.stderr.write(`openclaw-sessions: ${nothingToActOn("undo", refs.warnings, stateDir)}\n`);
    const report: UndoReport = { schemaVersion: CLEANUP_SCHEMA_VERSION, undo: true, stores: [], refusedStores: [], exitCode: EXIT.unknown };
    await printUndoReport(report, s.json, io);
    return report.exitCode;
  }
  const agentsRoot = path.join(stateDir, "agents");
  const auditPath = defaultAuditPath(io.env);
  const stores: UndoOutcome[] = [];
  // the stamp of files archived again (an undo of an undo), as a prune names them
  const now = clockOverride(io.env) ?? Date.now();
  const codes: number[] = [];
  for (const store of refs.stores) {
    if (interrupt.skip(store.storePath)) continue;
    const base = { agentId: store.agentId, storePath: store.storePath };
    if (store.importPending) {
      stores.push({ ...base, outcome: "refused", why: importPendingMessage(store) });
      codes.push(EXIT.writeRefused);
      continue;
    }
    interrupt.writing = store.storePath;
    try {
      const undone = await undoStoreCleanup(store, { auditPath, agentsRoot, allowOutsideAgentsTree: !!storeOpts.store, now });
      if (undone.outcome !== "nothing") interrupt.written.push(store.storePath);
      stores.push({ ...base, ...undone });
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      stores.push({ ...base, outcome: "refused", why: err.message });
      codes.push(err.exitCode);
    } finally {
      interrupt.writing = undefined;
    }
  }
  // an undo that had nothing to put back (no write of ours on record) is refused (4): so is one on era C
  // stores only, which openclaw-sessions never wrote (they are listed with why in refusedStores)
  const nothingAtAll = stores.length + refs.eraC.length > 0 && stores.every((s) => s.outcome === "nothing");
  if (nothingAtAll) codes.push(EXIT.writeRefused);
  const report: UndoReport = {
    schemaVersion: CLEANUP_SCHEMA_VERSION,
    undo: true,
    stores,
    refusedStores: refs.eraC.map((store) => ({ ...store, why: eraCMessage(store) })),
    ...interruptedField(interrupt),
    exitCode: Math.max(EXIT.ok, ...codes, interrupt.outcome()?.exitCode ?? 0),
  };
  // one audit log serves every store: a log that cannot be read is said once, not once per store.
  // A store with nothing to put back is no failure while another was undone: its report line says
  // so; stderr says it only when that is why the whole run is refused (exit 4)
  const said = new Set<string>();
  for (const st of stores) {
    if (st.outcome === "refused" || (st.outcome === "nothing" && nothingAtAll)) {
      const why = st.why ?? st.outcome;
      if (!said.has(why)) io.stderr.write(`openclaw-sessions: ${why}\n`);
      said.add(why);
    }
    // a partial undo is still a done write (exit 0), but each file not put back is said on stderr too
    else if (st.outcome === "partial") for (const n of st.notRestored ?? []) io.stderr.write(`openclaw-sessions: warning: ${n.file} not restored: ${n.why}\n`);
  }
  await printUndoReport(report, s.json, io);
  return report.exitCode;
}

/** Why a store whose index cannot be read is left alone, saying once that nothing was written. */
export function refusalWhy(err: UnreadableError): string {
  return err.saysNothingChanged ? err.message : `${err.message}; nothing was written`;
}
