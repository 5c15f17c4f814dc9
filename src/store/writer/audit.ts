// The audit log: one NDJSON line per applied change, so a person (or `--undo`) can see what
// this tool did to which index, and restore it from the backup named on the line. Each write
// also appends an `intent` line, fsynced before its rename (see context.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { WriteLine, WriterCommand } from "../../core/plan/undo.js";
import { foreignOwner, giveTo, mkdirLikeParent } from "./ownership.js";

export interface AuditRecord extends WriteLine {
  ts: string;
  pid: number;
  kind: "apply" | "undo" | "intent";
  /** the command that wrote (absent on lines written before it was recorded) */
  command?: WriterCommand;
  /** intent only: the kind of the write about to be renamed */
  of?: "apply" | "undo";
  /** groups the lines of one write */
  writeId: string;
  /** the real path of the index */
  storePath: string;
  sessionKey?: string;
  sessionId?: string;
  action?: string;
  set?: Record<string, unknown>;
  unset?: string[];
  removed?: boolean;
  reasons?: string[];
  /** the bytes this write replaced */
  backupPath: string;
  backupSha256: string;
  /** sha256 of the bytes this write left in the index */
  writtenSha256: string;
  /** undo only: the backup that was restored */
  restoredFrom?: string;
}

export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), ".local", "state");
  return path.join(base, "openclaw-sessions", "audit.jsonl");
}

/**
 * Opens the log for appending (creating it and its directory): fails before any write does. Under
 * sudo HOME is often the user's: what we create there is theirs (see ownership.ts).
 */
export function openAudit(auditPath: string): number {
  const dir = path.dirname(auditPath);
  mkdirLikeParent(dir, 0o700);
  try {
    const fd = fs.openSync(auditPath, "ax", 0o600);
    giveTo(auditPath, foreignOwner(dir));
    return fd;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return fs.openSync(auditPath, "a", 0o600);
  }
}

/** One write() for all lines of a write: lines of concurrent processes never interleave mid-line. */
export function appendAudit(fd: number, records: AuditRecord[]): void {
  if (records.length === 0) return;
  const buf = Buffer.from(records.map((r) => JSON.stringify(r) + "\n").join(""));
  for (let done = 0; done < buf.length; ) {
    const n = fs.writeSync(fd, buf, done, buf.length - done);
    if (n <= 0) throw new Error(`short write to the audit log (${done} of ${buf.length} bytes)`);
    done += n;
  }
  fs.fsyncSync(fd);
}

/** The records of the last `maxBytes` of the log (the first, partial line is dropped). */
export function readAuditTail(auditPath: string, maxBytes = 4 * 1024 * 1024): AuditRecord[] {
  let fd: number;
  try {
    fd = fs.openSync(auditPath, "r");
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, start + got);
      if (n <= 0) break;
      got += n;
    }
    const lines = buf.subarray(0, got).toString("utf8").split("\n");
    if (start > 0) lines.shift();
    const out: AuditRecord[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as AuditRecord;
        if (r && typeof r.storePath === "string" && typeof r.backupPath === "string") out.push(r);
      } catch {
        /* a torn last line from a crash: skip it */
      }
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Every backup the log says `command` made of this index, in the order of the log (oldest first).
 * Each command's backups rotate among themselves: keepalive writes every few minutes, and counted
 * with cleanup's they would delete a prune's backup (its removed entries' only copy) within the
 * hour. Lines from before the command was recorded belong to no command and are never rotated.
 */
export function ourBackups(records: AuditRecord[], realIndexPath: string, command: WriterCommand): string[] {
  return records.filter((r) => r.storePath === realIndexPath && r.command === command).map((r) => r.backupPath);
}
