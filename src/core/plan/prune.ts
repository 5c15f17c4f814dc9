// `cleanup` (prune): status-aware eviction by age, then the maxEntries cap, per store.
//
// Where we differ from OpenClaw's own cleanup (see openclaw-prune.ts for its exact rules):
// - a `running` row is never evicted (unless finalized in this same run: then it is terminal and
//   ages from the finalize patch's updatedAt: its real end, or the row's later updatedAt);
// - a terminal row is evicted by age only when nothing shows it alive (no held lock, health not
//   active/waiting/stalled, no activity within pruneAfter);
// - a row without `status` (embedded runs never write one) additionally needs health idle or
//   unresponsive: nothing is running it;
// - the cap removes the oldest TERMINAL rows first, then idle status-less rows, never a running,
//   live or protected one; if those alone exceed the cap it says so instead.
// Same as OpenClaw: protected group/channel/thread keys and `--active-key` values stay; the
// files of removed entries are archived as `<file>.deleted.<ts>`.

import { formatDuration } from "../duration.js";
import type { MaintenancePolicy } from "../maintenance.js";
import { TERMINAL_STATUSES, type EntryPatch, type StoreStatus } from "../types.js";
import { archiveRefusal, deletedArchivePath } from "./archive.js";
import { iso, type ArchiveAction, type PlanAction, type PlanItem } from "./actions.js";
import { ago } from "../health/format.js";
import { protectedBecause } from "./protect.js";

export { openclawPrunePlan, type OpenClawPrunePolicy, type OpenClawPruneResult } from "./openclaw-prune.js";

export interface PruneContext {
  now: number;
  /** a MaintenancePolicy, or the ResolvedMaintenance whose `apply` then decides report-only */
  policy: MaintenancePolicy;
  /** `--enforce`: apply even in warn mode */
  enforce?: boolean;
  /** `--active-key` values: never evicted */
  activeKeys?: readonly string[];
  /** absolute agents directory; archives are only planned for files inside it */
  agentsRoot: string;
  /** the finalize patches of this same run: those rows are judged by their new status and updatedAt */
  finalized?: readonly EntryPatch[];
  /** what other indexes beside the candidate files name (store/other-indexes.ts) */
  namedElsewhere?: NamedElsewhere;
}

/** Files other session indexes name: never archived while one does. */
export interface NamedElsewhere {
  /** why `file` may not be archived for another index's sake ("still named by <key> in <index>", or that index cannot be read); undefined when none names it */
  whoNames(file: string): string | undefined;
}

export interface ArchiveRefusal {
  agentId: string;
  sessionKey: string;
  path: string;
  why: string;
}

export interface StorePruneSummary {
  agentId: string;
  before: number;
  pruned: number;
  capped: number;
  after: number;
  /** entries still over maxEntries after the cap (all running, live or protected) */
  overCap: number;
}

export interface PrunePlan {
  /** warn mode without --enforce: `patches` and `archives` are empty, `actions` say what would happen */
  reportOnly: boolean;
  patches: EntryPatch[];
  /** renames to perform for the removals that were actually applied */
  archives: ArchiveAction[];
  /** every eviction ("prune", "cap") and every spared candidate ("keep"), with reasons */
  actions: PlanAction[];
  refused: ArchiveRefusal[];
  stores: StorePruneSummary[];
  warnings: string[];
}

type Kind = "terminal" | "running" | "unknown";

interface Row {
  item: PlanItem;
  status?: string;
  kind: Kind;
  updatedAt: number;
  finalizedAs?: string;
  protectedWhy?: string;
  /** why the evidence says the row may be alive (lock / health); undefined = nothing alive */
  liveWhy?: string;
}

function isTerminal(status: string | undefined): boolean {
  return status !== undefined && (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** The finalize patch (with a `set`) of each session key and sessionId, the first one given. */
type FinalizedBySession = ReadonlyMap<string, EntryPatch>;
const sessionOf = (sessionKey: string, sessionId: string | undefined): string => JSON.stringify([sessionKey, sessionId]);

function finalizedBySession(patches: readonly EntryPatch[] = []): FinalizedBySession {
  // one lookup per row: a scan of every patch per row was quadratic on stores of thousands
  const out = new Map<string, EntryPatch>();
  for (const p of patches) {
    const key = sessionOf(p.sessionKey, p.expect.sessionId);
    if (p.set && !out.has(key)) out.set(key, p);
  }
  return out;
}

function effectiveRow(item: PlanItem, finalized: FinalizedBySession, activeKeys: ReadonlySet<string>): Row {
  const { ev, hb } = item;
  const fin = finalized.get(sessionOf(ev.sessionKey, ev.entry.sessionId));
  const status = (fin?.set?.status as string | undefined) ?? ev.entry.status;
  const updatedAt = (fin?.set?.updatedAt as number | undefined) ?? ev.entry.updatedAt;
  const kind: Kind = status === "running" ? "running" : isTerminal(status) ? "terminal" : "unknown";
  let liveWhy: string | undefined;
  if (item.facts.owner.kind === "alive") liveWhy = item.facts.owner.reason;
  else if (hb.health === "active" || hb.health === "waiting" || hb.health === "stalled") liveWhy = `health ${hb.health}`;
  const protectedWhy = activeKeys.has(ev.sessionKey) ? "--active-key" : protectedBecause(ev.sessionKey, ev.entry);
  return { item, status, kind, updatedAt, finalizedAs: fin ? status : undefined, protectedWhy, liveWhy };
}

function baseAction(row: Row, action: PlanAction["action"], rule: string, reasons: string[]): PlanAction {
  const { ev } = row.item;
  return {
    action,
    agentId: ev.agentId,
    sessionKey: ev.sessionKey,
    sessionId: ev.entry.sessionId,
    fromStatus: ev.entry.status,
    ...(row.finalizedAs ? { toStatus: row.finalizedAs as StoreStatus } : {}),
    updatedAt: row.updatedAt,
    rule,
    reasons,
  };
}

function statusWord(row: Row): string {
  if (row.finalizedAs) return `${row.finalizedAs} (finalized in this run)`;
  return row.status === undefined ? "no status" : row.status;
}

export function planPrune(items: readonly PlanItem[], ctx: PruneContext): PrunePlan {
  const { now, policy } = ctx;
  // a ResolvedMaintenance already knows (apply = enforce mode or --enforce)
  const resolvedApply = (policy as { apply?: unknown }).apply;
  const reportOnly = typeof resolvedApply === "boolean" ? !resolvedApply && ctx.enforce !== true : policy.mode === "warn" && ctx.enforce !== true;
  const cutoff = now - policy.pruneAfterMs;
  const activeKeys = new Set(ctx.activeKeys ?? []);
  const finalized = finalizedBySession(ctx.finalized);
  const plan: PrunePlan = { reportOnly, patches: [], archives: [], actions: [], refused: [], stores: [], warnings: [] };
  const evicted: Array<{ row: Row; action: PlanAction }> = [];
  const kept: Row[] = [];

  const byAgent = new Map<string, PlanItem[]>();
  for (const item of items) {
    const list = byAgent.get(item.ev.agentId) ?? [];
    list.push(item);
    byAgent.set(item.ev.agentId, list);
  }

  for (const [agentId, agentItems] of byAgent) {
    const rows = agentItems.map((item) => effectiveRow(item, finalized, activeKeys));
    const remaining: Row[] = [];
    let pruned = 0;
    for (const row of rows) {
      const old = Number.isFinite(row.updatedAt) && row.updatedAt < cutoff;
      if (!old) {
        remaining.push(row);
        continue;
      }
      const age = `updatedAt ${iso(row.updatedAt)} is older than pruneAfter (${formatDuration(policy.pruneAfterMs)})`;
      const spare = whySpare(row, now, policy.pruneAfterMs);
      if (spare) {
        plan.actions.push(baseAction(row, "keep", "age", [`${age}, but ${spare}`]));
        remaining.push(row);
        continue;
      }
      const action = baseAction(row, "prune", "age", [`${statusWord(row)}; ${age}`, ...quietReasons(row, now)]);
      evicted.push({ row, action });
      pruned++;
    }

    let capped = 0;
    let overCap = 0;
    const excess = remaining.length - policy.maxEntries;
    if (excess > 0) {
      const removable = (kind: Kind) =>
        remaining
          .filter((r) => r.kind === kind && !r.protectedWhy && !r.liveWhy && (kind !== "unknown" || idleHealth(r)))
          .sort((a, b) => sortKey(a.updatedAt) - sortKey(b.updatedAt));
      const order = [...removable("terminal"), ...removable("unknown")].slice(0, excess);
      const gone = new Set(order);
      for (const row of order) {
        const action = baseAction(row, "cap", "cap", [
          `${remaining.length} entries exceed maxEntries ${policy.maxEntries}: oldest ${row.kind === "terminal" ? "finished" : "idle"} entries go first`,
          `${statusWord(row)}, updatedAt ${iso(row.updatedAt)}`,
        ]);
        evicted.push({ row, action });
        capped++;
      }
      overCap = excess - order.length;
      if (overCap > 0) {
        plan.warnings.push(
          `agent ${agentId}: ${remaining.length - order.length} entries remain, ${overCap} over maxEntries ${policy.maxEntries}: the rest are running, live or protected and are never capped`,
        );
      }
      for (const row of remaining) if (!gone.has(row)) kept.push(row);
    } else {
      kept.push(...remaining);
    }
    plan.stores.push({ agentId, before: rows.length, pruned, capped, after: rows.length - pruned - capped, overCap });
  }

  planArchives(evicted, kept, ctx, plan);
  for (const { row, action } of evicted) {
    plan.actions.push(action);
    if (reportOnly) continue;
    const { ev } = row.item;
    plan.patches.push({
      sessionKey: ev.sessionKey,
      // what is on disk at plan time, even when finalized in this run: the apply step checks
      // every expectation against the re-read index before it applies any patch
      expect: { sessionId: ev.entry.sessionId, updatedAt: ev.entry.updatedAt },
      remove: true,
      archives: action.archives ?? [],
      action: action.action === "cap" ? "cap" : "prune",
      reasons: action.reasons,
    });
  }
  return plan;
}

function sortKey(updatedAt: number): number {
  return Number.isFinite(updatedAt) ? updatedAt : Number.NEGATIVE_INFINITY;
}

function idleHealth(row: Row): boolean {
  return row.item.hb.health === "idle" || row.item.hb.health === "unresponsive";
}

/** Why an entry older than pruneAfter must stay, or undefined when it may go. */
function whySpare(row: Row, now: number, pruneAfterMs: number): string | undefined {
  if (row.protectedWhy) return `protected (${row.protectedWhy})`;
  if (row.kind === "running") return "its status is running: never evicted (finalize it first if it is dead)";
  if (row.liveWhy) return `it may be alive: ${row.liveWhy}`;
  const active = row.item.facts.lastActivityAt;
  if (active !== undefined && now - active < pruneAfterMs) return `it was active ${ago(now, active)}`;
  if (row.kind === "unknown" && !idleHealth(row)) return `no status and health ${row.item.hb.health}`;
  return undefined;
}

function quietReasons(row: Row, now: number): string[] {
  const active = row.item.facts.lastActivityAt;
  return [`health ${row.item.hb.health}, no held lock, ${active === undefined ? "no recorded activity" : `last activity ${ago(now, active)}`}`];
}

function planArchives(evicted: Array<{ row: Row; action: PlanAction }>, kept: Row[], ctx: PruneContext, plan: PrunePlan): void {
  const usedBy = new Map<string, string>();
  for (const row of kept) {
    const { ev } = row.item;
    for (const p of [ev.transcriptPath, ev.transcript?.path, ev.trajectory?.path]) if (p) usedBy.set(`path:${p}`, ev.sessionKey);
    usedBy.set(`id:${ev.agentId}:${ev.entry.sessionId}`, ev.sessionKey);
  }
  const planned = new Set<string>();
  for (const { row, action } of evicted) {
    const { ev } = row.item;
    const files = [ev.transcript?.path, ev.trajectory?.path].filter((p): p is string => typeof p === "string");
    const refuse = (path: string, why: string) => plan.refused.push({ agentId: ev.agentId, sessionKey: ev.sessionKey, path, why });
    const sharedId = usedBy.get(`id:${ev.agentId}:${ev.entry.sessionId}`);
    for (const from of files) {
      const user = sharedId ?? usedBy.get(`path:${from}`);
      if (user) {
        refuse(from, `still used by ${user}, which stays`);
        continue;
      }
      // the file's own refusal first: the other indexes are read only for a file it would archive
      const why = archiveRefusal(ctx.agentsRoot, from) ?? ctx.namedElsewhere?.whoNames(from);
      if (why) {
        refuse(from, why);
        continue;
      }
      if (planned.has(from)) continue;
      planned.add(from);
      const to = deletedArchivePath(from, ctx.now);
      (action.archives ??= []).push({ from, to });
      if (!plan.reportOnly) plan.archives.push({ action: "archive", agentId: ev.agentId, sessionKey: ev.sessionKey, from, to });
    }
  }
}
