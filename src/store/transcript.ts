// Reads what the newest transcript entries say: who spoke last, and which tool calls of the
// newest assistant message no toolResult has answered yet (a tool is running, since then).
// OpenClaw appends a message when it is complete, so an unanswered toolCall is a live tool or
// a dead run: the lock and the gateway tell which.
import type { ToolCallRef, TranscriptTail } from "../core/types.js";
import { openTailSync, tailJsonSync, type TailOptions } from "./tail.js";

type Role = NonNullable<TranscriptTail["lastRole"]>;
const ROLES: readonly string[] = ["user", "assistant", "toolResult"];

function isoMs(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}

function epochMs(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Reads the tail of a transcript; undefined when the file does not exist. */
export async function readTranscriptTail(filePath: string, opts: TailOptions = {}): Promise<TranscriptTail | undefined> {
  return readTranscriptTailSync(filePath, opts);
}

/** readTranscriptTail without the promise: a few small page-cached reads (see tail.ts). */
export function readTranscriptTailSync(filePath: string, opts: TailOptions = {}): TranscriptTail | undefined {
  const file = openTailSync(filePath, opts);
  if (!file) return undefined;
  const tail: TranscriptTail = { path: filePath, size: file.size, mtimeMs: file.mtimeMs, openToolCalls: [] };
  try {
    summarizeTranscript(tailJsonSync(file), tail);
    const cut = file.cutAtCap();
    // nothing found because the reader stopped inside a line too long to read, not an empty transcript
    if (cut && tail.lastRole === undefined) tail.cutAtCap = cut;
  } finally {
    file.closeSync();
  }
  tail.size = file.size;
  return tail;
}

/**
 * Fills `tail` from transcript entries, newest first, stopping at the newest assistant message.
 * Shared by the JSONL reader and the era C reader (whose rows are the same lines).
 */
export function summarizeTranscript(newestFirst: Iterable<Record<string, unknown>>, tail: TranscriptTail): TranscriptTail {
  const answered = new Set<string>();
  let modelSeen = false;
  for (const entry of newestFirst) {
    const at = isoMs(entry.timestamp);
    tail.lastEntryAt ??= at;
    if (entry.type === "model_change" && !modelSeen && typeof entry.modelId === "string") {
      tail.model = entry.modelId;
      modelSeen = true;
    }
    if (entry.type !== "message") continue;
    const msg = record(entry.message);
    if (!msg || typeof msg.role !== "string" || !ROLES.includes(msg.role)) continue;
    const msgAt = epochMs(msg.timestamp) ?? at;
    if (tail.lastRole === undefined) {
      tail.lastRole = msg.role as Role;
      tail.lastMessageAt = msgAt;
    }
    if (msg.role === "toolResult" && typeof msg.toolCallId === "string") answered.add(msg.toolCallId);
    if (msg.role !== "assistant") continue;
    // The newest assistant message decides; older ones are history.
    tail.lastStopReason = typeof msg.stopReason === "string" ? msg.stopReason : undefined;
    if (!modelSeen && typeof msg.model === "string") tail.model = msg.model;
    tail.openToolCalls = unansweredCalls(msg.content, answered, msgAt ?? 0);
    break;
  }
  return tail;
}

function unansweredCalls(content: unknown, answered: Set<string>, since: number): ToolCallRef[] {
  if (!Array.isArray(content)) return [];
  const out: ToolCallRef[] = [];
  for (const block of content) {
    const b = record(block);
    if (b?.type !== "toolCall" || typeof b.id !== "string" || answered.has(b.id)) continue;
    out.push({ id: b.id, name: typeof b.name === "string" ? b.name : "tool", since });
  }
  return out;
}
