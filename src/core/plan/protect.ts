// Which entries OpenClaw's own maintenance never prunes or caps, reproduced so our cleanup keeps
// the same ones (from upstream src/config/sessions/store-maintenance.ts,
// isProtectedSessionMaintenanceEntry): group, channel and thread conversations (by key or by
// chatType), except synthetic keys (subagent, acp, cron, hook, node, heartbeat sessions), which
// are machine-made and expendable even when spawned from a group.

import type { IndexEntry } from "../types.js";

/** The part after `agent:<id>:`, lowercased; the whole key when it is not an agent key. */
function keyRest(sessionKey: string): string {
  const lower = sessionKey.trim().toLowerCase();
  const m = /^agent:[^:]+:(.+)$/.exec(lower);
  return m ? m[1] : lower;
}

function isSyntheticKey(sessionKey: string): boolean {
  const lower = sessionKey.trim().toLowerCase();
  const rest = keyRest(sessionKey);
  return (
    rest.startsWith("subagent:") ||
    lower.includes(":subagent:") ||
    rest.startsWith("acp:") ||
    rest.startsWith("cron:") ||
    lower.includes(":cron:") ||
    rest.startsWith("hook:") ||
    rest.startsWith("node:") ||
    rest === "heartbeat" ||
    rest.endsWith(":heartbeat") ||
    rest.includes(":heartbeat:")
  );
}

/** Why OpenClaw protects this entry, or undefined when it does not. */
export function protectedBecause(sessionKey: string, entry: IndexEntry | undefined): string | undefined {
  if (isSyntheticKey(sessionKey)) return undefined;
  const rest = keyRest(sessionKey);
  if (/:thread:[^:]+/.test(rest)) return "thread session key";
  if (/^telegram:(?:group|channel|direct|dm):.+:topic:[^:]+$/.test(rest)) return "telegram topic session key";
  if (/^[^:]+:(?:group|channel):.+$/.test(rest)) return "group/channel session key";
  const origin = entry?.origin as { chatType?: unknown } | undefined;
  const chatType = String(entry?.chatType ?? origin?.chatType ?? "").toLowerCase();
  if (chatType === "group" || chatType === "channel" || chatType === "thread") return `chatType ${chatType}`;
  return undefined;
}

export function isProtectedEntry(sessionKey: string, entry: IndexEntry | undefined): boolean {
  return protectedBecause(sessionKey, entry) !== undefined;
}
