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
  return undefined;
}
