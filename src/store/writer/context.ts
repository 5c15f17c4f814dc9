// What apply and undo share before the cycle: refusals, the real path, our lock, the audit log.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { UnreadableError, WriteRefusedError } from "../../core/errors.js";
import { appendAudit, defaultAuditPath, openAudit, ourBackups, readAuditTail, type AuditRecord } from "./audit.js";
import { DEFAULT_KEEP_BACKUPS, pruneOurBackups } from "./backup.js";
import { resolveFaults } from "./faults.js";
import { refuseBesideAgentDb, refuseEraC, refuseMovedIndex, refuseOutsideAgentsTree } from "./guards.js";
import { acquireOwnLock, type OwnLock } from "./lock-own.js";
import { realIndexPath } from "./real-path.js";
import type { ApplyOptions } from "./types.js";
import type { CycleContext } from "./write-cycle.js";

export interface Session {
  cycle: CycleContext;
  auditPath: string;
  auditFd: number;
  writeId: string;
  ownLock: OwnLock;
  /** appends the lines, prunes our old backups; returns warnings instead of throwing */
  finish(records: AuditRecord[]): Finished;
  close(): Promise<void>;
}

export interface Finished {
  warnings: string[];
  /** the lines are in a log an undo can read back: without them `--undo` finds nothing to undo */
  undoable: boolean;
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

/**
 * `kind`: the kind of write this session makes, for its intent line.
 *
 * Why an intent line: the rename and the audit lines after it are two steps, and a kill between
 * them left the index changed with nothing on record, so `--undo` had nothing to undo. The intent
 * names the backup and the bytes about to be written and is fsynced before the rename; undo reads
 * an intent without lines after it as the write if the index holds exactly those bytes (see
 * src/core/plan/undo.ts). One line and one fsync per write, no journal to replay or clean up:
 * an intent whose rename never came is simply passed over.
 */
export async function openSession(storePath: string, opts: ApplyOptions, kind: "apply" | "undo"): Promise<Session> {
  const realPath = realIndexPath(storePath);
  refuseEraC(opts.era, storePath);
  refuseBesideAgentDb(storePath, realPath);
  refuseOutsideAgentsTree(storePath, opts.agentsRoot, opts.allowOutsideAgentsTree);
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
  const writeId = randomUUID();
  const nowMs = opts.now ?? Date.now;
  return {
    auditPath,
    auditFd,
    writeId,
    ownLock,
    cycle: {
      storePath,
      realPath,
      ownLock,
      gatewayLockWaitMs: opts.gatewayLockWaitMs ?? 10_000,
      faults: resolveFaults(opts.faults),
      nowMs,
      recheckPath: () => refuseMovedIndex(storePath, realPath, opts.agentsRoot, opts.allowOutsideAgentsTree),
      recordIntent(write) {
        const intent: AuditRecord = { ts: new Date(nowMs()).toISOString(), pid: process.pid, kind: "intent", of: kind, command: opts.command, writeId, storePath: realPath, ...write };
        try {
          appendAudit(auditFd, [intent]);
        } catch (err) {
          throw new WriteRefusedError(`cannot record the write of ${storePath} in the audit log ${auditPath}: ${(err as Error).message}; ${storePath} is unchanged`);
        }
      },
    },
    finish(records) {
      const warnings: string[] = [];
      let undoable = true;
      try {
        appendAudit(auditFd, records.map((r) => ({ ...r, command: opts.command })));
      } catch (err) {
        undoable = false;
        warnings.push(`${storePath} was written, but the audit log ${auditPath} was not: ${(err as Error).message}`);
      }
      try {
        const current = new Set(records.map((r) => r.backupPath));
        pruneOurBackups(realPath, ourBackups(readAuditTail(auditPath), realPath, opts.command), keep, current);
      } catch (err) {
        // the write is done: a log we may append to but not read (a 0200 log) only means we cannot
        // tell our backups from OpenClaw's, so none is deleted and the write still succeeds
        if (err instanceof UnreadableError) {
          undoable = false;
          warnings.push(`${storePath} was written, but none of its old backups was pruned: ${err.message}`);
        } else warnings.push(`could not prune old backups of ${storePath}: ${(err as Error).message}`);
      }
      return { warnings, undoable };
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
