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

export function eraCKeepaliveNotice(stores: readonly StoreRef[], config: unknown, at: number, othersRemain: boolean): EraCKeepaliveNotice {
  const idle = idleResetConfigured(config);
  const which = stores.map((s) => `agent ${s.agentId} (${s.storePath})`).join(", ");
  const reset = idle
    ? "idle reset IS configured here: it reads lastInteractionAt, which only real activity (or OpenClaw itself) moves"
    : "OpenClaw's idle reset reads lastInteractionAt, not updatedAt, and session.reset.mode defaults to `none`: no idle reset is configured here, so no session expires by idleness (OpenClaw's own maintenance still archives by pruneAfter)";
  const rest = othersRemain ? "; keeping the other stores alive" : "; nothing else to keep alive";
  return {
    type: "eraC",
    at,
    stores: stores.map(({ agentId, storePath }) => ({ agentId, storePath })),
    idleResetConfigured: idle,
    message: `${which}: OpenClaw 2026.8+ SQLite, never written by keepalive; ${reset}${rest}`,
  };
}
