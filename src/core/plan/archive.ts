// Archive names for the files of an evicted session, the way OpenClaw archives them
// (`<file>.deleted.<ts>`, ts = UTC ISO time with ':' -> '-'), and the containment rule: we only
// ever rename files inside the agents tree, whatever an index entry claims.

import path from "node:path";

/** 2026-07-01T12:34:56.789Z -> 2026-07-01T12-34-56.789Z */
export function archiveStamp(now: number): string {
  return new Date(now).toISOString().replace(/:/g, "-");
}

export function deletedArchivePath(file: string, now: number): string {
  return `${file}.deleted.${archiveStamp(now)}`;
}

/**
 * Lexical containment: `file` is absolute and lies strictly below `root`. Symlinks cannot be seen
 * from pure code: the store layer realpaths both before trusting this.
 */
export function insideTree(root: string, file: string): boolean {
  if (!path.isAbsolute(root) || !path.isAbsolute(file)) return false;
  const rel = path.relative(path.normalize(root), path.normalize(file));
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** Why `file` may not be archived, or undefined when it may. */
export function archiveRefusal(agentsRoot: string, file: string): string | undefined {
  if (!path.isAbsolute(file)) return `not an absolute path: ${file}`;
  if (!path.isAbsolute(agentsRoot)) return `agents root is not an absolute path: ${agentsRoot}`;
  if (!insideTree(agentsRoot, file)) return `outside the agents tree ${agentsRoot}: ${file}`;
  return archiveNameRefusal(file);
}

/** `<name>.deleted.<stamp>` -> `<name>`; any other name as it is. */
const ARCHIVE_SUFFIX = /\.deleted\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d{3})?Z$/;

/** An OpenClaw 2026.8+ database or one of its sidecars (the agent's, the global one, any copy). */
const SQLITE_NAME = /\.sqlite(?:-wal|-shm|-journal)?$/i;

/**
 * Why the file named `file` (live, or as archived) may not be renamed by an archive or its undo.
 * OpenClaw archives transcripts and trajectories, which are `*.jsonl` in every era; an index
 * entry's `sessionFile` is only text, and may name anything inside the agents tree (an era C
 * database, another agent's sessions.json, a lock): whatever it names, only a `*.jsonl` moves.
 */
export function archiveNameRefusal(file: string): string | undefined {
  const name = path.basename(file).replace(ARCHIVE_SUFFIX, "");
  if (SQLITE_NAME.test(name)) return `${name} is an OpenClaw database file (era C), never renamed or written`;
  if (!name.endsWith(".jsonl")) return `${name} is not a transcript or trajectory (*.jsonl): only those are archived`;
  return undefined;
}
