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
import { CliError, UnreadableError } from "../core/errors.js";
import { archiveFiles, archiveFinder, archiveRootFor, restoreArchives, sessionFilesOf, type ArchiveOutcome, type RestoreRequest } from "./archive.js";
import { isWithin } from "./contain.js";
import { OtherIndexes } from "./other-indexes.js";
import { realIndexPath } from "./writer/real-path.js";
import { readAuditTail, undoLast, type AuditRecord, type UndoResult } from "./writer/index.js";
import type { SideEffect } from "./writer/write-cycle.js";

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
  const sessionsDir = path.dirname(path.resolve(store.storePath));
  const root = archiveRootFor(store.storePath, opts.agentsRoot);
  // what the undo's index names again is decided under the writer's locks: the archives of those
  // entries go back right before the rename (and back to their archive names if it fails), so
  // that no crash leaves an index naming transcripts that are still archived
  let recorded = new Map<string, Array<{ from: string; to: string }>>();
  let back: string[] = [];
  let unarchived: ArchiveOutcome[] = [];
  const unputBack: string[] = [];
  // each directory listed once (not once per file: minutes for a prune of thousands)
  const finder = archiveFinder();
  const putBackFirst = (now: Record<string, unknown>, restored: Record<string, unknown>, undone: AuditRecord): SideEffect => {
    recorded = recordedArchives(ofStore, undone);
    // own keys only: `in` found `__proto__` (and `constructor`, `toString`) on Object.prototype, so
    // a pruned entry of that name never had its files put back
    back = Object.keys(restored).filter((key) => !Object.hasOwn(now, key));
    const requests = back.flatMap((key): RestoreRequest[] => {
      const exact = recorded.get(key);
      if (exact) return exact.map(({ from, to }) => ({ agentId: store.agentId, sessionKey: key, file: from, archive: to }));
      // a line from before archives were recorded: the newest archive of each name, inside the tree only
      return filesOf(restored[key], sessionsDir)
        .filter((file) => isWithin(path.resolve(root), path.resolve(file)))
        .map((file) => ({ agentId: store.agentId, sessionKey: key, file }));
    });
    return {
      apply: () => void (unarchived = restoreArchives(requests, root, finder)),
      revert: () => {
        for (const u of unarchived.filter((x) => x.done)) {
          try {
            fs.renameSync(u.to, u.from);
          } catch (err) {
            unputBack.push(`${u.to} (its archive was ${path.basename(u.from)}): ${(err as Error).message}`);
          }
        }
        unarchived = [];
      },
    };
  };
  let undone;
  try {
    undone = await undoLast(store.storePath, { era: store.era, command: "cleanup", agentsRoot: opts.agentsRoot, allowOutsideAgentsTree: opts.allowOutsideAgentsTree, auditPath: opts.auditPath }, putBackFirst);
  } catch (err) {
    // the index was not restored: a file put back that could not be archived again is named
    if (err instanceof CliError && unputBack.length > 0) throw new CliError(`${err.message}; put back but not archived again: ${unputBack.join("; ")}`, err.exitCode);
    throw err;
  }
  const { before, after, ...res } = undone;
  const gone = Object.keys(before).filter((key) => !Object.hasOwn(after, key));
  const archived = archiveFiles(archivesOf(store, gone, before, after, sessionsDir, root, opts.agentsRoot, opts.now ?? Date.now()), root);
  const putBack = new Set(unarchived.filter((u) => u.done).map((u) => u.to));
  const notRestored: NotRestored[] = [
    ...unarchived.filter((u) => !u.done).map((u) => ({ sessionKey: u.sessionKey, file: u.to, archive: u.from, why: u.why ?? "not renamed" })),
    // the recorded archives are reported by restoreArchives; a line from before they were recorded leaves a guess
    ...back.filter((key) => !recorded.has(key)).flatMap((key) => missingTranscript(key, after[key], sessionsDir, putBack, finder)),
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
 * The archives the undone write's audit lines record, by session key. Keys whose line predates
 * the record are absent.
 */
function recordedArchives(records: readonly AuditRecord[], undone: AuditRecord): Map<string, Array<{ from: string; to: string }>> {
  const out = new Map<string, Array<{ from: string; to: string }>>();
  for (const r of records) {
    if (r.kind !== "apply" || r.writeId !== undone.writeId || !r.removed || typeof r.sessionKey !== "string" || !Array.isArray(r.archives)) continue;
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
function missingTranscript(key: string, entry: unknown, sessionsDir: string, putBack: ReadonlySet<string>, newestArchiveOf: (file: string) => string | undefined): NotRestored[] {
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
