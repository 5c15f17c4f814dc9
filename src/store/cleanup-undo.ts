// `cleanup --undo` for one store: the writer puts back the index our last write replaced
// (undoLast refuses when anything wrote it since), then the session files follow that index: an
// entry it names again gets its archived files back under their own names, and an entry it no
// longer names (the undo of an undo: the prune again) has its files archived again, as the prune
// did, unless an entry that stays uses them.
import fs from "node:fs";
import path from "node:path";
import { archiveRefusal, deletedArchivePath } from "../core/plan/archive.js";
import type { StoreRef } from "../core/types.js";
import { archiveFiles, archiveRootFor, restoreArchives, sessionFilesOf, type RestoreRequest } from "./archive.js";
import { namedByOtherIndexes } from "./other-indexes.js";
import { realIndexPath } from "./writer/real-path.js";
import { readAuditTail, undoLast, type UndoResult } from "./writer/index.js";

type FileMove = { from: string; to: string; done: boolean; why?: string };

export type StoreUndo =
  | { outcome: "nothing"; why: string }
  | (Omit<UndoResult, "before" | "after"> & { outcome: "restored"; unarchived: FileMove[]; archived: FileMove[] });

export interface StoreUndoOptions {
  auditPath: string;
  agentsRoot: string;
  /** an explicit --store outside the agents tree */
  allowOutsideAgentsTree: boolean;
  /** the archive stamp of files archived again */
  now?: number;
}

/** Throws the writer's CliError when the undo is refused; "nothing" when we never wrote this index. */
export async function undoStoreCleanup(store: StoreRef, opts: StoreUndoOptions): Promise<StoreUndo> {
  const records = readAuditTail(opts.auditPath);
  const last = records.filter((r) => r.storePath === realIndexPath(store.storePath)).at(-1);
  if (!last) return { outcome: "nothing", why: `no write by openclaw-sessions recorded in ${opts.auditPath}` };
  const { before, after, ...res } = await undoLast(store.storePath, { era: store.era, command: "cleanup", agentsRoot: opts.agentsRoot, allowOutsideAgentsTree: opts.allowOutsideAgentsTree, auditPath: opts.auditPath });
  const sessionsDir = path.dirname(path.resolve(store.storePath));
  const root = archiveRootFor(store.storePath, opts.agentsRoot);
  const back = Object.keys(after).filter((key) => !(key in before));
  const gone = Object.keys(before).filter((key) => !(key in after));
  const unarchived = restoreArchives(
    back.flatMap((key) => filesOf(after[key], sessionsDir).map((file): RestoreRequest => ({ agentId: store.agentId, sessionKey: key, file }))),
    root,
  );
  const archived = archiveFiles(archivesOf(store, gone, before, after, sessionsDir, root, opts.now ?? Date.now()), root);
  return {
    outcome: "restored",
    ...res,
    unarchived: unarchived.map(moved),
    archived: archived.map(moved),
  };
}

/**
 * The files of the entries the restored index no longer names that exist, no entry left uses, and
 * the prune's own rule lets it archive (inside the agents tree, transcripts and trajectories only).
 */
function archivesOf(store: StoreRef, keys: readonly string[], before: Record<string, unknown>, after: Record<string, unknown>, sessionsDir: string, root: string, now: number) {
  const used = new Set(Object.values(after).flatMap((entry) => filesOf(entry, sessionsDir)));
  // nor one another index beside it names (store/other-indexes.ts)
  const elsewhere = namedByOtherIndexes(store.storePath, keys.flatMap((key) => filesOf(before[key], sessionsDir)));
  const namedElsewhere = (file: string) => elsewhere.files.has(file) || elsewhere.unreadDirs.has(path.dirname(file));
  const planned = new Set<string>();
  return keys.flatMap((key) =>
    filesOf(before[key], sessionsDir)
      .filter((from) => !used.has(from) && !namedElsewhere(from) && !planned.has(from) && !archiveRefusal(root, from) && fs.existsSync(from) && planned.add(from))
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
