// Sentences shared by several commands, so the advice reads the same everywhere.
import path from "node:path";
import type { StoreRef } from "../core/types.js";

export function eraCMessage(store: StoreRef): string {
  return (
    `agent ${store.agentId}: ${store.storePath} is an OpenClaw 2026.8+ SQLite store, which openclaw-sessions never ` +
    `writes, so there is nothing to undo; nothing was written.`
  );
}

/** An era C store that could not be read: why, and that nothing was written. */
export function unreadStoreMessage(store: StoreRef & { why: string }): string {
  if (store.era !== "C") return `agent ${store.agentId}: ${store.storePath} was not read (its sessions are not shown): ${store.why}`;
  return `agent ${store.agentId}: OpenClaw's SQLite store was not read: ${store.why}. Nothing was written.`;
}

/** No sessions.json was found where OpenClaw would keep one. */
export function noIndexMessage(stateDir: string): string {
  return `no session index under ${path.join(stateDir, "agents")} (check --state-dir or OPENCLAW_STATE_DIR)`;
}

/**
 * Why no store was found, for every command: the store warnings when they say it (`--agent nosuch`
 * names the agents there), else that no index is there. Both at once told a user whose state dir
 * holds agents that it held no index.
 */
export function noStoreWhy(warnings: readonly string[], stateDir: string): string[] {
  return warnings.length > 0 ? [...warnings] : [noIndexMessage(stateDir)];
}

/**
 * No store at all to act on (an empty state dir, a misspelled --agent): what every command that
 * would act says before exiting 3, so a cron job or a monitor never reads it as "fine".
 */
export function nothingToActOn(what: "check" | "clean up" | "undo" | "keep alive", warnings: readonly string[], stateDir: string): string {
  return `nothing to ${what}: ${noStoreWhy(warnings, stateDir).join("; ")}`;
}
