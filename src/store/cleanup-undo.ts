// `cleanup --undo` for one store: the writer puts back the index our last write replaced
// (undoLast refuses when anything wrote it since), then the session files follow that index: an
// entry it names again gets its archived files back under their own names, and an entry it no
// longer names (the undo of an undo: the prune again) has its files archived again, as the prune
// did, unless an entry that stays uses them.
import fs from "node:fs";
import path from "node:path";
import { archiveRefusal, deletedArchivePath } from "../core/plan/archive.js";
import type { StoreRef } from "../core/types.js";
import { nothingToUndoWhy, restoredOutcome } from "../core/plan/undo.js";
import { UnreadableError } from "../core/errors.js";
import { archiveFiles, archiveRootFor, newestArchiveOf, restoreArchives, sessionFilesOf, type RestoreRequest } from "./archive.js";
import { OtherIndexes } from "./other-indexes.js";
import { realIndexPath } from "./writer/real-path.js";
import { readAuditTail, undoLast, type AuditRecord, type UndoResult } from "./writer/index.js";

type FileMove = { from: string; to: string; done: boolean; why?: string };

/** A session file of the restored index that is not back under its name, and why. */
export interface NotRestored {
  sessionKey: string;
  file: string;
  /** the archive left where it is, when there is one */
  archive?: string;
  why: string;
}

export type StoreUndo =
  | { outcome: "nothing"; why: string }
  | (Omit<UndoResult, "before" | "after"> & { outcome: "restored" | "partial"; unarchived: FileMove[]; archived: FileMove[]; notRestored: NotRestored[] });

export interface StoreUndoOptions {
  auditPath: string;
  agentsRoot: string;
  /** an explicit --store outside the agents tree */
  allowOutsideAgentsTree: boolean;
  /** the archive stamp of files archived again */
  now?: number;
}

/**
 * Throws the writer's CliError when the undo is refused, an UnreadableError when the audit log
 * cannot be read; "nothing" when it records no cleanup write of this index.
 */
export async function undoStoreCleanup(store: StoreRef, opts: StoreUndoOptions): Promise<StoreUndo> {
  let records;
  try {
    records = readAuditTail(opts.auditPath);
  } catch (err) {
    if (!(err instanceof UnreadableError)) throw err;
    throw new UnreadableError(`${err.message}; nothing was undone`, true);
  }
  const ofStore = records.filter((r) => r.storePath === realIndexPath(store.storePath));
  const nothing = nothingToUndoWhy(ofStore, "cleanup", opts.auditPath);
  if (nothing) return { outcome: "nothing", why: nothing };
  const { before, after, ...res } = await undoLast(store.storePath, { era: store.era, command: "cleanup", agentsRoot: opts.agentsRoot, allowOutsideAgentsTree: opts.allowOutsideAgentsTree, auditPath: opts.auditPath });
  const recorded = recordedArchives(ofStore, res.restoredFrom);
  const sessionsDir = path.dirname(path.resolve(store.storePath));
  const root = archiveRootFor(store.storePath, opts.agentsRoot);
  // own keys only: `in` found `__proto__` (and `constructor`, `toString`) on Object.prototype, so
  // a pruned entry of that name never had its files put back
  const back = Object.keys(after).filter((key) => !Object.hasOwn(before, key));
  const gone = Object.keys(before).filter((key) => !Object.hasOwn(after, key));
  const unarchived = restoreArchives(
    back.flatMap((key): RestoreRequest[] => {
      const exact = recorded.get(key);
      if (exact) return exact.map(({ from, to }) => ({ agentId: store.agentId, sessionKey: key, file: from, archive: to }));
      return filesOf(after[key], sessionsDir).map((file) => ({ agentId: store.agentId, sessionKey: key, file }));
    }),
    root,
  );
  const archived = archiveFiles(archivesOf(store, gone, before, after, sessionsDir, root, opts.agentsRoot, opts.now ?? Date.now()), root);
  const putBack = new Set(unarchived.filter((u) => u.done).map((u) => u.to));
  const notRestored: NotRestored[] = [
    ...unarchived.filter((u) => !u.done).map((u) => ({ sessionKey: u.sessionKey, file: u.to, archive: u.from, why: u.why ?? "not renamed" })),
    // the recorded archives are reported by restoreArchives; a line from before they were recorded leaves a guess
    ...back.filter((key) => !recorded.has(key)).flatMap((key) => missingTranscript(key, after[key], sessionsDir, putBack)),
  ];
  const warnings = [...res.warnings, ...notRestored.map((n) => `${n.file} not restored: ${n.why}`)];
  return {
    // a file not archived again (an undo of an undo) is refused by the prune's own rules, as the
    // prune refused it (a symlink): reported under `archived`, it leaves nothing half undone
    outcome: restoredOutcome(notRestored.length),
    ...res,
    warnings,
    unarchived: unarchived.map(moved),
    archived: archived.map(moved),
    notRestored,
  };
}

/**
 * The archives the undone write's audit lines record, by session key: the write is the one whose
 * backup the undo restored. Keys whose line predates the record are absent.
 */
function recordedArchives(records: readonly AuditRecord[], restoredFrom: string): Map<string, Array<{ from: string; to: string }>> {
  const out = new Map<string, Array<{ from: string; to: string }>>();
  for (const r of records) {
    if (r.kind !== "apply" || r.backupPath !== restoredFrom || !r.removed || typeof r.sessionKey !== "string" || !Array.isArray(r.archives)) continue;
    out.set(r.sessionKey, r.archives.filter((a) => typeof a?.from === "string" && typeof a.to === "string"));
  }
  return out;
}

/**
 * An entry named again whose transcript is neither back nor archived, while another of its files
 * was archived by the prune (just put back, or still archived): that transcript's archive was
 * deleted or moved since. Without such a trace nothing tells a deleted archive from a transcript
 * that never existed (the prune's audit line predates the record of its archives), so nothing is
 * claimed then.
 */
function missingTranscript(key: string, entry: unknown, sessionsDir: string, putBack: ReadonlySet<string>): NotRestored[] {
  const files = filesOf(entry, sessionsDir);
  const transcripts = files.filter((f) => !f.endsWith(".trajectory.jsonl"));
  if (transcripts.length === 0 || transcripts.some((f) => fs.existsSync(f) || newestArchiveOf(f))) return [];
  if (!files.some((f) => putBack.has(f) || newestArchiveOf(f))) return [];
  const file = transcripts[0]!;
  return [{ sessionKey: key, file, why: `not there, and no archive of it (${path.basename(file)}.deleted.<time>) is left to put back, while the prune's archive of its other file was: moved or deleted since the prune, or never there` }];
}

/**
 * The files of the entries the restored index no longer names that exist, no entry left uses, and
 * the prune's own rule lets it archive (inside the agents tree, transcripts and trajectories only).
 */
function archivesOf(store: StoreRef, keys: readonly string[], before: Record<string, unknown>, after: Record<string, unknown>, sessionsDir: string, root: string, agentsRoot: string, now: number) {
  const used = new Set(Object.values(after).flatMap((entry) => filesOf(entry, sessionsDir)));
  // nor one another index names (store/other-indexes.ts)
  const elsewhere = new OtherIndexes([], agentsRoot).for(store.storePath);
  const namedElsewhere = (file: string) => elsewhere.whoNames(file) !== undefined;
  const planned = new Set<string>();
  return keys.flatMap((key) =>
    filesOf(before[key], sessionsDir)
      // the other indexes are read last, only for a file that would otherwise be archived
      .filter((from) => !used.has(from) && !planned.has(from) && !archiveRefusal(root, from) && fs.existsSync(from) && !namedElsewhere(from) && planned.add(from))
      .map((from) => ({ action: "archive" as const, agentId: store.agentId, sessionKey: key, from, to: deletedArchivePath(from, now) })),
  );
}

/** An index entry's transcript and trajectory names (none for an entry without a sessionId). */
function filesOf(entry: unknown, sessionsDir: string): string[] {
  const e = entry as { sessionId?: unknown; sessionFile?: unknown } | null;
  if (!e || typeof e !== "object" || typeof e.sessionId !== "string") return [];
  return sessionFilesOf({ sessionId: e.sessionId, sessionFile: e.sessionFile }, sessionsDir);
}

function moved({ from, to, done, why }: FileMove): FileMove {
  return { from, to, done, ...(why ? { why } : {}) };
}
