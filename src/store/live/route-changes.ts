// What a batch of directory events means for the cache: which indexes and which sessions must be
// read again. Deciding this needs only the cache's maps, so it is a function of them.
import path from "node:path";
import { classifyName, type StoreChange } from "../watcher.js";
import { queueSession, queueStore, type Pending } from "./pending.js";
import type { Cached, CachedStore } from "./session-cache.js";

export interface ChangeRouting {
  storesIn(dir: string): CachedStore[];
  sessionsIn(dir: string): Cached[];
  /** sessions reading the file at this path */
  atPath(file: string): Iterable<Cached> | undefined;
  /** sessions with this session id (a sidecar named by a pointer not seen before) */
  withId(sessionId: string): Iterable<Cached> | undefined;
  /** the dir's watch reported a rescan: it works again */
  rearmed(dir: string): void;
}

export function routeChanges(changes: readonly StoreChange[], cache: ChangeRouting, pending: Pending): void {
  for (const ch of changes) {
    const dir = ch.dir;
    const here = cache.storesIn(dir);
    if (ch.rescan) {
      // the dir appeared, vanished or was re-armed: events may have been lost in between
      cache.rearmed(dir);
      pending.targets = true;
      for (const s of here) queueStore(pending, s.ref.storePath, true);
      for (const c of cache.sessionsIn(dir)) queueSession(pending, c);
      continue;
    }
    if (ch.index) {
      if (here.length === 0) pending.targets = true; // an index appeared where none was read
      for (const s of here) queueStore(pending, s.ref.storePath, false);
    }
    for (const name of ch.names) {
      const hits = cache.atPath(path.join(dir, name));
      if (hits) {
        for (const c of hits) queueSession(pending, c);
        continue;
      }
      const kind = classifyName(name);
      if (kind?.kind === "session") for (const c of cache.withId(kind.sessionId) ?? []) queueSession(pending, c);
    }
  }
}
