// keepalive on era C (SQLite) stores touches nothing: OpenClaw 2026.8+ stores are never written
// from outside. What a keepalive would protect against is idle reset, which reads
// `lastInteractionAt` (not `updatedAt`) and is off by default (`session.reset.mode` = none).
import { idleResetConfigured } from "../core/maintenance.js";
import type { StoreRef } from "../core/types.js";

export interface EraCKeepaliveNotice {
  type: "eraC";
  at: number;
  stores: Array<Pick<StoreRef, "agentId" | "storePath">>;
  idleResetConfigured: boolean;
  message: string;
}

/**
 * `unreadableOn`: this Node's version when it cannot read era C stores (runtimeMissing said why).
 * keepalive never reads them, so it runs all the same; the notice says what does need Node 24.
 */
export function eraCKeepaliveNotice(stores: readonly StoreRef[], config: unknown, at: number, othersRemain: boolean, unreadableOn?: string): EraCKeepaliveNotice {
  const idle = idleResetConfigured(config);
  const which = stores.map((s) => `agent ${s.agentId} (${s.storePath})`).join(", ");
  const reset = idle
    ? "idle reset IS configured here: it reads lastInteractionAt, which only real activity (or OpenClaw itself) moves"
    : "OpenClaw's idle reset reads lastInteractionAt, not updatedAt, and session.reset.mode defaults to `none`: no idle reset is configured here, so no session expires by idleness (OpenClaw's own maintenance still archives by pruneAfter)";
  const rest = othersRemain ? "; keeping the other stores alive" : "; nothing else to keep alive";
  const needs = unreadableOn === undefined ? "" : ` (status and watch need Node 24 to read them; this is Node ${unreadableOn})`;
  return {
    type: "eraC",
    at,
    stores: stores.map(({ agentId, storePath }) => ({ agentId, storePath })),
    idleResetConfigured: idle,
    message: `${which}: OpenClaw 2026.8+ SQLite, never written by keepalive${needs}; ${reset}${rest}`,
  };
}
