// Who holds the transcript lock. OpenClaw holds `<transcript>.lock` for a whole run (model wait
// and tools included), so a live holder is the strongest sign that a run can still progress.

import type { LockInfo } from "../types.js";
import { ago } from "./format.js";

export interface Owner {
  /** `none`: no lock file at all */
  kind: "alive" | "dead" | "none";
  pid?: number;
  /** when the lock was taken: createdAt, else the file's mtime */
  since?: number;
  /** the verdict in a few words: "lock owner pid 23939 is dead" */
  summary: string;
  /** the summary with its evidence */
  reason: string;
}

/**
 * A lock file is created empty and filled a moment later (~50 ms seen), so an unreadable body is
 * a lock being written, held until its mtime is this old; after that nothing can own it.
 *
 * This is the only unreadable-lock rule (status, cleanup, keepalive and prune all read it). Not
 * OpenClaw's 30 min transcript-lock staleness: that bounds how long OpenClaw waits on a lock whose
 * holder it cannot judge, while every OpenClaw writer fills the body in one write right after
 * creating the file, so a body still unreadable after 30 s has no writer. A 30 min rule would
 * call such a dead run `waiting` for half an hour. Repairs stay safe: cleanup still needs
 * `--stale-after` of silence before it writes anything.
 */
export const UNREADABLE_LOCK_HELD_MS = 30_000;

export function ownerVerdict(lock: LockInfo | undefined, now: number): Owner {
  if (!lock) return { kind: "none", summary: "no transcript lock", reason: "no transcript lock" };
  const pid = lock.pid;
  const since = lock.createdAt ?? lock.mtimeMs;
  const verdict = (kind: "alive" | "dead", summary: string, detail = `lock taken ${ago(now, since)}`): Owner => ({
    kind,
    pid,
    since,
    summary,
    reason: `${summary} (${detail})`,
  });
  switch (lock.owner) {
    case "alive":
      return verdict("alive", `lock owner pid ${pid} is alive`);
    case "dead":
      return verdict("dead", `lock owner pid ${pid} is dead`);
    case "reused":
      return verdict("dead", `lock owner pid ${pid} is gone: the pid now belongs to another process`);
    case "unknown": {
      const file = `lock file written ${ago(now, lock.mtimeMs)}`;
      return now - lock.mtimeMs <= UNREADABLE_LOCK_HELD_MS
        ? verdict("alive", "lock body not written yet: treated as held", file)
        : verdict("dead", "lock body unreadable and old: nothing holds it", file);
    }
  }
}
