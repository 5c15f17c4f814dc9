// Sentences shared by several commands, so the advice reads the same everywhere.
import type { StoreRef } from "../core/types.js";

export function eraCMessage(store: StoreRef): string {
  return (
    `agent ${store.agentId}: this store is OpenClaw 2026.8+ SQLite (${store.storePath}), which this version of ` +
    `openclaw-sessions cannot read yet; nothing was read or written. Use \`openclaw sessions\` / ` +
    `\`openclaw sessions cleanup\` for this agent.`
  );
}

/** An era C store that could not be read: why, and that nothing was written. */
export function eraCUnreadMessage(store: StoreRef & { why: string }): string {
  return `agent ${store.agentId}: OpenClaw's SQLite store was not read: ${store.why}. Nothing was written.`;
}
