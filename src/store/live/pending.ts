// The work a live source has queued between two refresh runs: changes that arrive while a run is
// under way form the next batch, so a burst of file events costs one read per session.
import type { StoreRef } from "../../core/types.js";

export interface Pending {
  /** which stores the options select must be resolved again (an agent dir or an index appeared) */
  targets: boolean;
  /** the gateway lock must be re-read */
  gateway: boolean;
  /** store paths whose index must be re-read; true = also re-read every session (events were lost) */
  stores: Map<string, boolean>;
  /** sessions to re-read, by store path and key (the cached object is replaced by every read) */
  sessions: Map<string, { storePath: string; key: string }>;
}

export const emptyPending = (): Pending => ({ targets: false, gateway: false, stores: new Map(), sessions: new Map() });

export const isEmptyPending = (p: Pending): boolean => !p.targets && !p.gateway && p.stores.size === 0 && p.sessions.size === 0;

export const sessionId = (storePath: string, key: string): string => `${storePath}\u0000${key}`;

export const queueSession = (p: Pending, c: { store: { ref: Pick<StoreRef, "storePath"> }; key: string }): void => {
  p.sessions.set(sessionId(c.store.ref.storePath, c.key), { storePath: c.store.ref.storePath, key: c.key });
};

/** Queues a store's index for a re-read; `force` (every session too) is never downgraded. */
export const queueStore = (p: Pending, storePath: string, force: boolean): void => {
  if (force) p.stores.set(storePath, true);
  else if (!p.stores.has(storePath)) p.stores.set(storePath, false);
};
