// What apply and undo share before the cycle: refusals, the real path, our lock, the audit log.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { WriteRefusedError } from "../../core/errors.js";
import { appendAudit, defaultAuditPath, openAudit, ourBackups, readAuditTail, type AuditRecord } from "./audit.js";
import { DEFAULT_KEEP_BACKUPS, pruneOurBackups } from "./backup.js";
import { resolveFaults } from "./faults.js";
import { refuseEraC, refuseOutsideAgentsTree } from "./guards.js";
import { acquireOwnLock, type OwnLock } from "./lock-own.js";
import type { ApplyOptions } from "./types.js";
import type { CycleContext } from "./write-cycle.js";

export interface Session {
  cycle: CycleContext;
  auditPath: string;
  auditFd: number;
  writeId: string;
  ownLock: OwnLock;
  /** appends the lines, prunes our old backups; returns warnings instead of throwing */
  finish(records: AuditRecord[]): string[];
  close(): Promise<void>;
}

export function realIndexPath(storePath: string): string {
  try {
    return fs.realpathSync(storePath);
  } catch {
    // a missing index: its directory's real path, so locks land where the gateway's do
    try {
      return path.join(fs.realpathSync(path.dirname(storePath)), path.basename(storePath));
    } catch {
      return path.resolve(storePath);
    }
  }
}

// Writes to one index from the same process (a keepalive loop and a command, say) take turns
// here, instead of failing as "busy" on our own lock.
const queues = new Map<string, Promise<void>>();

async function queueInProcess(realPath: string): Promise<() => void> {
  const before = queues.get(realPath) ?? Promise.resolve();
  let leave!: () => void;
  const turn = new Promise<void>((resolve) => (leave = resolve));
  const tail = before.then(() => turn);
  queues.set(realPath, tail);
  await before;
  return () => {
    leave();
    if (queues.get(realPath) === tail) queues.delete(realPath);
  };
}

export async function openSession(storePath: string, opts: ApplyOptions): Promise<Session> {
  refuseEraC(opts.era, storePath);
  refuseOutsideAgentsTree(storePath, opts.agentsRoot, opts.allowOutsideAgentsTree);
  const realPath = realIndexPath(storePath);
  const leaveQueue = await queueInProcess(realPath);
  let ownLock: OwnLock;
  try {
    ownLock = await acquireOwnLock(realPath, storePath, opts.ownLockRetries);
  } catch (err) {
    leaveQueue();
    throw err;
  }
  const auditPath = opts.auditPath ?? defaultAuditPath();
  let auditFd: number;
  try {
    auditFd = openAudit(auditPath);
  } catch (err) {
    await ownLock.release();
    leaveQueue();
    throw new WriteRefusedError(`cannot open the audit log ${auditPath}: ${(err as Error).message}; nothing written`);
  }
  const keep = opts.keepBackups ?? DEFAULT_KEEP_BACKUPS;
  return {
    auditPath,
    auditFd,
    writeId: randomUUID(),
    ownLock,
    cycle: {
      storePath,
      realPath,
      ownLock,
      gatewayLockWaitMs: opts.gatewayLockWaitMs ?? 10_000,
      faults: resolveFaults(opts.faults),
      nowMs: opts.now ?? Date.now,
    },
    finish(records) {
      const warnings: string[] = [];
      try {
        appendAudit(auditFd, records);
      } catch (err) {
        warnings.push(`${storePath} was written, but the audit log ${auditPath} was not: ${(err as Error).message}`);
      }
      try {
        const current = new Set(records.map((r) => r.backupPath));
        pruneOurBackups(realPath, ourBackups(readAuditTail(auditPath), realPath), keep, current);
      } catch (err) {
        warnings.push(`could not prune old backups of ${storePath}: ${(err as Error).message}`);
      }
      return warnings;
    },
    async close() {
      try {
        fs.closeSync(auditFd);
      } finally {
        await ownLock.release();
        leaveQueue();
      }
    },
  };
}
