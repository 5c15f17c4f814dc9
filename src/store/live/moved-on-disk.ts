// For a dir whose watch failed: the slow tick asks each of its sessions whether a file it was read
// from moved, and re-reads only those.
import fs from "node:fs";
import type { Evidence } from "../../core/types.js";

/** Without a watch: has any file this evidence came from changed size or mtime, appeared or gone? */
export function movedOnDisk(ev: Evidence): boolean {
  const differs = (file: string | undefined, seen: { size?: number; mtimeMs: number } | undefined): boolean => {
    if (!file) return false;
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(file);
    } catch {
      st = undefined;
    }
    if (!st || !seen) return Boolean(st) !== Boolean(seen);
    return st.mtimeMs !== seen.mtimeMs || (seen.size !== undefined && st.size !== seen.size);
  };
  const tp = ev.transcriptPath;
  return (
    differs(tp, ev.transcript) ||
    differs(tp && `${tp}.lock`, ev.lock) ||
    differs(ev.trajectory?.path ?? (tp && `${tp.replace(/\.jsonl$/, "")}.trajectory.jsonl`), ev.trajectory)
  );
}

