// Why a session left the store, for `socket.drain`: `pruned` when our own audit log records
// removing exactly that entry (cleanup's prune or cap), `archived` when its era C row now has
// archived_at set (OpenClaw's maintenance), else `deleted`. (`reset`, a new sessionId under the
// same key, is told apart by the model diff.)
import fs from "node:fs";
import { UnreadableError } from "../core/errors.js";
import type { StoreRef } from "../core/types.js";
import { readArchivedRows } from "../store/sqlite/archived.js";
import { readAuditTail, type AuditRecord } from "../store/writer/audit.js";
import { ownLockPath } from "../store/own-lock-name.js";

export type DrainReason = "reset" | "archived" | "pruned" | "deleted";

export interface Departed {
  agentId: string;
  sessionKey: string;
  sessionId: string;
}

export interface DepartureOptions {
  auditPath: string;
  /** the index files an agent's sessions come from */
  storesOf: (agentId: string) => string[];
  /** how long to wait for a write of ours still under way (its audit line comes after the rename) */
  waitMs?: number;
  pollMs?: number;
  /** `key\u0000sessionId` of the departed that were archived (era C); none when absent */
  archived?: (departed: readonly Departed[]) => Set<string>;
  /** told when the audit log cannot be read */
  warn?: (message: string) => void;
}

/** Which departed sessions are archived rows of these era C stores (a store that cannot be read tells nothing). */
export function archivedIn(stores: readonly StoreRef[], departed: readonly Departed[]): Set<string> {
  const out = new Set<string>();
  if (stores.length === 0 || departed.length === 0) return out;
  const keys = [...new Set(departed.map((d) => d.sessionKey))];
  for (const store of stores) {
    try {
      for (const r of readArchivedRows(store, keys)) out.add(`${r.sessionKey}\u0000${r.sessionId}`);
    } catch (err) {
      if (!(err instanceof UnreadableError)) throw err;
    }
  }
  return out;
}

function realOrSame(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** For each departed session (same order): pruned, archived or deleted. */
export async function judgeDepartures(departed: readonly Departed[], opts: DepartureOptions): Promise<DrainReason[]> {
  if (departed.length === 0) return [];
  const stores = new Set<string>();
  for (const d of departed) for (const s of opts.storesOf(d.agentId)) stores.add(realOrSame(s));
  // cleanup renames the index, then appends its audit line, then lets go of its own lock: while
  // that lock is there, the line may be on its way
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  while ([...stores].some((s) => fs.existsSync(ownLockPath(s))) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
  const removed = new Set<string>();
  for (const r of auditRecords(opts)) if (isRemoval(r) && stores.has(r.storePath)) removed.add(`${r.sessionKey}\u0000${r.sessionId}`);
  const archived = opts.archived?.(departed) ?? new Set<string>();
  return departed.map((d) => {
    const id = `${d.sessionKey}\u0000${d.sessionId}`;
    return removed.has(id) ? "pruned" : archived.has(id) ? "archived" : "deleted";
  });
}

/**
 * The log's records; none when it cannot be read (another user's), said through `warn`: a drain
 * then reads "deleted" where it may have been our prune, which beats failing the whole update.
 */
function auditRecords(opts: DepartureOptions): AuditRecord[] {
  try {
    return readAuditTail(opts.auditPath);
  } catch (err) {
    if (!(err instanceof UnreadableError)) throw err;
    opts.warn?.(`${err.message}; departed sessions are reported as deleted, not pruned`);
    return [];
  }
}

function isRemoval(r: AuditRecord): boolean {
  return r.kind === "apply" && r.removed === true && typeof r.sessionKey === "string" && typeof r.sessionId === "string";
}
