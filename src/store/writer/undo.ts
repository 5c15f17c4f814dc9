// undoLast: put back the bytes our newest write replaced, but only while the index is still
// exactly what we wrote, and only a write of the command asking (cleanup --undo never undoes a
// keepalive touch). Anything written since (by the gateway or a person) would be lost, so
// then we refuse and name the backup to inspect. The restore takes the same locked, verified,
// atomic path as every write, makes its own backup and audit line, so undo can itself be undone.
import fs from "node:fs";
import { WriteRefusedError } from "../../core/errors.js";
import { describeWrite, kindOf, lastWrite, ownWriteBefore, writerOf, type WriterCommand } from "../../core/plan/undo.js";
import { readAuditTail, type AuditRecord } from "./audit.js";
import { openSession } from "./context.js";
import { entryCount } from "./read-index.js";
import type { ApplyOptions, UndoResult } from "./types.js";
import { lockedWrite, sha256, type SideEffect } from "./write-cycle.js";

/**
 * `alongside`: files to change with the restore, given the index as it is and as it will be
 * (`cleanup --undo` puts back the archives of the entries named again): applied right before the
 * rename and reverted if it does not happen, so the index never names a file still archived.
 */
export async function undoLast(
  storePath: string,
  opts: ApplyOptions,
  alongside?: (before: Record<string, unknown>, after: Record<string, unknown>, undone: AuditRecord) => SideEffect,
): Promise<UndoResult> {
  const session = await openSession(storePath, opts, "undo");
  try {
    const realPath = session.cycle.realPath;
    const lines = readAuditTail(session.auditPath).filter((r) => r.storePath === realPath);
    if (lines.length === 0) throw nothingToUndo(session.auditPath, storePath);
    let last!: AuditRecord;
    let restore!: { bytes: Buffer; obj: Record<string, unknown> };
    // which write was the last one depends on what the index holds now: decided under the locks
    const result = await lockedWrite(session.cycle, (read) => {
      if (!read) throw new WriteRefusedError(`${storePath} does not exist any more; nothing to undo`);
      const now = sha256(read.bytes);
      const found = lastWrite(lines, now);
      if (!found) throw nothingToUndo(session.auditPath, storePath);
      last = found;
      refuseOtherWriter(lines, last, opts.command, storePath, session.auditPath);
      if (now !== last.writtenSha256) {
        throw new WriteRefusedError(
          `${storePath} changed after openclaw-sessions wrote it at ${last.ts} (the gateway or someone else wrote it since); ` +
            `not undoing, that would lose their changes. The content before our write is in ${last.backupPath}: inspect it and restore by hand if you are sure`,
        );
      }
      restore = readBackup(last, storePath);
      return {
        bytes: restore.bytes,
        info: { before: read.obj, beforeCount: entryCount(read.obj) },
        ...(alongside ? { alongside: alongside(read.obj, restore.obj, last) } : {}),
      };
    });
    const ts = new Date(session.cycle.nowMs()).toISOString();
    const record: AuditRecord = {
      ts,
      pid: process.pid,
      kind: "undo",
      writeId: session.writeId,
      storePath: realPath,
      reasons: [`undo of the ${kindOf(last)} written at ${last.ts} (write ${last.writeId})`],
      backupPath: result.backupPath!,
      backupSha256: result.backupSha256!,
      writtenSha256: result.writtenSha256!,
      restoredFrom: last.backupPath,
    };
    const finished = session.finish([record]);
    const warnings = [...result.warnings, ...finished.warnings];
    return {
      restoredFrom: last.backupPath,
      backupPath: result.backupPath!,
      beforeCount: result.info.beforeCount,
      afterCount: Object.keys(restore.obj).length,
      before: result.info.before,
      after: restore.obj,
      warnings,
      undoable: finished.undoable,
    };
  } finally {
    await session.close();
  }
}

function nothingToUndo(auditPath: string, storePath: string): WriteRefusedError {
  return new WriteRefusedError(`${auditPath} records no write of ${storePath} by openclaw-sessions; nothing to undo`);
}

/**
 * An undo puts back what the last write replaced, so it can only undo the last write: once
 * another command (keepalive's touch) wrote after ours, ours cannot be undone without losing it.
 * The refusal says which of ours that was, or that the log holds none: "cannot be undone once the
 * index changed" read as if there were a cleanup write to undo when keepalive had only touched it.
 */
function refuseOtherWriter(lines: readonly AuditRecord[], last: AuditRecord, command: WriterCommand, storePath: string, auditPath: string): void {
  if (writerOf(last) === command) return;
  const ours = ownWriteBefore(lines, last, command);
  if (!ours) {
    throw new WriteRefusedError(
      `the last write of ${storePath} was ${describeWrite(last)}, and ${auditPath} records no ${command} write of it before that: ` +
        `nothing for ${command} --undo to undo (it never undoes another command's write), nothing written`,
    );
  }
  throw new WriteRefusedError(
    `the ${command} write an undo would put back, ${describeWrite(ours)}, was followed by ${describeWrite(last)}, the last write of ${storePath}; ` +
      `a ${command} write cannot be undone once the index changed after it, nothing written. ` +
      `What it replaced is in ${ours.backupPath}${fs.existsSync(ours.backupPath) ? "" : " (no longer there)"}: inspect it to restore by hand`,
  );
}

function readBackup(last: AuditRecord, storePath: string): { bytes: Buffer; obj: Record<string, unknown> } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(last.backupPath);
  } catch (err) {
    throw new WriteRefusedError(`cannot read the backup ${last.backupPath} of ${storePath}: ${(err as Error).message}; nothing restored`);
  }
  if (sha256(bytes) !== last.backupSha256) {
    throw new WriteRefusedError(`the backup ${last.backupPath} is not the file openclaw-sessions saved (its content changed); nothing restored`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new WriteRefusedError(`the backup ${last.backupPath} is not a JSON object of sessions; nothing restored`);
  }
  return { bytes, obj: parsed as Record<string, unknown> };
}
