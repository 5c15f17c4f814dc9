// Sentences shared by several commands, so the advice reads the same everywhere.
import path from "node:path";
import type { StoreRef } from "../core/types.js";

export function eraCMessage(store: StoreRef): string {
  return (
    `agent ${store.agentId}: this store is OpenClaw 2026.8+ SQLite (${store.storePath}), which this version of ` +
    `openclaw-sessions cannot read yet; nothing was read or written. Use \`openclaw sessions\` / ` +
    `\`openclaw sessions cleanup\` for this agent.`
  );
}

/** No sessions.json was found where OpenClaw would keep one. */
export function noIndexMessage(stateDir: string): string {
  return `no session index under ${path.join(stateDir, "agents")} (check --state-dir or OPENCLAW_STATE_DIR)`;
}
