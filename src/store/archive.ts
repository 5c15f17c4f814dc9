// The files of evicted sessions, renamed the way OpenClaw archives them (`<file>.deleted.<ts>`),
// and put back by `cleanup --undo`. Only ever AFTER the index write that removed (or restored)
// the entry succeeded: a crash in between leaves a live transcript with an index that still
// names it, never an index entry whose transcript we moved away.
//
// The planner already refused paths outside the agents tree by their text; here the disk has
// the last word: the file itself must be a regular file (a symlink is never renamed, wherever it
// points), its real directory must lie inside the real agents tree, and the archive name must be
// free (rename would silently replace a file).
import fs from "node:fs";
import path from "node:path";
import type { ArchiveAction } from "../core/plan/actions.js";
import { archiveNameRefusal } from "../core/plan/archive.js";
import { isWithin, safeRealpath } from "./contain.js";
import { isSafeSessionId, sessionFileCandidate } from "./session-file.js";

export interface ArchiveOutcome {
  agentId: string;
  sessionKey: string;
  from: string;
  to: string;
  done: boolean;
  /** why the rename did not happen */
  why?: string;
}

/** OpenClaw's archive stamp (paths.ts in its source): `2026-07-01T12-34-56.789Z`. */
const ARCHIVE_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d{3})?Z$/;

/** Why `from` may not be renamed to `to` right now, or undefined when it may. */
export function renameRefusal(agentsRoot: string, from: string, to: string): string | undefined {
  if (!path.isAbsolute(from) || !path.isAbsolute(to)) return "not an absolute path";
  if (path.dirname(from) !== path.dirname(to)) return "an archive must stay in the same directory";
  const byName = archiveNameRefusal(from) ?? archiveNameRefusal(to);
  if (byName) return byName;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(from);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? "the file is gone" : `cannot stat: ${(err as Error).message}`;
  }
  if (st.isSymbolicLink()) return "a symbolic link: never renamed";
  if (!st.isFile()) return "not a regular file";
  const root = safeRealpath(agentsRoot);
  const dir = safeRealpath(path.dirname(from));
  if (!root || !dir || !isWithin(root, dir) || !isWithin(path.resolve(agentsRoot), path.resolve(from))) {
    return `outside the agents tree ${agentsRoot}`;
  }
  if (exists(to)) return `${path.basename(to)} already exists`;
  return undefined;
}

/** Renames each planned archive; a refusal or failure is reported, never thrown. */
export function archiveFiles(actions: readonly ArchiveAction[], agentsRoot: string): ArchiveOutcome[] {
  return actions.map((a) => {
    const base = { agentId: a.agentId, sessionKey: a.sessionKey, from: a.from, to: a.to };
    const why = renameRefusal(agentsRoot, a.from, a.to);
    if (why) return { ...base, done: false, why };
    try {
      fs.renameSync(a.from, a.to);
      return { ...base, done: true };
    } catch (err) {
      return { ...base, done: false, why: (err as Error).message };
    }
  });
}

/**
 * The newest `<file>.deleted.<ts>` archive of a file in its directory (by its stamp), or undefined.
 * Each directory is listed once, at the first file asked of it (a listing per file made an undo of
 * a prune of thousands take minutes); the listing is not refreshed.
 */
export function archiveFinder(): (file: string) => string | undefined {
  const dirs = new Map<string, Map<string, { name: string; at: number }>>();
  const newestIn = (dir: string) => {
    let byFile = dirs.get(dir);
    if (byFile) return byFile;
    byFile = new Map();
    dirs.set(dir, byFile);
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      // no such directory: no archive in it
    }
    for (const name of names) {
      const at = name.lastIndexOf(".deleted.");
      if (at < 0) continue;
      const stamp = name.slice(at + ".deleted.".length);
      if (!ARCHIVE_STAMP.test(stamp)) continue;
      const ms = Date.parse(stamp.replace(/T(\d{2})-(\d{2})-(\d{2})/, "T$1:$2:$3"));
      const base = name.slice(0, at);
      const seen = byFile.get(base);
      if (!seen || ms > seen.at) byFile.set(base, { name, at: ms });
    }
    return byFile;
  };
  return (file) => {
    const dir = path.dirname(file);
    const newest = newestIn(dir).get(path.basename(file));
    return newest ? path.join(dir, newest.name) : undefined;
  };
}

/**
 * The names an entry's transcript and trajectory have (or had, before archiving): its sessionFile
 * and `<sessionId>.jsonl`, each with its `.trajectory.jsonl` sibling. Names only: containment is
 * checked when anything is renamed.
 */
export function sessionFilesOf(entry: { sessionId: string; sessionFile?: unknown }, sessionsDir: string): string[] {
  const transcripts = new Set<string>();
  const named = typeof entry.sessionFile === "string" ? sessionFileCandidate(entry.sessionFile, sessionsDir) : undefined;
  if (named) transcripts.add(named);
  if (isSafeSessionId(entry.sessionId)) transcripts.add(path.join(sessionsDir, `${entry.sessionId}.jsonl`));
  return [...transcripts].flatMap((t) => [t, `${t.endsWith(".jsonl") ? t.slice(0, -6) : t}.trajectory.jsonl`]);
}

/** Archives stay inside the agents tree; an explicit --store elsewhere keeps them in its own dir. */
export function archiveRootFor(storePath: string, agentsRoot: string): string {
  const real = safeRealpath(storePath);
  const root = safeRealpath(agentsRoot);
  if (real && root && isWithin(root, real)) return agentsRoot;
  return path.dirname(path.resolve(storePath));
}

export interface RestoreRequest {
  agentId: string;
  sessionKey: string;
  /** where the file lived before it was archived */
  file: string;
  /** the archive the prune made of it, when its audit line records it (else its newest archive is taken) */
  archive?: string;
}

/**
 * `--undo` of a prune: the index names the entry again, so its archive goes back under its own
 * name, but only when that name is free (a file there now is newer than our archive). The archive
 * is the one the prune's audit line names; for a line from before archives were recorded, the
 * newest archive of that name.
 */
export function restoreArchives(requests: readonly RestoreRequest[], agentsRoot: string, newest: (file: string) => string | undefined = archiveFinder()): ArchiveOutcome[] {
  const out: ArchiveOutcome[] = [];
  for (const r of requests) {
    const recorded = r.archive !== undefined;
    const archived = recorded ? (exists(r.archive!) ? r.archive : undefined) : newest(r.file);
    if (recorded && !archived && !exists(r.file)) {
      // the prune renamed it there (or meant to): neither name holds it now
      const why = `not there, and the prune's archive of it (${path.basename(r.archive!)}) is gone: moved or deleted since the prune`;
      out.push({ agentId: r.agentId, sessionKey: r.sessionKey, from: r.archive!, to: r.file, done: false, why });
      continue;
    }
    if (exists(r.file)) {
      // a file under that name now is never overwritten; with an archive beside it, that archive
      // was not put back, which the report must say (the person decides which one to keep)
      if (archived) out.push({ agentId: r.agentId, sessionKey: r.sessionKey, from: archived, to: r.file, done: false, why: `${path.basename(r.file)} exists already (nothing overwritten; the archive is left as it is)` });
      continue;
    }
    if (!archived) continue;
    const base = { agentId: r.agentId, sessionKey: r.sessionKey, from: archived, to: r.file };
    const why = renameRefusal(agentsRoot, archived, r.file);
    if (why) {
      out.push({ ...base, done: false, why });
      continue;
    }
    try {
      fs.renameSync(archived, r.file);
      out.push({ ...base, done: true });
    } catch (err) {
      out.push({ ...base, done: false, why: (err as Error).message });
    }
  }
  return out;
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
