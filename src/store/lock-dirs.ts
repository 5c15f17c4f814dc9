// OpenClaw's lock dirs, `openclaw-<uid>` (plain `openclaw` where there are no uids), named for the
// uid its OWNER runs as: the gateway's singleton lock under $TMPDIR (eras A/B) or the state dir's
// tmp/ (era C). Run as root or a monitoring user, this tool reads the operator's dir too.

import fs from "node:fs";
import path from "node:path";

/** The lock dir name for `uid` (this process's by default). */
export function lockDirName(uid = typeof process.getuid === "function" ? process.getuid() : undefined): string {
  return uid === undefined ? "openclaw" : `openclaw-${uid}`;
}

/** Every lock dir present in `parent`, ours first (on a tie between owners, the one we run as wins). */
export function lockDirsIn(parent: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(parent).filter((n) => /^openclaw(?:-\d+)?$/.test(n));
  } catch {
    return [];
  }
  const own = lockDirName();
  return names.sort((a, b) => Number(b === own) - Number(a === own) || a.localeCompare(b)).map((n) => path.join(parent, n));
}
