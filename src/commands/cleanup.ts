// `cleanup`: finalize dead `running` entries, then prune status-aware (pruneAfter, maxEntries);
// `--undo` puts back the index our last write replaced. Plans come from src/core/plan, every
// index write goes through the one writer, archives are renamed only after the write stuck.
import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { CliError, EXIT, UnreadableError } from "../core/errors.js";
import { deriveHeartbeat } from "../core/health/index.js";
import {
  maintenanceSection,
  MAINTENANCE_DEFAULTS,
  resolveMaintenancePolicy,
  resolveRunTimeoutMs,
  resolveStaleAfterMs,
  type ResolvedMaintenance,
} from "../core/maintenance.js";
import type { PlanItem } from "../core/plan/actions.js";
import { combinePatches } from "../core/plan/combine.js";
import { planFinalize, type FinalizePlan } from "../core/plan/finalize.js";
import { planPrune, type PrunePlan } from "../core/plan/prune.js";
import type { StoreRef } from "../core/types.js";
import { archiveFiles, restoreArchives, sessionFilesOf } from "../store/archive.js";
import { gatewayPort, loadConfig, type OpenClawConfig } from "../store/config.js";
import { isWithin, safeRealpath } from "../store/contain.js";
import { readGateway } from "../store/gateway.js";
import { locate } from "../store/locate.js";
import { readStoreEvidence, resolveStoreRefs } from "../store/snapshot.js";
import { realIndexPath } from "../store/writer/context.js";
import { applyPatches, defaultAuditPath, readAuditTail, undoLast, type ApplyResult } from "../store/writer/index.js";
import {
  CLEANUP_SCHEMA_VERSION,
  renderCleanupReport,
  renderUndoReport,
  storeCleanup,
  type CleanupReport,
  type RefusedStore,
  type StoreCleanup,
  type UndoOutcome,
  type UndoReport,
} from "../ui/cleanup-report.js";
import { eraCMessage } from "../ui/messages.js";
import { jsonLine, MappedItems } from "../ui/snapshot.js";
import { clockOverride, collect, thresholdsFor, writeChunks } from "./heartbeats.js";
import { addStoreOptions, pickStoreOptions, type StoreOptions } from "./options.js";

const EXIT_HELP = `
Exit codes:
  0  done, or nothing to do (in warn mode prunes are only reported)
  2  bad usage
  3  a store was not read and not touched: a corrupt sessions.json, or an OpenClaw 2026.8+
     SQLite store (use \`openclaw sessions cleanup\` there)
  4  a write was refused or failed (that index is unchanged); --undo refused; or an OpenClaw
     2026.5-2026.7 gateway wrote its older copy over some changes right after (they are listed:
     run cleanup again, best with the gateway stopped)
  5  another openclaw-sessions process is writing the same index`;

export function register(program: Command): void {
  const cmd = program
    .command("cleanup")
    .description("finalize dead `running` entries, then prune by pruneAfter/maxEntries without ever evicting a live session")
    .option("--finalize-stale", "only finalize stale `running` entries")
    .option("--prune", "only prune (pruneAfter) and cap (maxEntries)")
    .option("--stale-after <duration>", "silence before a run with no live owner is finalized (default 10m; bare number = minutes)")
    .option("--prune-after <duration>", "override session.maintenance.pruneAfter (e.g. 30d, 12h; bare number = days)")
    .option("--max-entries <n>", "override session.maintenance.maxEntries")
    .option("--enforce", "prune even when session.maintenance.mode is warn")
    .option("--active-key <key>", "never evict this session key (repeatable)", collect)
    .option("--dry-run", "print the plan; write nothing")
    .option("--json", "machine-readable output (schemaVersion 1, epoch ms)")
    .option("--undo", "restore the index our last write replaced, if nothing has changed it since")
    .addOption(new Option("--no-probe", "do not probe the gateway's /healthz"))
    .addHelpText("after", EXIT_HELP);
  addStoreOptions(cmd).action(async (opts) => {
    process.exitCode = await runCleanup(opts);
  });
}

export async function runCleanup(opts: Record<string, any>): Promise<number> {
  if (opts.undo) return runUndo(opts);
  // usage errors before anything is read
  const fixedNow = clockOverride();
  const staleAfterMs = resolveStaleAfterMs(opts.staleAfter);
  const overrides = { pruneAfter: opts.pruneAfter, maxEntries: opts.maxEntries, enforce: !!opts.enforce };
  resolveMaintenancePolicy(undefined, overrides);
  const both = !opts.finalizeStale && !opts.prune;
  const steps = { finalize: both || !!opts.finalizeStale, prune: both || !!opts.prune };
  const activeKeys: string[] = opts.activeKey ?? [];
  const storeOpts = pickStoreOptions(opts);

  const read = await readStores(storeOpts, opts.probe !== false);
  const now = fixedNow ?? Date.now();
  const configLabel = read.configPath;
  // a bad maintenance setting only matters to the step that uses it
  const policy: ResolvedMaintenance = steps.prune
    ? resolveMaintenancePolicy(maintenanceSection(read.config), overrides, { configLabel })
    : { ...MAINTENANCE_DEFAULTS, apply: true, source: { mode: "default", pruneAfter: "default", maxEntries: "default" } };
  const runTimeoutMs = steps.finalize ? resolveRunTimeoutMs(read.config, configLabel) : Number.POSITIVE_INFINITY;
  const thresholds = thresholdsFor({ config: read.config });

  const refusedStores: RefusedStore[] = [...read.refused];
  const codes: number[] = read.refused.map(() => EXIT.unknown);
  /** One store's plans, from its evidence, which is let go at once: the plans keep what they need. */
  const planStore = (loaded: LoadedStore) => {
    const items: PlanItem[] = loaded.evidence.map((ev) => ({ ev, hb: deriveHeartbeat(ev, now, thresholds) }));
    loaded.evidence = [];
    const archiveRoot = archiveRootFor(loaded.store.storePath, read.agentsRoot);
    const finalize: FinalizePlan | undefined = steps.finalize ? planFinalize(items, { now, staleAfterMs, runTimeoutMs }) : undefined;
    const prune: PrunePlan | undefined = steps.prune
      ? planPrune(items, { now, policy, enforce: !!opts.enforce, activeKeys, agentsRoot: archiveRoot, finalized: finalize?.patches })
      : undefined;
    const patches = combinePatches(finalize?.patches ?? [], prune?.patches ?? []);
    return { archiveRoot, base: { store: loaded.store, beforeCount: loaded.beforeCount, finalize, prune, patches, warnings: loaded.warnings } };
  };
  const header = {
    schemaVersion: CLEANUP_SCHEMA_VERSION,
    dryRun: !!opts.dryRun,
    generatedAt: now,
    stateDir: read.stateDir,
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

  if (opts.dryRun && opts.json) {
    // Nothing is written, so each store can be planned as its part of the report is printed:
    // the reports of 50,000 sessions are never all held at once (nor all their evidence).
    for (const r of refusedStores) process.stderr.write(`openclaw-sessions: ${r.why}\n`);
    const exitCode = Math.max(EXIT.ok, ...codes);
    const doc = {
      ...header,
      stores: new MappedItems(read.loaded, (loaded) => storeCleanup({ ...planStore(loaded).base, dryRun: true })),
      refusedStores,
      warnings: read.warnings,
      exitCode,
    };
    await writeChunks(jsonLine(doc));
    return exitCode;
  }

  const stores: StoreCleanup[] = [];
  for (const loaded of read.loaded) {
    const { base, archiveRoot } = planStore(loaded);
    const { patches, prune } = base;
    if (opts.dryRun || patches.length === 0) {
      stores.push(storeCleanup({ ...base, dryRun: !!opts.dryRun }));
      continue;
    }
    let result: ApplyResult | undefined;
    let error: string | undefined;
    try {
      result = await applyPatches(loaded.store.storePath, patches, {
        era: loaded.store.era,
        agentsRoot: read.agentsRoot,
        allowOutsideAgentsTree: !!storeOpts.store,
      });
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      error = err.message;
      codes.push(err.exitCode);
    }
    let archived;
    if (result?.wrote && prune) {
      // only files whose entry is really gone: an overwritten removal put the entry back
      const removed = new Set(result.applied.filter((c) => c.removed).map((c) => c.sessionKey));
      archived = archiveFiles(
        prune.archives.filter((a) => removed.has(a.sessionKey) && !result!.overwritten.includes(a.sessionKey)),
        archiveRoot,
      );
    }
    if (result && result.overwritten.length > 0) codes.push(EXIT.writeRefused);
    stores.push(storeCleanup({ ...base, dryRun: false, result, archived, error }));
  }

  const report: CleanupReport = {
    ...header,
    stores,
    refusedStores,
    warnings: read.warnings,
    exitCode: Math.max(EXIT.ok, ...codes),
  };
  await printReport(report, !!opts.json, () =>
    renderCleanupReport(report, { undoHint: (s) => `openclaw-sessions cleanup --undo --store ${shellWord(s.storePath)}` }),
  );
  return report.exitCode;
}

async function printReport(report: CleanupReport | UndoReport, json: boolean, human: () => string): Promise<void> {
  // errors go to stderr in both modes, so a script reading --json still sees them in its log
  for (const r of report.refusedStores) process.stderr.write(`openclaw-sessions: ${r.why}\n`);
  if ("warnings" in report && !json) for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const s of report.stores) {
    if ("error" in s && s.error) process.stderr.write(`openclaw-sessions: ${s.error}\n`);
    if ("overwritten" in s && s.overwritten.length > 0) {
      process.stderr.write(`openclaw-sessions: ${s.storePath}: the gateway wrote its older copy over ${s.overwritten.length} change(s) right after: ${s.overwritten.join(", ")}; run cleanup again\n`);
    }
  }
  // --json: the text of JSON.stringify(report, null, 2), written in pieces as the pipe takes them
  if (json) await writeChunks(jsonLine(report));
  else process.stdout.write(`${human()}\n`);
}

// ------------------------------------------------------------------ reading

interface LoadedStore {
  store: StoreRef;
  beforeCount: number;
  evidence: Awaited<ReturnType<typeof readStoreEvidence>>["evidence"];
  warnings: string[];
}

interface StoresRead {
  stateDir: string;
  configPath: string;
  config: OpenClawConfig;
  agentsRoot: string;
  loaded: LoadedStore[];
  refused: RefusedStore[];
  warnings: string[];
}

/**
 * readSnapshot, store by store: a plan and a write belong to ONE index, and a corrupt index
 * must refuse only itself, not the healthy stores beside it.
 */
async function readStores(storeOpts: StoreOptions, probe: boolean): Promise<StoresRead> {
  const { stateDir, configPath } = locate(storeOpts);
  if (!storeOpts.store && !isDir(stateDir)) {
    throw new UnreadableError(`no OpenClaw state dir at ${stateDir} (set --state-dir or OPENCLAW_STATE_DIR)`);
  }
  const { config, warnings } = loadConfig(configPath);
  const refs = resolveStoreRefs(stateDir, config, storeOpts);
  // era C stores are refused below with their own message; the reader's warning would repeat it
  warnings.push(...refs.warnings.filter((w) => !/SQLite session store/.test(w)));
  const refused: RefusedStore[] = refs.eraC.map((store) => ({ ...store, why: eraCMessage(store) }));
  const gateway = await readGateway({ configPath, port: gatewayPort(config, process.env, storeOpts.profile), probe });
  const loaded: LoadedStore[] = [];
  for (const store of refs.stores) {
    try {
      const read = await readStoreEvidence(store, { stateDir, gateway });
      loaded.push({ store, beforeCount: read.index.keys.length, evidence: read.evidence, warnings: read.warnings });
    } catch (err) {
      if (!(err instanceof UnreadableError)) throw err;
      refused.push({ ...store, why: /nothing was/.test(err.message) ? err.message : `${err.message}; nothing was written` });
    }
  }
  return { stateDir, configPath, config, agentsRoot: path.join(stateDir, "agents"), loaded, refused, warnings };
}

/** Archives stay inside the agents tree; an explicit --store elsewhere keeps them in its own dir. */
function archiveRootFor(storePath: string, agentsRoot: string): string {
  const real = safeRealpath(storePath);
  const root = safeRealpath(agentsRoot);
  if (real && root && isWithin(root, real)) return agentsRoot;
  return path.dirname(path.resolve(storePath));
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

// ------------------------------------------------------------------ --undo

async function runUndo(opts: Record<string, any>): Promise<number> {
  if (opts.dryRun || opts.finalizeStale || opts.prune) {
    throw new CliError("--undo cannot be combined with --dry-run, --finalize-stale or --prune", EXIT.critical);
  }
  const storeOpts = pickStoreOptions(opts);
  const { stateDir, configPath } = locate(storeOpts);
  if (!storeOpts.store && !isDir(stateDir)) {
    throw new UnreadableError(`no OpenClaw state dir at ${stateDir} (set --state-dir or OPENCLAW_STATE_DIR)`);
  }
  const { config } = loadConfig(configPath);
  const refs = resolveStoreRefs(stateDir, config, storeOpts);
  const agentsRoot = path.join(stateDir, "agents");
  const auditPath = defaultAuditPath();
  const stores: UndoOutcome[] = [];
  const codes: number[] = refs.eraC.map(() => EXIT.unknown);
  for (const store of refs.stores) {
    const base = { agentId: store.agentId, storePath: store.storePath };
    const records = readAuditTail(auditPath);
    const last = records.filter((r) => r.storePath === realIndexPath(store.storePath)).at(-1);
    if (!last) {
      stores.push({ ...base, outcome: "nothing", why: `no write by openclaw-sessions recorded in ${auditPath}` });
      continue;
    }
    try {
      const res = await undoLast(store.storePath, { era: store.era, agentsRoot, allowOutsideAgentsTree: !!storeOpts.store });
      const outcome: UndoOutcome = { ...base, outcome: "restored", ...res };
      if (res.restoredFrom === last.backupPath) {
        // the entries that write removed are back: so go their archived files
        const removed = records.filter((r) => r.writeId === last.writeId && r.removed && r.sessionKey);
        outcome.unarchived = restoreArchives(
          unarchiveRequests(store, removed.map((r) => r.sessionKey!)),
          archiveRootFor(store.storePath, agentsRoot),
        ).map(({ from, to, done, why }) => ({ from, to, done, ...(why ? { why } : {}) }));
      }
      stores.push(outcome);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      stores.push({ ...base, outcome: "refused", why: err.message });
      codes.push(err.exitCode);
    }
  }
  if (stores.length > 0 && stores.every((s) => s.outcome === "nothing")) codes.push(EXIT.writeRefused);
  const report: UndoReport = {
    schemaVersion: CLEANUP_SCHEMA_VERSION,
    undo: true,
    stores,
    refusedStores: refs.eraC.map((store) => ({ ...store, why: eraCMessage(store) })),
    exitCode: Math.max(EXIT.ok, ...codes),
  };
  for (const s of stores) if (s.outcome !== "restored") process.stderr.write(`openclaw-sessions: ${s.why}\n`);
  await printReport(report, !!opts.json, () => renderUndoReport(report));
  return report.exitCode;
}

/** The transcript and trajectory names of the restored entries, as they were before archiving. */
function unarchiveRequests(store: StoreRef, keys: string[]) {
  let index: Record<string, { sessionId?: unknown; sessionFile?: unknown }>;
  try {
    index = JSON.parse(fs.readFileSync(store.storePath, "utf8"));
  } catch {
    return [];
  }
  const sessionsDir = path.dirname(path.resolve(store.storePath));
  return keys.flatMap((key) => {
    const entry = index[key];
    if (!entry || typeof entry.sessionId !== "string") return [];
    return sessionFilesOf({ sessionId: entry.sessionId, sessionFile: entry.sessionFile }, sessionsDir).map((file) => ({
      agentId: store.agentId,
      sessionKey: key,
      file,
    }));
  });
}
