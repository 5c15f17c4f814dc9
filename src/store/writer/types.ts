// Options and results of the one writer of sessions.json.
import type { WriterCommand } from "../../core/plan/undo.js";
import type { EntryPatch, Era } from "../../core/types.js";

export type { EntryPatch };

/** Test-only hooks into the write cycle (see faults.ts for the environment twin). */
export interface FaultHooks {
  /** replaces fs.writeSync for the temp file of the index: return the bytes written */
  writeChunk?: (fd: number, buffer: Buffer, offset: number, length: number, position: number) => number;
  /** after the temp file is written, fsynced and verified */
  afterTempWrite?: (tempPath: string) => void | Promise<void>;
  /** right before the final checks (own lock, gateway lock, index unchanged) and the rename */
  beforeRename?: (ctx: { tempPath: string; attempt: number }) => void | Promise<void>;
  /** right after the rename */
  afterRename?: () => void;
  /** right before the survival check re-reads the index */
  beforeVerify?: () => void;
  /** sleep this long between the temp write and the final checks (widens the kill window) */
  slowRenameMs?: number;
}

export interface ApplyOptions {
  era: Era;
  /** who writes, recorded on every audit line: `cleanup --undo` undoes only cleanup's writes */
  command: WriterCommand;
  /** <stateDir>/agents: the index must live inside it */
  agentsRoot: string;
  /** an explicit --store: the agents-tree rule does not apply */
  allowOutsideAgentsTree?: boolean;
  /** default $XDG_STATE_HOME/openclaw-sessions/audit.jsonl, else ~/.local/state/... */
  auditPath?: string;
  /** how many of our own backups to keep per index (default 5) */
  keepBackups?: number;
  /** how long to wait for a live gateway's sessions.json.lock (default 10000) */
  gatewayLockWaitMs?: number;
  /** how often to retry another openclaw-sessions process's live lock before exit 5 (default 12, about 5 s) */
  ownLockRetries?: number;
  /** clock for backup names and audit timestamps (lock bodies always use the real clock) */
  now?: () => number;
  /** delay of the survival check after the rename (default 300; 0 = right away) */
  verifyAfterMs?: number;
  /** refuse a result smaller than this share of the bytes read when nothing is removed (default 0.5) */
  maxShrinkRatio?: number;
  faults?: FaultHooks;
}

export interface AppliedChange {
  sessionKey: string;
  sessionId: string;
  action: EntryPatch["action"];
  /** fields set (deletions are in `unset`) */
  set: Record<string, unknown>;
  /** fields deleted */
  unset: string[];
  /** the values the set/unset fields had before (absent fields are left out) */
  previous: Record<string, unknown>;
  removed: boolean;
  /** a removal's files to archive after the write (EntryPatch.archives) */
  archives?: Array<{ from: string; to: string }>;
  reasons: string[];
}

export interface ApplyResult {
  applied: AppliedChange[];
  skipped: { sessionKey: string; why: string }[];
  backupPath?: string;
  beforeCount: number;
  afterCount: number;
  /** keys whose change was gone at the survival check (an era B gateway wrote an older copy) */
  overwritten: string[];
  wrote: boolean;
  /** the write is in an audit log `--undo` can read (false: the log was not written or cannot be read) */
  undoable: boolean;
  /** things that went wrong after the index was safely replaced (audit, backup pruning, dir fsync) */
  warnings: string[];
}

export interface UndoResult {
  /** the backup whose bytes are now the index */
  restoredFrom: string;
  /** the backup of the bytes the undo replaced (undo the undo with it) */
  backupPath: string;
  beforeCount: number;
  afterCount: number;
  /** the index the undo replaced and the one it restored, parsed: their files follow them */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  warnings: string[];
  /** this undo is in an audit log a further `--undo` can read */
  undoable: boolean;
}
