// The audit log: one NDJSON line per applied change, so a person (or `--undo`) can see what
// this tool did to which index, and restore it from the backup named on the line. Each write
// also appends an `intent` line, fsynced before its rename (see context.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { UnreadableError } from "../../core/errors.js";
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
  /**
   * a removal's files the write was to archive, `from` -> `to`, renamed right after it (a rename
   * refused or failed left the file where it was). Absent on lines written before it was recorded.
   */
  archives?: Array<{ from: string; to: string }>;
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

/**
 * The records of the last `maxBytes` of the log (the first, partial line is dropped); none when
 * there is no log. A log that is there but cannot be read (another user's 0600 log, reached
 * through XDG_STATE_HOME or sudo) is an UnreadableError, never "no records": read as empty,
 * `--undo` said "nothing to undo" over a log full of our writes.
 */
export function readAuditTail(auditPath: string, maxBytes = 4 * 1024 * 1024): AuditRecord[] {
  let fd: number;
  try {
    fd = fs.openSync(auditPath, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw unreadableAudit(auditPath, err as NodeJS.ErrnoException);
  }
  try {
    let buf: Buffer;
    let got = 0;
    let start: number;
    try {
      const size = fs.fstatSync(fd).size;
      start = Math.max(0, size - maxBytes);
      buf = Buffer.alloc(size - start);
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, start + got);
        if (n <= 0) break;
        got += n;
      }
    } catch (err) {
      // a directory opens for reading and fails only here (EISDIR)
      throw unreadableAudit(auditPath, err as NodeJS.ErrnoException);
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

/** Why the log cannot be read, and how to reach the one that records the writes: its owner's. */
function unreadableAudit(auditPath: string, err: NodeJS.ErrnoException): UnreadableError {
  const denied = err.code === "EACCES" || err.code === "EPERM";
  const why = denied ? `permission denied: this user (uid ${process.getuid?.() ?? "?"}) cannot read it` : (err.code ?? err.message);
  let owner = "";
  try {
    owner = ` (uid ${fs.statSync(auditPath).uid})`;
  } catch {
    // its directory cannot be entered either: the owner is not known
  }
  return new UnreadableError(
    `cannot read the audit log ${auditPath}: ${why}, so what openclaw-sessions wrote is not known; ` +
      `run as the user who wrote it${owner}, or set XDG_STATE_HOME to that user's (the log is $XDG_STATE_HOME/openclaw-sessions/audit.jsonl)`,
  );
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
