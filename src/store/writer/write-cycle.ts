// One locked, verified, atomic replacement of the index, shared by apply and undo:
// gateway lock -> path recheck -> strict re-read -> produce the new bytes -> backup (a hard link
// to what we read) -> verified temp -> final checks (locks still ours, index unchanged since the
// read, its path still leading where it led when we locked it) -> rename -> fsync dir.
// If the index changed under us (an era B gateway takes no lock) the cycle starts over.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CliError, WriteConflictError, WriteRefusedError } from "../../core/errors.js";
import { fsyncDir, unlinkQuietly, writeVerifiedTemp } from "./atomic-write.js";
import { copyBackup, linkBackup } from "./backup.js";
import { acquireGatewayLock } from "./lock-gateway.js";
import type { OwnLock } from "./lock-own.js";
import { readIndexStrict, sameSignature, signatureOf, type IndexRead, type Signature } from "./read-index.js";
import type { FaultHooks } from "./types.js";

// an era B gateway writing in a tight burst can change the index under us several times running
export const MAX_ATTEMPTS = 10;

export interface CycleContext {
  /** as the user named it, for messages */
  storePath: string;
  realPath: string;
  ownLock: OwnLock;
  gatewayLockWaitMs: number;
  faults: FaultHooks;
  nowMs: () => number;
  /** throws (refused, 4) when the index's path now leads elsewhere than where our lock was taken */
  recheckPath(): void;
  /** records, durably, the write about to be renamed; throws (refused, 4) when it cannot */
  recordIntent(write: Committed): void;
}

/** What a write replaced and what it left: the backup and both contents' sha256. */
export interface Committed {
  backupPath: string;
  backupSha256: string;
  writtenSha256: string;
}

/** `bytes` undefined: nothing to write. */
export interface Produced<T> {
  bytes?: Buffer;
  info: T;
  /**
   * Files to change together with the index, before it is renamed (an undo puts archived
   * transcripts back before the index names them again): applied once the new index is safely in
   * its temp file, reverted if the rename then does not happen (a changed index, a failure).
   */
  alongside?: SideEffect;
}

export interface SideEffect {
  apply(): void;
  revert(): void;
}

export interface CycleResult<T> {
  info: T;
  read?: IndexRead;
  wrote: boolean;
  backupPath?: string;
  backupSha256?: string;
  writtenSha256?: string;
  warnings: string[];
}

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export async function lockedWrite<T>(
  ctx: CycleContext,
  produce: (read: IndexRead | undefined) => Produced<T>,
): Promise<CycleResult<T>> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // after a change under us, a short random pause so we do not collide with the same writer again
    if (attempt > 1) await sleep(2 + Math.random() * 5 * attempt);
    const gateway = await acquireGatewayLock(ctx.realPath, ctx.gatewayLockWaitMs, ctx.storePath);
    let temp: string | undefined;
    let backup: string | undefined;
    let applied: SideEffect | undefined;
    try {
      ctx.recheckPath();
      const read = readIndexStrict(ctx.realPath);
      const produced = produce(read);
      if (!read || !produced.bytes) return { info: produced.info, read, wrote: false, warnings: [] };
      const bytes = produced.bytes;
      const owner = { uid: read.uid, gid: read.gid };
      try {
        backup = linkBackup(ctx.realPath, ctx.nowMs());
      } catch (err) {
        // the inode we resolved was renamed over (its link count went to 0) while we linked it
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      let expected = read.sig;
      if (backup) {
        const linked = signatureOf(backup);
        // the name must have gone to the inode we read, else the index was replaced meanwhile
        if (!sameFile(linked, read.sig)) {
          unlinkQuietly(backup);
          backup = undefined;
          continue;
        }
        expected = linked; // a new link changes the ctime
      }
      temp = writeVerifiedTemp(ctx.realPath, bytes, {
        mode: read.mode,
        ...owner,
        writeChunk: ctx.faults.writeChunk,
      });
      await ctx.faults.afterTempWrite?.(temp);
      if (produced.alongside) {
        applied = produced.alongside;
        applied.apply();
      }
      backup ??= copyBackup(ctx.realPath, read.bytes, ctx.nowMs(), owner);
      const committed: Committed = { backupPath: backup, backupSha256: sha256(read.bytes), writtenSha256: sha256(bytes) };
      // before the final checks, not between them and the rename: an fsync there would widen the
      // window in which a lock-free era B gateway's write can be lost
      ctx.recordIntent(committed);
      await ctx.faults.beforeRename?.({ tempPath: temp, attempt });
      if (ctx.faults.slowRenameMs) await sleep(ctx.faults.slowRenameMs);
      ctx.ownLock.assertHeld();
      gateway.assertHeld();
      ctx.recheckPath();
      // nothing between this check and the rename: a lock-free era B gateway's write that lands
      // in that instant is lost (the tiny window DESIGN.md accepts); nothing may widen it
      if (!unchangedSince(ctx.realPath, read.bytes, expected)) {
        unlinkQuietly(temp);
        unlinkQuietly(backup);
        temp = backup = undefined;
        applied?.revert();
        applied = undefined;
        continue;
      }
      fs.renameSync(temp, ctx.realPath);
      temp = backup = applied = undefined; // committed: from here on nothing may be cleaned up
      const warnings: string[] = [];
      try {
        ctx.faults.afterRename?.();
        fsyncDir(path.dirname(ctx.realPath));
      } catch (err) {
        warnings.push(`could not fsync the directory of ${ctx.storePath}: ${(err as Error).message}`);
      }
      return {
        info: produced.info,
        read,
        wrote: true,
        ...committed,
        warnings,
      };
    } catch (err) {
      unlinkQuietly(temp);
      unlinkQuietly(backup);
      applied?.revert();
      throw explain(err, ctx.storePath);
    } finally {
      gateway.release();
    }
  }
  throw new WriteConflictError(
    `${ctx.storePath} kept changing while we tried to write it (${MAX_ATTEMPTS} attempts); nothing written, try again`,
  );
}

/** Same bytes and same stat as when read: nobody replaced or rewrote the index meanwhile. */
function unchangedSince(file: string, bytes: Buffer, expected: Signature): boolean {
  try {
    if (!fs.readFileSync(file).equals(bytes)) return false;
    // the stat last: it is the check closest to the rename
    return sameSignature(signatureOf(file), expected);
  } catch {
    return false;
  }
}

function sameFile(a: Signature, b: Signature): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

function explain(err: unknown, storePath: string): CliError {
  if (err instanceof CliError) return err;
  const e = err as NodeJS.ErrnoException & { tempPath?: string };
  const via = e.tempPath ? ` (temp file ${path.basename(e.tempPath)})` : "";
  return new WriteRefusedError(`could not write ${storePath}${via}: ${e.message}; ${storePath} is unchanged`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
