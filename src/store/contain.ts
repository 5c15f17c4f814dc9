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

/** `p` with symlinks resolved as far as it exists (a dir not made yet keeps its tail as given). */
export function realAsFarAsItExists(p: string): string {
  const tail: string[] = [];
  for (let cur = path.resolve(p); ; ) {
    const real = safeRealpath(cur);
    if (real) return path.join(real, ...tail.reverse());
    const parent = path.dirname(cur);
    if (parent === cur) return path.resolve(p);
    tail.push(path.basename(cur));
    cur = parent;
  }
}

export function isWithin(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

const NO_THROW = { throwIfNoEntry: false } as const;
const POSIX = path.sep === "/";

/** Absolute with no `.`, `..`, `//` or trailing slash: what path.resolve would give back unchanged. */
function isNormalAbsolute(p: string): boolean {
  if (!POSIX || p.charCodeAt(0) !== 0x2f) return false;
  if (p.length === 1) return true;
  return !p.endsWith("/") && !p.includes("//") && !p.includes("/./") && !p.includes("/../") && !p.endsWith("/.") && !p.endsWith("/..");
}

/** path.join(dir, name) for a normalized absolute dir and a plain name. */
function joinName(dir: string, name: string): string {
  return POSIX ? (dir === "/" ? `/${name}` : `${dir}/${name}`) : path.join(dir, name);
}

/** isWithin for two normalized absolute paths (real paths), without path.relative's work. */
function within(root: string, candidate: string): boolean {
  if (!POSIX) return isWithin(root, candidate);
  const prefix = root === "/" ? "/" : `${root}/`;
  // path.relative would answer ".." + ... for a name starting with "..": isWithin says no to it
  return candidate.length > prefix.length && candidate.startsWith(prefix) && !candidate.startsWith("..", prefix.length);
}

/**
 * Real paths for one read of the store (a snapshot, one store's refresh). A session's files sit
 * in a handful of directories, so each DIRECTORY (roots included) is realpath'd once and each
 * file costs one lstat: a file that is not a symlink has the real path realDir + basename, the
 * same answer realpath gives, at a fraction of its cost (Node's realpathSync lstats every
 * component of the path). A symlinked file is realpath'd in full. Keep an instance only as long
 * as the directories cannot be expected to move: it never forgets.
 */
export class RealPaths {
  private readonly dirs = new Map<string, string | undefined>();

  /** realpath of a directory, once; undefined when it cannot be resolved. */
  realDir(dir: string): string | undefined {
    if (this.dirs.has(dir)) return this.dirs.get(dir);
    const real = safeRealpath(dir);
    this.dirs.set(dir, real);
    return real;
  }

  /**
   * What has the name `candidate`: undefined when nothing does (not even a dangling symlink),
   * null when something does but has no real path (a dangling or looping symlink), else the real
   * path of the file it names.
   */
  lookup(candidate: string): string | null | undefined {
    // `..` and `.` are resolved on the text first, as fs.realpathSync does
    const abs = isNormalAbsolute(candidate) ? candidate : path.resolve(candidate);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(abs, NO_THROW);
    } catch {
      return undefined; // ENOTDIR, EACCES: nothing we could read either
    }
    if (!st) return undefined;
    const dir = path.dirname(abs);
    if (st.isSymbolicLink() || dir === abs) return safeRealpath(abs) ?? null;
    const realDir = this.realDir(dir);
    return realDir === undefined ? null : joinName(realDir, path.basename(abs));
  }

  /** The real path of `candidate` when it exists (through any symlinks), else undefined. */
  realOf(candidate: string): string | undefined {
    return this.lookup(candidate) ?? undefined;
  }

  /** `real` (a real path) lies inside one of `roots` (each realpath'd, else taken as written). */
  isInside(real: string, roots: readonly string[]): boolean {
    for (const root of roots) if (within(this.realDir(root) ?? path.resolve(root), real)) return true;
    return false;
  }

  /** True when `candidate` exists and its real path lies inside one of `roots` (each realpath'd too). */
  existsInside(candidate: string, roots: readonly string[]): boolean {
    const real = this.realOf(candidate);
    return real !== undefined && this.isInside(real, roots);
  }
}

/**
 * True when `candidate` exists and its real path lies inside one of `roots` (each realpath'd
 * too, so a state dir reached through a symlink still works). Pass `paths` to share resolved
 * directories between many calls.
 */
export function existsInside(candidate: string, roots: readonly string[], paths: RealPaths = new RealPaths()): boolean {
  return paths.existsInside(candidate, roots);
}
