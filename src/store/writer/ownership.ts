// Root (sudo) running on another user's store: whatever we create there goes to that user, so
// nothing root leaves behind (a lock after a SIGKILL, an audit directory under their home)
// stands in the way of the user's own later runs, which could neither replace nor read it.
import fs from "node:fs";
import path from "node:path";

export interface Owner {
  uid: number;
  gid: number;
}

/** The owner of `file` (or, if it is missing, of its nearest existing parent) when we are root and it is not. */
export function foreignOwner(file: string): Owner | undefined {
  if (process.geteuid?.() !== 0) return undefined;
  for (let p = path.resolve(file); ; p = path.dirname(p)) {
    try {
      const st = fs.statSync(p);
      return st.uid === 0 ? undefined : { uid: st.uid, gid: st.gid };
    } catch {
      if (path.dirname(p) === p) return undefined;
    }
  }
}

/**
 * Gives `p` to `owner` (no-op without one). Quietly: root's chown fails only where ownership
 * cannot be kept anyway (a squashed NFS mount, vfat), and a lock must not fail a write for it.
 */
export function giveTo(p: string, owner: Owner | undefined): void {
  if (!owner) return;
  try {
    fs.lchownSync(p, owner.uid, owner.gid);
  } catch {
    /* see above */
  }
}

/** `mkdir -p` whose new directories belong to the owner of the nearest existing parent when we are root. */
export function mkdirLikeParent(dir: string, mode: number): void {
  const missing: string[] = [];
  let p = path.resolve(dir);
  while (!fs.existsSync(p) && path.dirname(p) !== p) {
    missing.unshift(p);
    p = path.dirname(p);
  }
  const owner = foreignOwner(p);
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      continue; // made meanwhile by someone else: theirs
    }
    giveTo(d, owner);
  }
}
