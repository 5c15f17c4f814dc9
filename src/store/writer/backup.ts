// Backups of the bytes a write replaces: `sessions.json.bak.<epochMs>`, OpenClaw's own naming.
// OpenClaw makes files with the same names, so pruning only ever deletes backups the audit log
// says WE made; OpenClaw's are never touched.
import fs from "node:fs";
import path from "node:path";
import { unlinkQuietly, writeVerifiedTemp } from "./atomic-write.js";

export const DEFAULT_KEEP_BACKUPS = 5;

function backupPattern(indexBase: string): RegExp {
  return new RegExp(`^${indexBase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.bak\\.(\\d+)$`);
}

const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EMLINK", "ENOSYS"]);

/** link() `source` to the first free `<index>.bak.<ms>` from nowMs on: link never replaces a file. */
function linkToFreeName(source: string, realIndexPath: string, nowMs: number): string {
  for (let ms = nowMs; ; ms++) {
    const target = `${realIndexPath}.bak.${ms}`;
    try {
      fs.linkSync(source, target);
      return target;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

/**
 * The backup as a second name of the index's inode (hard link). After our rename that inode
 * holds exactly the bytes we replaced, and nobody writes it any more (OpenClaw only ever
 * renames over the index). No copy and no data fsync: the window between our read and our
 * rename, in which an era B gateway can force a retry, stays short. The file keeps the index's
 * mode. undefined when the filesystem has no hard links (then see copyBackup).
 */
export function linkBackup(realIndexPath: string, nowMs: number): string | undefined {
  try {
    return linkToFreeName(realIndexPath, realIndexPath, nowMs);
  } catch (err) {
    if (NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? "")) return undefined;
    throw err;
  }
}

/**
 * A complete, fsynced copy of `bytes` (mode 0600), published under a free name in one step,
 * so a crash leaves either no backup or a whole one.
 */
export function copyBackup(realIndexPath: string, bytes: Buffer, nowMs: number, owner?: { uid: number; gid: number }): string {
  const tmp = writeVerifiedTemp(realIndexPath, bytes, { mode: 0o600, ...owner });
  try {
    try {
      return linkToFreeName(tmp, realIndexPath, nowMs);
    } catch (err) {
      if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? "")) throw err;
    }
    for (let ms = nowMs; ; ms++) {
      const target = `${realIndexPath}.bak.${ms}`;
      if (fs.existsSync(target)) continue;
      fs.renameSync(tmp, target);
      return target;
    }
  } finally {
    unlinkQuietly(tmp);
  }
}

/**
 * Deletes our backups of this index beyond the newest `keep`, never one in `current` (the write
 * being made). `oursInOrder`: our backups in the order the audit log records them, oldest first.
 * That order, not the epoch ms in the names, says which are newest: the log is appended under our
 * lock in the order the writes were made, whereas a name carries the wall clock, which can step
 * back (NTP, a VM resumed) and would make the newest backup look oldest. Returns the deleted paths.
 */
export function pruneOurBackups(realIndexPath: string, oursInOrder: string[], keep: number, current: ReadonlySet<string> = new Set()): string[] {
  const dir = path.dirname(realIndexPath);
  const pattern = backupPattern(path.basename(realIndexPath));
  const present = new Set(
    fs
      .readdirSync(dir)
      .filter((name) => pattern.test(name))
      .map((name) => path.join(dir, name)),
  );
  // a name pruned once can be reused by a later write: its last line in the log is its place
  const newestFirst = [...new Set([...oursInOrder].reverse())].filter((p) => present.has(p));
  const deleted: string[] = [];
  for (const p of newestFirst.slice(Math.max(0, keep))) {
    if (current.has(p)) continue;
    unlinkQuietly(p);
    deleted.push(p);
  }
  return deleted;
}
