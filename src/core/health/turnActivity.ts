// What the session's latest turn is doing, from the trajectory's current run and the transcript
// tail: ended, running a tool, or waiting for the model. Which process (if any) can still move
// it forward is judged separately (liveness.ts).

import type { Evidence, ToolCallRef, TranscriptTail, TrajectoryRun } from "../types.js";
import type { CurrentRun, RunEnd } from "./currentRun.js";
import { ago, formatBytes, latest } from "./format.js";
import type { Claim } from "./runInProgress.js";

export interface Activity {
  state: "awaiting_model" | "tool_exec" | "complete";
  /** when this state began: the prompt, the oldest open tool call, the turn's end */
  since?: number;
  toolName?: string;
  /** how a complete turn ended: a session.ended status, else the reply's stopReason */
  outcome?: string;
  /** the session.ended that ended it (undefined when only a final reply did) */
  end?: RunEnd;
  reasons: string[];
}

export interface ToolInFlight {
  name: string;
  since: number;
  open: number;
  /** where the oldest open call was seen */
  source: "trajectory" | "transcript";
}

/**
 * The oldest tool call nobody answered. Transcript calls count only while the transcript does not
 * end with a user message (a newer turn began) and, for a running row, only from this run on.
 */
export function toolInFlight(
  run: TrajectoryRun | undefined,
  transcript: TranscriptTail | undefined,
  notBefore: number | undefined,
): ToolInFlight | undefined {
  const fromTranscript = transcript && transcript.lastRole !== "user" ? transcript.openToolCalls : [];
  const calls = new Map<string, ToolCallRef & { source: ToolInFlight["source"] }>();
  for (const call of run?.openToolCalls ?? []) calls.set(call.id, { ...call, source: "trajectory" });
  for (const call of fromTranscript) {
    if (calls.has(call.id) || (notBefore !== undefined && call.since < notBefore)) continue;
    calls.set(call.id, { ...call, source: "transcript" });
  }
  const open = [...calls.values()].sort((a, b) => a.since - b.since);
  if (open.length === 0) return undefined;
  return { name: open[0].name, since: open[0].since, open: open.length, source: open[0].source };
}

/** The model's last word in the transcript, if it closes a turn of this run (not a toolUse). */
export function finalReply(transcript: TranscriptTail | undefined, notBefore: number | undefined) {
  if (!transcript || transcript.lastRole !== "assistant") return undefined;
  if (transcript.lastStopReason === "toolUse" || transcript.openToolCalls.length > 0) return undefined;
  const at = transcript.lastMessageAt;
  if (at === undefined || (notBefore !== undefined && at < notBefore)) return undefined;
  return { outcome: transcript.lastStopReason ?? "reply", at };
}

export function transcriptReason(ev: Evidence, notBefore: number | undefined, now: number): string {
  const t = ev.transcript;
  if (!t) return ev.transcriptProblem ? ev.transcriptProblem : `transcript not found${ev.transcriptPath ? ` (${ev.transcriptPath})` : ""}`;
  const at = t.lastMessageAt;
  if (!t.lastRole || at === undefined) return t.cutAtCap ? cutReason(t.cutAtCap) : "transcript holds no message yet";
  const when = ago(now, at);
  if (t.lastRole === "user") return `transcript ends with a user message ${when}`;
  if (t.lastRole === "toolResult") return `transcript ends with a tool result ${when}`;
  const earlier = notBefore !== undefined && at < notBefore ? ", from before this run started" : "";
  if (t.openToolCalls.length > 0) {
    const names = [...new Set(t.openToolCalls.map((c) => c.name))].join(", ");
    return `transcript ends with an unanswered tool call (${names}) ${when}${earlier}`;
  }
  return `transcript ends with the model's reply (${t.lastStopReason ?? "no stopReason"}) ${when}${earlier}`;
}

function cutReason(cut: { bytes: number; lastLine: boolean }): string {
  const cap = formatBytes(cut.bytes);
  return cut.lastLine
    ? `transcript's last line is longer than the ${cap} read from its end: its message was not read`
    : `no message in the last ${cap} of the transcript (it reaches into a line longer than that): older messages were not read`;
}

/**
 * `holderAlive`: a live process still holds the run. Then a reply in the transcript does not end
 * the turn yet: a retry after an error, or compaction asking the model again, may follow. Only
 * session.ended (or nobody left to continue) ends it.
 */
export function turnActivity(
  ev: Evidence,
  current: CurrentRun,
  claim: Claim | undefined,
  holderAlive: boolean,
  now: number,
): Activity {
  const t = ev.transcript;
  const notBefore = claim?.indexStartedAt;
  const reasons = [transcriptReason(ev, notBefore, now)];

  // A user message newer than the recorded end is a turn the trajectory has not recorded yet.
  const newerPrompt = current.end && t?.lastRole === "user" && (t.lastMessageAt ?? -Infinity) > current.end.at;
  if (current.end && !newerPrompt) {
    return { state: "complete", since: current.end.at, outcome: current.end.status, end: current.end, reasons };
  }
  const openRun = current.end ? undefined : current.run;
  const tool = toolInFlight(openRun, t, notBefore);
  if (tool) {
    const more = tool.open > 1 ? ` (+${tool.open - 1} more open)` : "";
    if (tool.source === "trajectory" || more) reasons.push(`tool ${tool.name} called ${ago(now, tool.since)}, no result yet${more}`);
    return { state: "tool_exec", since: tool.since, toolName: tool.name, reasons };
  }
  const reply = newerPrompt ? undefined : finalReply(t, notBefore);
  if (reply && !holderAlive) return { state: "complete", since: reply.at, outcome: reply.outcome, reasons };
  if (reply) {
    reasons.push("the run has not ended since that reply: the model may be asked again");
    return { state: "awaiting_model", since: reply.at, reasons };
  }

  const prompt = openRun?.promptSubmittedAt;
  const completed = openRun?.modelCompletedAt;
  const answered = prompt !== undefined && completed !== undefined && completed >= prompt;
  if (prompt !== undefined && !answered) reasons.push(`prompt submitted ${ago(now, prompt)}, no model.completed yet`);
  if (answered) reasons.push(`model.completed ${ago(now, completed)}, but the run has not ended`);
  if (!t && claim) reasons.push("a new session's transcript is only created with its first reply");
  const toModel = t?.lastRole === "user" || t?.lastRole === "toolResult" ? t.lastMessageAt : undefined;
  return { state: "awaiting_model", since: latest(answered ? completed : prompt, toModel, claim?.anchor, ownTaskStart(ev, claim)), reasons };
}

/**
 * Era C: when the run the row names (lifecycleRunId) has its own task, that task's start. A turn
 * restart recovery resumes keeps the interrupted run's startedAt and transcript tail (2026.9.6)
 * until the resumed run writes: without this a turn dispatched a moment ago from a long queue
 * read as waiting on the model since before the kill, i.e. stalled.
 */
function ownTaskStart(ev: Evidence, claim: Claim | undefined): number | undefined {
  const task = ev.task;
  if (claim?.by !== "index" || !task || task.runId !== ev.entry.lifecycleRunId) return undefined;
  return task.startedAt;
}
