// What `cleanup` reports: one document for --json (schemaVersion 1) and the human text, which
// reads like `openclaw sessions cleanup` (Agent / Session store / Entries: A -> B (remove N) / an
// action table) plus why each session was judged dead, and why the running ones were kept.
// Pure: the command hands in the plans and what the writer did; `now` is a parameter.
import chalk, { type ChalkInstance } from "chalk";
import { formatDuration } from "../core/duration.js";
import { LIFECYCLE_OF, type Lifecycle, type PlanAction } from "../core/plan/actions.js";
import type { FinalizePlan } from "../core/plan/finalize.js";
import type { PrunePlan } from "../core/plan/prune.js";
import type { EntryPatch, Era, StoreRef, StoreStatus } from "../core/types.js";
import type { ArchiveOutcome } from "../store/archive.js";
import { indexChangedSincePlanned, type ApplyResult } from "../store/writer/index.js";
import { clean, formatAgo, keyList } from "./format.js";
import { textTableLines } from "./text-table.js";

export const CLEANUP_SCHEMA_VERSION = 1;

/** A planner's decision as reported, plus what applying it did. */
export interface ReportAction extends Pick<PlanAction, "sessionKey" | "sessionId" | "fromStatus" | "toStatus" | "lifecycle" | "endedAt" | "updatedAt" | "rule" | "reasons"> {
  action: "finalize" | "prune" | "cap" | "archive";
  /** finalize: the fields written (the gateway's own terminal patch) */
  set?: Record<string, unknown>;
  /** archive: the rename */
  from?: string;
  to?: string;
  /** warn mode without --enforce: reported, never applied */
  reportOnly?: boolean;
  /** apply runs only: the change is in the index (or, for archive, the file was renamed) */
  applied?: boolean;
  /** apply runs only: an era B gateway wrote its older copy over the change */
  overwritten?: boolean;
  /** why an applied run did not apply it */
  why?: string;
}

export interface StoreCleanup {
  agentId: string;
  storePath: string;
  era: Era;
  /** the clock this store was judged by: taken right after its evidence was read */
  plannedAt: number;
  beforeCount: number;
  afterCount: number;
  actions: ReportAction[];
  /** running rows not finalized and old rows not evicted, each with the reason */
  kept: PlanAction[];
  /** planned changes the writer skipped because the entry changed since it was read */
  skipped: { sessionKey: string; why: string }[];
  /** keys whose applied change an era B gateway overwrote right after */
  overwritten: string[];
  /** files the planner would not archive (outside the agents tree, still used by another entry) */
  refused: { sessionKey: string; path: string; why: string }[];
  /** warn mode without --enforce: prune and cap are only reported */
  reportOnly: boolean;
  wrote: boolean;
  backupPath?: string;
  /** written: whether `cleanup --undo` can undo it (false: the audit log was not written or cannot be read; warnings say why) */
  undoable?: boolean;
  warnings: string[];
  /** the write was refused or failed: nothing of this store changed */
  error?: string;
  /** only reported although the run writes: why (an index awaiting OpenClaw 2026.8+'s import) */
  notWritten?: string;
}

export interface RefusedStore {
  agentId: string;
  storePath: string;
  era: Era;
  why: string;
}

export interface CleanupReport {
  schemaVersion: typeof CLEANUP_SCHEMA_VERSION;
  dryRun: boolean;
  generatedAt: number;
  stateDir: string;
  steps: { finalize: boolean; prune: boolean };
  policy: {
    mode: "enforce" | "warn";
    pruneAfterMs: number;
    maxEntries: number;
    staleAfterMs: number;
    runTimeoutMs: number | null;
    activeKeys: string[];
  };
  stores: StoreCleanup[];
  /** stores not touched at all: era C (SQLite), an unreadable index */
  refusedStores: RefusedStore[];
  warnings: string[];
  /** only when a stop signal came: the indexes written before it, and those never read or written */
  interrupted?: Interrupted;
  exitCode: number;
}

export interface Interrupted {
  signal: string;
  written: string[];
  skipped: string[];
}

export interface StoreCleanupInput {
  store: StoreRef;
  plannedAt: number;
  /** entries in the file when it was read */
  beforeCount: number;
  finalize?: FinalizePlan;
  prune?: PrunePlan;
  /** what was handed to the writer (finalize and prune combined) */
  patches: readonly EntryPatch[];
  dryRun: boolean;
  result?: ApplyResult;
  archived?: readonly ArchiveOutcome[];
  error?: string;
  warnings?: readonly string[];
  /** why this store is only reported although the run writes (an index awaiting OpenClaw 2026.8+'s import) */
  notWritten?: string;
}

function lifecycleOf(status: StoreStatus | undefined): Lifecycle | undefined {
  return status && status !== "running" ? LIFECYCLE_OF[status] : undefined;
}

function copyDecision(a: PlanAction): Omit<ReportAction, "action"> {
  const out: Omit<ReportAction, "action"> = { sessionKey: a.sessionKey, sessionId: a.sessionId, reasons: [...a.reasons] };
  if (a.fromStatus !== undefined) out.fromStatus = a.fromStatus;
  if (a.toStatus !== undefined) out.toStatus = a.toStatus;
  const lifecycle = a.lifecycle ?? lifecycleOf(a.toStatus);
  if (lifecycle) out.lifecycle = lifecycle;
  if (a.endedAt !== undefined) out.endedAt = a.endedAt;
  if (a.updatedAt !== undefined) out.updatedAt = a.updatedAt;
  if (a.rule !== undefined) out.rule = a.rule;
  return out;
}

/** One store's part of the report, from its plans and (in an applied run) what the writer did. */
export function storeCleanup(input: StoreCleanupInput): StoreCleanup {
  const { finalize, prune, result, dryRun } = input;
  const reportOnly = prune?.reportOnly ?? false;
  const overwritten = result?.overwritten ?? [];
  const wrote = !!result?.wrote && !input.error;
  // lookups by key, not scans: a 50,000-session store has tens of thousands of each
  const id = (key: string, sessionId: string) => `${key}\u0000${sessionId}`;
  const appliedIds = new Set(wrote ? result!.applied.map((c) => id(c.sessionKey, c.sessionId)) : []);
  const overwrittenKeys = new Set(overwritten);
  const skippedWhy = new Map<string, string>();
  for (const k of [...(result?.skipped ?? [])].reverse()) skippedWhy.set(k.sessionKey, k.why);
  const finalizeSet = new Map<string, Record<string, unknown> | undefined>();
  for (const p of [...(finalize?.patches ?? [])].reverse()) finalizeSet.set(id(p.sessionKey, p.expect.sessionId), p.set);
  const archivedByFrom = new Map<string, ArchiveOutcome>();
  for (const o of [...(input.archived ?? [])].reverse()) archivedByFrom.set(o.from, o);
  const outcome = (a: ReportAction): ReportAction => {
    if (dryRun || a.reportOnly) return a;
    const applied = appliedIds.has(id(a.sessionKey, a.sessionId));
    return {
      ...a,
      applied,
      ...(applied && overwrittenKeys.has(a.sessionKey) ? { overwritten: true } : {}),
      ...(!applied ? { why: input.error ?? skippedWhy.get(a.sessionKey) ?? "not written" } : {}),
    };
  };

  const actions: ReportAction[] = [];
  for (const a of finalize?.actions ?? []) {
    if (a.action !== "finalize") continue;
    const set = finalizeSet.get(id(a.sessionKey, a.sessionId));
    actions.push(outcome({ action: "finalize", ...copyDecision(a), ...(set ? { set: { ...set } } : {}) }));
  }
  for (const a of prune?.actions ?? []) {
    if (a.action !== "prune" && a.action !== "cap") continue;
    actions.push(outcome({ action: a.action, ...copyDecision(a), ...(reportOnly ? { reportOnly: true } : {}) }));
  }
  for (const a of prune?.actions ?? []) {
    for (const file of a.archives ?? []) {
      const base: ReportAction = {
        action: "archive",
        sessionKey: a.sessionKey,
        sessionId: a.sessionId,
        from: file.from,
        to: file.to,
        reasons: [`file of the ${a.action === "cap" ? "capped" : "pruned"} entry, archived the way OpenClaw does`],
      };
      if (reportOnly) {
        actions.push({ ...base, reportOnly: true });
      } else if (dryRun) {
        actions.push(base);
      } else {
        const done = archivedByFrom.get(file.from);
        actions.push(
          done
            ? { ...base, applied: done.done, ...(done.why ? { why: done.why } : {}) }
            : { ...base, applied: false, why: input.error ?? "the entry was not removed, so its file stays" },
        );
      }
    }
  }

  const kept = [...(finalize?.actions ?? []), ...(prune?.actions ?? [])].filter((a) => a.action === "keep");
  const removals = input.patches.filter((p) => p.remove).length;
  // the index as the writer re-read it under the locks (a cleanup that lost a race to another read a
  // different one), written or not; without a re-read (a refused write), the index as planned on
  const reread = input.error ? undefined : result;
  const beforeCount = reread ? reread.beforeCount : input.beforeCount;
  const afterCount = dryRun ? input.beforeCount - removals : reread ? reread.afterCount : input.beforeCount;
  return {
    agentId: input.store.agentId,
    storePath: input.store.storePath,
    era: input.store.era,
    plannedAt: input.plannedAt,
    beforeCount,
    afterCount,
    actions,
    kept,
    skipped: result?.skipped ?? [],
    overwritten: [...overwritten],
    refused: (prune?.refused ?? []).map(({ sessionKey, path, why }) => ({ sessionKey, path, why })),
    reportOnly,
    wrote,
    ...(wrote && result!.backupPath ? { backupPath: result!.backupPath } : {}),
    ...(wrote ? { undoable: result!.undoable } : {}),
    warnings: [...(prune?.warnings ?? []), ...(input.warnings ?? []), ...(result?.warnings ?? [])],
    ...(input.error ? { error: input.error } : {}),
    ...(input.notWritten ? { notWritten: input.notWritten } : {}),
  };
}

// ------------------------------------------------------------------ human output

export interface RenderOptions {
  chalk?: ChalkInstance;
  /** how to name a store in the undo hint (the options that select it) */
  undoHint?: (store: StoreCleanup) => string;
}

function count(actions: readonly ReportAction[], kind: ReportAction["action"]): number {
  return actions.filter((a) => a.action === kind).length;
}

function statusCell(a: ReportAction): string {
  if (a.action === "archive") return "";
  const from = a.fromStatus ?? "no status";
  return a.toStatus && a.toStatus !== a.fromStatus ? `${from} -> ${a.toStatus}` : from;
}

function whenCell(a: ReportAction, now: number): string {
  if (a.action === "archive") return `-> ${clean(baseName(a.to ?? ""))}`;
  if (a.action === "finalize" && a.endedAt !== undefined) return `ended ${formatAgo(a.endedAt, now)}`;
  return a.updatedAt !== undefined ? `updated ${formatAgo(a.updatedAt, now)}` : "";
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/** The action column's colour: what happens to the session, at a glance. */
function actionPaint(a: ReportAction, c: ChalkInstance): (text: string) => string {
  if (a.reportOnly || (a.applied === false && a.why)) return c.dim;
  if (a.overwritten) return c.red;
  if (a.action === "finalize") return c.yellow;
  if (a.action === "archive") return c.dim;
  return c.red;
}

function actionWord(a: ReportAction): string {
  if (a.reportOnly) return `${a.action} (report only)`;
  if (a.applied === false && a.why) return `${a.action} (not done)`;
  if (a.overwritten) return `${a.action} (overwritten)`;
  return a.action;
}

function actionTableLines(actions: readonly ReportAction[], now: number, c: ChalkInstance): string[] {
  const head = ["Action", "Key", "Status", "Lifecycle", "When / archive"];
  const rows = actions.map((a) => [actionWord(a), clean(a.sessionKey), statusCell(a), a.lifecycle ?? "", whenCell(a, now)]);
  const paint = (text: string, row: number, col: number): string => {
    if (row === 0) return c.bold(text);
    return col === 0 ? actionPaint(actions[row - 1], c)(text) : text;
  };
  return textTableLines([head, ...rows], paint);
}

/** What every store's text needs from the report around it. */
export type CleanupContext = Pick<CleanupReport, "dryRun" | "steps" | "policy">;

/** One store's part of the human report (`cleanup` prints each as soon as the store is done). */
export function renderStoreCleanup(s: StoreCleanup, report: CleanupContext, opts: RenderOptions = {}): string {
  return [...storeCleanupLines(s, report, opts)].join("\n");
}

/** renderStoreCleanup line by line (no newlines): a big store's report is written as it is made. */
export function storeCleanupLines(s: StoreCleanup, report: CleanupContext, opts: RenderOptions = {}): Generator<string, void, void> {
  return storeLines(s, report, opts, opts.chalk ?? chalk);
}

export const NO_STORES = "No session stores found.";

function* storeLines(s: StoreCleanup, report: CleanupContext, opts: RenderOptions, c: ChalkInstance): Generator<string, void, void> {
  const now = s.plannedAt;
  const would = report.dryRun || s.notWritten !== undefined;
  yield `Agent: ${s.agentId}`;
  yield `Session store: ${clean(s.storePath)} (era ${s.era === "AB" ? "A or B" : s.era})`;
  if (report.steps.prune) {
    const p = report.policy;
    const mode = s.reportOnly ? `${p.mode} (report only: pass --enforce to prune)` : p.mode;
    yield `Maintenance mode: ${mode}; pruneAfter ${formatDuration(p.pruneAfterMs)}, maxEntries ${p.maxEntries}`;
  }
  const removed = s.beforeCount - s.afterCount;
  yield `Entries: ${s.beforeCount} -> ${s.afterCount} (remove ${removed})`;
  const tally = (kind: ReportAction["action"], plan: string, did: string, reportOnly: boolean) => {
    const n = count(done(s.actions), kind);
    if (reportOnly) return `Would ${plan} (with --enforce): ${n}`;
    return would ? `Would ${plan}: ${n}` : `${did}: ${n}`;
  };
  if (report.steps.finalize) yield tally("finalize", "finalize stale runs", "Finalized stale runs", false);
  if (report.steps.prune) {
    yield tally("prune", "prune stale", "Pruned stale", s.reportOnly);
    yield tally("cap", "cap overflow", "Capped overflow", s.reportOnly);
    yield tally("archive", "archive files", "Archived files", s.reportOnly);
  }
  if (s.error) yield c.red(`Not written: ${clean(s.error)}`);
  if (s.notWritten) yield c.yellow(`Not written: ${clean(s.notWritten)}`);

  if (s.actions.length > 0) {
    yield "";
    yield would ? "Planned session actions:" : "Session actions:";
    yield* actionTableLines(s.actions, now, c);
    yield "";
    yield "Why:";
    for (const a of s.actions) {
      if (a.action === "archive") continue;
      const to = a.toStatus && a.toStatus !== a.fromStatus ? ` -> ${a.toStatus}${a.lifecycle ? ` (${a.lifecycle})` : ""}` : "";
      yield `  ${clean(a.sessionKey)}: ${a.action}${to}${a.rule ? ` [${a.rule}]` : ""}`;
      for (const r of a.reasons) yield `    - ${clean(r)}`;
      if (a.why && a.applied === false) yield c.dim(`    (not done: ${clean(a.why)})`);
    }
  }
  // a live process past the whole-run timeout on a row with no running status (rule no-status) is a run too
  const keptRunning = s.kept.filter((k) => (k.fromStatus === "running" || k.rule === "no-status") && k.rule !== "age");
  const spared = s.kept.filter((k) => k.rule === "age");
  if (keptRunning.length > 0) {
    yield "";
    yield `Kept running (${keptRunning.length}):`;
    for (const k of keptRunning) yield `  ${clean(k.sessionKey)} [${k.rule ?? "keep"}]: ${clean(k.reasons.join("; "))}`;
  }
  if (spared.length > 0) {
    yield "";
    yield `Older than pruneAfter but kept (${spared.length}):`;
    for (const k of spared) yield `  ${clean(k.sessionKey)}: ${clean(k.reasons.join("; "))}`;
  }
  for (const r of s.refused) yield c.yellow(`Not archived: ${clean(r.path)} (${clean(r.sessionKey)}): ${clean(r.why)}`);
  yield* skippedLines(s.skipped, c);
  if (s.overwritten.length > 0) {
    yield c.red(
      `The gateway overwrote ${s.overwritten.length} change(s) right after they were written: ${s.overwritten.map(clean).join(", ")}. ` +
        "An OpenClaw 2026.5-2026.7 gateway keeps its own copy of the index and takes no lock; run cleanup again (best with the gateway stopped).",
    );
  }
  for (const w of s.warnings) yield c.yellow(`Warning: ${clean(w)}`);
  if (s.wrote && s.backupPath) {
    yield `Backup: ${clean(s.backupPath)}`;
    // without its audit line `--undo` finds nothing to undo: the backup above is the way back
    if (s.undoable === false) yield c.yellow("Undo: not available (the audit log does not record this write, see the warning above); restore from the backup by hand");
    else if (opts.undoHint) yield `Undo: ${opts.undoHint(s)}`;
  }
  if (would && !s.error) yield c.dim("Dry run: nothing was written.");
}

/** Up to this many skipped changes are said one line each; more are summarized by reason. */
export const SKIPPED_LISTED = 10;

/**
 * The changes the writer skipped: one line each when few; when many (a cleanup that lost a race
 * to another), a line per reason with its count and a few keys (--json keeps the whole list).
 * A skip because the index changed since it was read says to run cleanup again.
 */
function* skippedLines(skipped: StoreCleanup["skipped"], c: ChalkInstance): Generator<string, void, void> {
  if (skipped.length <= SKIPPED_LISTED) {
    for (const k of skipped) yield c.yellow(`Skipped ${clean(k.sessionKey)}: ${clean(k.why)}`);
  } else {
    // the reason without its particulars ("changed since planned: updatedAt is …")
    const byReason = new Map<string, string[]>();
    for (const k of skipped) {
      const reason = k.why.split(": ")[0];
      const keys = byReason.get(reason);
      if (keys) keys.push(k.sessionKey);
      else byReason.set(reason, [k.sessionKey]);
    }
    const groups = [...byReason].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
    yield c.yellow(`Skipped ${skipped.length} planned changes:`);
    for (const [reason, keys] of groups) yield c.yellow(`  ${keys.length} ${clean(reason)} (${keyList(keys.map(clean), 3)})`);
  }
  if (skipped.some((k) => indexChangedSincePlanned(k.why))) {
    yield c.yellow("The index changed since it was read (another cleanup or the gateway wrote it): run cleanup again.");
  }
}

/** Actions that happened, would happen (dry run) or would happen with --enforce (warn mode). */
function done(actions: readonly ReportAction[]): ReportAction[] {
  return actions.filter((a) => a.applied !== false || a.reportOnly);
}

export function renderCleanupReport(report: CleanupReport, opts: RenderOptions = {}): string {
  const blocks = report.stores.map((s) => renderStoreCleanup(s, report, opts));
  if (report.stores.length === 0 && report.refusedStores.length === 0) blocks.push(NO_STORES);
  return blocks.join("\n\n");
}

// ------------------------------------------------------------------ --undo

export interface UndoOutcome {
  agentId: string;
  storePath: string;
  /** partial: the index is restored but some session files are not back (notRestored, warnings) */
  outcome: "restored" | "partial" | "nothing" | "refused";
  restoredFrom?: string;
  backupPath?: string;
  /** restored: whether a further `--undo` can undo this one (its audit line was written and can be read) */
  undoable?: boolean;
  beforeCount?: number;
  afterCount?: number;
  /** archives put back under their own names (entries the restored index names again) */
  unarchived?: Array<{ from: string; to: string; done: boolean; why?: string }>;
  /** files archived again (entries the restored index no longer names: the undo of an undo) */
  archived?: Array<{ from: string; to: string; done: boolean; why?: string }>;
  /** session files of the restored index not back under their names (never overwritten), and why */
  notRestored?: Array<{ sessionKey: string; file: string; archive?: string; why: string }>;
  why?: string;
  warnings?: string[];
}

export interface UndoReport {
  schemaVersion: typeof CLEANUP_SCHEMA_VERSION;
  undo: true;
  stores: UndoOutcome[];
  refusedStores: RefusedStore[];
  /** only when a stop signal came */
  interrupted?: Interrupted;
  exitCode: number;
}

export function renderUndoReport(report: UndoReport, opts: { chalk?: ChalkInstance } = {}): string {
  const c = opts.chalk ?? chalk;
  const lines: string[] = [];
  for (const s of report.stores) {
    const head = `Agent ${s.agentId}: ${clean(s.storePath)}`;
    if (s.outcome === "restored" || s.outcome === "partial") {
      // a file not put back (or not archived again) is named by a warning line below, once
      const missed = s.notRestored?.length ?? 0;
      const partly = s.outcome === "partial" ? c.yellow(`, but ${missed} session file${missed === 1 ? " was" : "s were"} not put back (below)`) : "";
      lines.push(`${head}: restored from ${clean(s.restoredFrom ?? "")}${partly}`);
      lines.push(`  Entries: ${s.beforeCount} -> ${s.afterCount}`);
      for (const u of s.unarchived ?? []) if (u.done) lines.push(`  Unarchived ${clean(baseName(u.from))} -> ${clean(baseName(u.to))}`);
      for (const a of s.archived ?? []) {
        lines.push(a.done ? `  Archived ${clean(baseName(a.from))} -> ${clean(baseName(a.to))}` : c.yellow(`  Not archived ${clean(a.from)}: ${clean(a.why ?? "")}`));
      }
      const again = s.undoable === false ? "the audit log does not record this undo, so --undo cannot go back to it: restore it by hand" : "run --undo again to go back to it";
      lines.push(`  The replaced index is kept as ${clean(s.backupPath ?? "")} (${again})`);
    } else if (s.outcome === "nothing") {
      lines.push(`${head}: nothing to undo (${clean(s.why ?? "no write by openclaw-sessions recorded")})`);
    } else {
      // a refusal that names the store itself ("agent main: <path> awaits import ...") is not said twice
      const named = `agent ${s.agentId}: ${s.storePath} `;
      const why = s.why?.startsWith(named) ? s.why.slice(named.length) : (s.why ?? "");
      lines.push(c.red(`${head}: not undone: ${clean(why)}`));
    }
    for (const w of s.warnings ?? []) lines.push(c.yellow(`  Warning: ${clean(w)}`));
  }
  if (report.stores.length === 0 && report.refusedStores.length === 0) lines.push(NO_STORES);
  return lines.join("\n");
}
