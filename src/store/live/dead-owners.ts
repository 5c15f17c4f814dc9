// The one thing the tick checks outside the cache: whether the lock owners it believes alive still
// are. A crashed process leaves its lock file untouched, so no file event will ever say so, and
// Node cannot wait on a pid: a signal-0 per distinct live pid, a few per tick.
import type { GatewayInfo } from "../../core/types.js";
import type { ProcOwner } from "../proc.js";
import { queueSession, type Pending } from "./pending.js";
import type { Cached } from "./session-cache.js";

export type OwnerProbe = (pid: number, starttime?: number) => ProcOwner;

/** Queues a re-read of every session whose lock owner is gone, and of the gateway lock if its owner is. */
export function queueDeadOwners(liveLocks: Iterable<Cached>, gateway: GatewayInfo | undefined, pending: Pending, probe: OwnerProbe): void {
  const seen = new Map<string, ProcOwner>();
  for (const c of liveLocks) {
    const lock = c.ev.lock!;
    const k = `${lock.pid}:${lock.starttime ?? ""}`;
    let state = seen.get(k);
    if (state === undefined) seen.set(k, (state = probe(lock.pid!, lock.starttime)));
    if (state !== "alive") queueSession(pending, c);
  }
  if (gateway?.alive && gateway.pid !== undefined && probe(gateway.pid) !== "alive") pending.gateway = true;
}
