// Path containment with symlinks resolved on both sides: a path that only LOOKS inside the
// agents tree (a symlink, a `..`) must never be read, let alone written.
import fs from "node:fs";
import path from "node:path";

export function safeRealpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

export function isWithin(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/**
 * True when `candidate` exists and its real path lies inside one of `roots` (each realpath'd
 * too, so a state dir reached through a symlink still works).
 */
export function existsInside(candidate: string, roots: readonly string[]): boolean {
  const real = safeRealpath(candidate);
  if (!real) return false;
  return roots.some((root) => isWithin(safeRealpath(root) ?? path.resolve(root), real));
}
