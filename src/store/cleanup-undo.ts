// `cleanup --undo` for one store: the writer puts back the index our last write replaced
// (undoLast refuses when anything wrote it since), then the files of the entries that write had
// removed come back from their archives, under their own names.
import fs from "node:fs";
import path from "node:path";
import type { StoreRef } from "../core/types.js";
import { archiveRootFor, restoreArchives, sessionFilesOf, type RestoreRequest } from "./archive.js";
import { realIndexPath } from "./writer/context.js";
import { readAuditTail, undoLast, type UndoResult } from "./writer/index.js";

export type StoreUndo =
  | { outcome: "nothing"; why: string }
  | (UndoResult & { outcome: "restored"; unarchived?: Array<{ from: string; to: string; done: boolean; why?: string }> });

export interface StoreUndoOptions {
  auditPath: string;
  agentsRoot: string;
  /** an explicit --store outside the agents tree */
  allowOutsideAgentsTree: boolean;
}

/** Throws the writer's CliError when the undo is refused; "nothing" when we never wrote this index. */
export async function undoStoreCleanup(store: StoreRef, opts: StoreUndoOptions): Promise<StoreUndo> {
  const records = readAuditTail(opts.auditPath);
  const last = records.filter((r) => r.storePath === realIndexPath(store.storePath)).at(-1);
  if (!last) return { outcome: "nothing", why: `no write by openclaw-sessions recorded in ${opts.auditPath}` };
  const res = await undoLast(store.storePath, { era: store.era, agentsRoot: opts.agentsRoot, allowOutsideAgentsTree: opts.allowOutsideAgentsTree, auditPath: opts.auditPath });
  if (res.restoredFrom !== last.backupPath) return { outcome: "restored", ...res };
  // the entries that write removed are back: so go their archived files
  const removed = records.filter((r) => r.writeId === last.writeId && r.removed && r.sessionKey).map((r) => r.sessionKey!);
  const unarchived = restoreArchives(unarchiveRequests(store, removed), archiveRootFor(store.storePath, opts.agentsRoot));
  return { outcome: "restored", ...res, unarchived: unarchived.map(({ from, to, done, why }) => ({ from, to, done, ...(why ? { why } : {}) })) };
}

/** The transcript and trajectory names of the restored entries, as they were before archiving. */
function unarchiveRequests(store: StoreRef, keys: readonly string[]): RestoreRequest[] {
  let index: Record<string, { sessionId?: unknown; sessionFile?: unknown }>;
  try {
    // the index the writer just restored (and verified): read back for the entries' file names
    index = JSON.parse(fs.readFileSync(store.storePath, "utf8"));
  } catch {
    return [];
  }
  const sessionsDir = path.dirname(path.resolve(store.storePath));
  return keys.flatMap((key) => {
    const entry = index[key];
    if (!entry || typeof entry.sessionId !== "string") return [];
    return sessionFilesOf({ sessionId: entry.sessionId, sessionFile: entry.sessionFile }, sessionsDir).map((file) => ({ agentId: store.agentId, sessionKey: key, file }));
  });
}
