// `cleanup` on an era C (SQLite) store writes NOTHING. OpenClaw (every 2026.8+ release) resumes interrupted turns
// when its gateway starts (restart recovery): a dead `running` row is that recovery's queue, and
// a terminal status written from outside would cancel the user's turn (and an outside writer can
// trip the gateway's split-brain guard). So each stale row is reported with why it is dead, what
// OpenClaw will do with it and how to let it; prune reports what OpenClaw's own maintenance will
// archive (pruneAfter, a cap of unarchived rows, active work protected).
import { judgeSession, pastRunTimeoutReason } from "../core/health/index.js";
import { EMBEDDED_NOT_RESUMED, ownerEraC, RESUMED_ON_GATEWAY_START } from "../core/health/ownerEraC.js";
import { runTimeoutOf } from "../core/thresholds.js";
import type { ResolvedMaintenance } from "../core/maintenance.js";
import { openclawPrunePlan } from "../core/plan/openclaw-prune.js";
import type { Evidence, Heartbeat, IndexEntry, StoreRef, Thresholds } from "../core/types.js";
import { formatAge, formatAgo } from "../ui/format.js";
import { stateDirOfAgentDb } from "../store/sqlite/read-store.js";

const NOT_OPENED = "nothing: OpenClaw opens agents/<id>/agent/openclaw-agent.sqlite in its state dir, not this file (a copy or a backup)";
const NOT_OPENED_HOW = "nothing to let: OpenClaw does not open this file; a copy put back as agents/<id>/agent/openclaw-agent.sqlite (gateway stopped) is resumed at the next gateway start";
const FOLLOW = "follow the turn with `openclaw sessions`, and let `openclaw sessions cleanup` do maintenance";

/**
 * How to let OpenClaw handle the stale rows, for what holds the store now: restart recovery runs
 * when a gateway starts, so a gateway already running is restarted, not started; a live process
 * holding a run past its timeout has to end first.
 */
export function howToLetOpenClaw(holder: "nothing" | "gateway" | "embedded run"): string {
  if (holder === "gateway") {
    return `restart the gateway on this state dir when the wait is not worth it (\`openclaw gateway restart\` for the installed service, or stop \`openclaw gateway\` in its terminal and start it again): its restart recovery runs at start; ${FOLLOW}`;
  }
  const start = "start the gateway on this state dir (`openclaw gateway start` for the installed service, or `openclaw gateway` in a terminal)";
  if (holder === "embedded run") return `let the \`openclaw agent --local\` run holding the lock end (or stop it), then ${start}; ${FOLLOW}`;
  return `${start}; ${FOLLOW}`;
}

export interface EraCStaleRow {
  sessionKey: string;
  sessionId: string;
  state: Heartbeat["state"];
  storeStatus: string | null;
  /** why nothing alive can move it */
  why: string;
  /** what OpenClaw itself will do with it */
  openclawWill: string;
}

export interface EraCCleanup {
  agentId: string;
  storePath: string;
  era: "C";
  /** always false: era C stores are never written */
  wrote: false;
  staleRunning: EraCStaleRow[];
  /** how to let OpenClaw handle the stale rows */
  howToLetOpenClaw: string;
  openclawMaintenance: {
    pruneAfterMs: number;
    maxEntries: number;
    /** rows OpenClaw's maintenance archives by age (updatedAt older than pruneAfter) */
    byAge: string[];
    /** rows it archives to stay under the cap, oldest first */
    byCap: string[];
  };
  warnings: string[];
}

export function planEraCCleanup(
  store: StoreRef,
  evidence: readonly Evidence[],
  opts: { now: number; thresholds: Thresholds; policy: Pick<ResolvedMaintenance, "pruneAfterMs" | "maxEntries">; warnings?: string[] },
): EraCCleanup {
  const staleRunning: EraCStaleRow[] = [];
  // a copy outside any state dir's agents tree (a backup named by --store) is no file OpenClaw opens
  const opened = stateDirOfAgentDb(store.storePath) !== undefined;
  // no prototype: a session key `__proto__` or `constructor` is an entry like any other
  const entries: Record<string, IndexEntry> = Object.create(null) as Record<string, IndexEntry>;
  const active: string[] = [];
  for (const ev of evidence) {
    entries[ev.sessionKey] = ev.entry;
    const { hb, facts } = judgeSession(ev, opts.now, opts.thresholds);
    // OpenClaw's maintenance protects active work; a dead running row is recovery's queue too
    if (ev.entry.status === "running" || hb.health !== "idle") active.push(ev.sessionKey);
    if (hb.health !== "unresponsive") continue;
    const embedded = ev.entry.status === undefined;
    const owner = ownerEraC(ev, opts.now);
    // a live owner still holds a run past the whole-run timeout: that, not the owner, is why it is stale
    const held = facts.pastRunTimeout && facts.startedAt !== undefined && owner.kind !== "none";
    staleRunning.push({
      sessionKey: ev.sessionKey,
      sessionId: ev.entry.sessionId,
      state: hb.state,
      storeStatus: ev.entry.status ?? null,
      why: held ? `${pastRunTimeoutReason(opts.now - facts.startedAt!, runTimeoutOf(opts.thresholds))}; ${owner.reason}` : owner.reason,
      openclawWill: !opened
        ? NOT_OPENED
        : embedded
          ? `nothing: ${EMBEDDED_NOT_RESUMED} (the row stays as it is)`
        : held
            ? `nothing while its live owner holds the run; once that process stops, ${RESUMED_ON_GATEWAY_START}`
            : "resume the interrupted turn on the next gateway start (restart recovery; `sessions.recover` continues a session with an orphaned writer)",
    });
  }
  const plan = openclawPrunePlan(entries, opts.policy, opts.now, active);
  return {
    agentId: store.agentId,
    storePath: store.storePath,
    era: "C",
    wrote: false,
    staleRunning,
    howToLetOpenClaw: opened ? howToLetOpenClaw(holderOf(evidence)) : NOT_OPENED_HOW,
    openclawMaintenance: { pruneAfterMs: opts.policy.pruneAfterMs, maxEntries: opts.policy.maxEntries, byAge: plan.pruned, byCap: plan.capped },
    warnings: [
      ...(opts.warnings ?? []),
      ...(opened ? [] : [`${store.storePath} is outside any state dir's agents tree: OpenClaw opens no such file, so neither its recovery nor its maintenance will touch it (the maintenance shown is what its rules would archive were it in place)`]),
    ],
  };
}

/** What holds the store's singleton lock now (every row of a store carries the same owner). */
function holderOf(evidence: readonly Evidence[]): "nothing" | "gateway" | "embedded run" {
  const owner = evidence.find((ev) => ev.gateway !== undefined)?.gateway;
  if (!owner?.alive) return "nothing";
  return owner.role === "agent-embedded" ? "embedded run" : "gateway";
}

/** The human report of one era C store. */
export function eraCCleanupLines(
  r: EraCCleanup,
  now: number,
  steps: { finalize: boolean; prune: boolean } = { finalize: true, prune: true },
  entries?: ReadonlyMap<string, IndexEntry>,
): string[] {
  const lines = [`agent ${r.agentId}: OpenClaw 2026.8+ SQLite store ${r.storePath}`, "  nothing written: OpenClaw manages this store itself"];
  // a step not asked for was not looked at: "none" would claim what was never checked
  if (!steps.finalize) lines.push("  stale running rows: not looked for (--finalize-stale was not given)");
  else if (r.staleRunning.length === 0) lines.push("  no stale running rows");
  else {
    lines.push(`  ${r.staleRunning.length} stale running row(s):`);
    for (const s of r.staleRunning) {
      lines.push(`    ${s.sessionKey} (${s.storeStatus ?? "no status"}, ${s.state}): ${s.why}`);
      lines.push(`      OpenClaw will: ${s.openclawWill}`);
    }
    lines.push(`  to let it: ${r.howToLetOpenClaw}`);
  }
  const m = r.openclawMaintenance;
  if (!steps.prune) {
    lines.push("  OpenClaw's maintenance: not looked at (--prune was not given)");
    return lines;
  }
  const total = m.byAge.length + m.byCap.length;
  const policy = `pruneAfter ${formatAge(m.pruneAfterMs)}, at most ${m.maxEntries} unarchived rows`;
  if (total === 0) lines.push(`  OpenClaw's maintenance (${policy}) archives nothing here now`);
  else {
    lines.push(`  OpenClaw's maintenance (${policy}) will archive ${total} row(s): ${m.byAge.length} by age, ${m.byCap.length} over the cap`);
    for (const key of [...m.byAge, ...m.byCap].slice(0, 20)) {
      const at = entries?.get(key)?.updatedAt;
      lines.push(`    ${key}${at !== undefined ? ` (updated ${formatAgo(at, now)})` : ""}`);
    }
    if (total > 20) lines.push(`    ... and ${total - 20} more`);
  }
  return lines;
}
