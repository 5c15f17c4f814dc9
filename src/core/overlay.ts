// The gateway overlay: what OpenClaw's own gateway WebSocket says a session is doing right now,
// reduced from its events, and how that refines a heartbeat derived from the files or the DB.
// The files/DB verdict stays the baseline: the overlay only sharpens a run the gateway itself is
// running (streaming, the tool's name, the model) and confirms liveness; it never invents a run
// and never hides one the gateway cannot see (`openclaw agent --local`, the CLI's embedded
// fallback). Pure: the client (src/gateway) feeds it frames and receive times.
//
// Signals (docs/gateway-overlay.md):
// - agent `lifecycle` start -> awaiting_model; end / error -> the turn is over. `finishing`
//   changes nothing. 9.6 `model` carries the model in use; it fires as each model call starts
//   (also after a tool) and with `model: null` before the end, so it is NOT "awaiting the model".
//   Real frames of both versions: docs/gateway-overlay.md, test/fixtures/gateway-frames.
// - agent `assistant` (a delta) -> streaming, lastTokenAt.
// - agent `item` with kind tool (older builds: stream `tool`) start -> tool_exec with its name;
//   end / result -> awaiting_model until the next delta.
// - `chat` events are not used: a chat delta can arrive after lifecycle end.
// - tool_wait: never. No approval wait reaches a read-only operator on 7.1 (an `item start`,
//   then silence), and 9.6's `execution` stream is in its code but was never seen live.
// - sessions.list rows: hasActiveRun (the gateway's live run registry) confirms liveness; a row
//   with no active run ends a turn whose end event was missed (a gap, a reconnect).

import { stalledCheck } from "./health/stalledCheck.js";
import type { Heartbeat, Health, Thresholds } from "./types.js";

/** The in-progress phases the gateway shows. */
export type LiveState = "awaiting_model" | "streaming" | "tool_exec";

export interface LiveFacts {
  sessionKey: string;
  /** from sessions.list: a heartbeat of another sessionId (a reset) is not refined */
  sessionId?: string;
  runId?: string;
  /** undefined: no run of this session seen in progress */
  state?: LiveState;
  /** when `state` began (epoch ms) */
  since?: number;
  runStartedAt?: number;
  toolName?: string;
  toolCallId?: string;
  model?: string;
  lastTokenAt?: number;
  lastEventAt?: number;
  /** the gateway's run registry (sessions.list `hasActiveRun`); undefined = not listed yet */
  hasActiveRun?: boolean;
  /** the last turn's end as the gateway reported it */
  ended?: { runId?: string; at: number; how: "end" | "error" | "listed idle" };
}

export type OverlayState = Readonly<Record<string, LiveFacts>>;

export const EMPTY_OVERLAY: OverlayState = Object.freeze({});

/** What the client hands the reducer: an event frame's payload, or a sessions.list result. */
export type OverlayInput =
  | { kind: "agent"; payload: unknown; receivedAt: number }
  | { kind: "sessions.changed"; payload: unknown; receivedAt: number }
  | { kind: "list"; rows: unknown; receivedAt: number };

export function reduceOverlay(state: OverlayState, input: OverlayInput): OverlayState {
  switch (input.kind) {
    case "agent":
      return reduceAgent(state, input.payload, input.receivedAt);
    case "sessions.changed":
      return reduceChanged(state, input.payload);
    case "list":
      return reduceList(state, input.rows, input.receivedAt);
  }
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function ms(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined;
}

function put(state: OverlayState, facts: LiveFacts): OverlayState {
  return { ...state, [facts.sessionKey]: facts };
}

/** A move into `next` at `at`; `since` only restarts when the phase (or the tool) changes. */
function enter(f: LiveFacts, next: LiveState, at: number, tool?: { name?: string; id?: string }): LiveFacts {
  const same = f.state === next && (next !== "tool_exec" || f.toolCallId === tool?.id);
  return {
    ...f,
    state: next,
    since: same ? f.since : at,
    toolName: next === "tool_exec" ? tool?.name : undefined,
    toolCallId: next === "tool_exec" ? tool?.id : undefined,
  };
}

function reduceAgent(state: OverlayState, payload: unknown, receivedAt: number): OverlayState {
  const p = rec(payload);
  const sessionKey = str(p?.sessionKey);
  if (!p || !sessionKey) return state;
  const data = rec(p.data) ?? {};
  const stream = str(p.stream);
  const runId = str(p.runId);
  const at = ms(p.ts) ?? receivedAt;
  const prev: LiveFacts = state[sessionKey] ?? { sessionKey };
  // late frames of a run already ended (and events of no run) never reopen it
  if (runId !== undefined && prev.ended?.runId === runId && prev.state === undefined) return state;
  let f: LiveFacts = { ...prev, lastEventAt: Math.max(prev.lastEventAt ?? 0, at) };
  const phase = str(data.phase);

  if (stream === "lifecycle") {
    if (phase === "start") {
      f = enter({ ...f, runId, runStartedAt: at, ended: undefined, hasActiveRun: true }, "awaiting_model", at);
      f.since = at;
      const model = str(data.model);
      if (model) f.model = model;
      return put(state, f);
    }
    if (phase === "end" || phase === "error") {
      return put(state, { ...f, state: undefined, since: undefined, toolName: undefined, toolCallId: undefined, hasActiveRun: false, ended: { runId: runId ?? f.runId, at, how: phase } });
    }
    if (phase === "model") {
      const model = str(data.model);
      return put(state, model ? { ...f, model } : f);
    }
    return put(state, f);
  }

  // a run seen mid-way (we connected after its start) is in progress from its first event
  if (f.state === undefined) f = { ...f, runId, hasActiveRun: true, ended: undefined };

  if (stream === "assistant") {
    return put(state, { ...enter(f, "streaming", at), lastTokenAt: at });
  }
  const tool = toolEvent(stream, data);
  if (tool?.phase === "start") return put(state, enter(f, "tool_exec", at, tool));
  if (tool?.phase === "end") {
    // another tool's end (parallel calls) leaves the open one running
    if (f.state === "tool_exec" && tool.id !== undefined && f.toolCallId !== undefined && tool.id !== f.toolCallId) return put(state, f);
    return put(state, enter(f, "awaiting_model", at));
  }
  return put(state, f);
}

interface ToolEvent {
  phase: "start" | "end" | "other";
  name?: string;
  id?: string;
}

/** `item` with kind tool (7.1, 9.6), or the older `tool` stream (start / update / result). */
function toolEvent(stream: string | undefined, data: Record<string, unknown>): ToolEvent | undefined {
  if (stream === "item") {
    const kind = str(data.kind);
    if (kind !== undefined && kind !== "tool") return undefined;
  } else if (stream !== "tool") {
    return undefined;
  }
  const phase = str(data.phase);
  const name = str(data.name) ?? str(data.toolName);
  const id = str(data.toolCallId) ?? str(data.id);
  if (phase === "start") return { phase: "start", name, id };
  if (phase === "end" || phase === "result" || phase === "error") return { phase: "end", name, id };
  return { phase: "other", name, id };
}

function reduceChanged(state: OverlayState, payload: unknown): OverlayState {
  const p = rec(payload);
  const key = str(p?.key) ?? str(p?.sessionKey);
  const reason = str(p?.reason);
  // an evicted session's live facts belong to the old sessionId
  if (key && (reason === "reset" || reason === "new" || reason === "delete")) {
    const { [key]: _gone, ...rest } = state;
    return rest;
  }
  return state;
}

function reduceList(state: OverlayState, rows: unknown, receivedAt: number): OverlayState {
  if (!Array.isArray(rows)) return state;
  let next: OverlayState = state;
  for (const raw of rows) {
    const row = rec(raw);
    const key = str(row?.key);
    if (!row || !key) continue;
    const prev: LiveFacts = next[key] ?? { sessionKey: key };
    const sessionId = str(row.sessionId);
    // a new sessionId under the same key: the old facts are another session's
    let f: LiveFacts = prev.sessionId !== undefined && sessionId !== undefined && prev.sessionId !== sessionId ? { sessionKey: key } : { ...prev };
    f.sessionId = sessionId ?? f.sessionId;
    const active = activeRun(row);
    if (active !== undefined) f.hasActiveRun = active;
    const model = str(row.model);
    if (model && f.model === undefined) f.model = model;
    // the registry says idle: a turn we believed running ended while we were not listening
    if (active === false && f.state !== undefined) {
      f = { ...f, state: undefined, since: undefined, toolName: undefined, toolCallId: undefined, ended: { runId: f.runId, at: receivedAt, how: "listed idle" } };
    }
    next = put(next, f);
  }
  return next;
}

function activeRun(row: Record<string, unknown>): boolean | undefined {
  if (typeof row.hasActiveRun === "boolean") return row.hasActiveRun;
  if (Array.isArray(row.activeRunIds)) return row.activeRunIds.length > 0;
  return undefined;
}

/** sessions.list result shapes: 9.6 subscribe `{subscribed, list}`, or a list `{sessions}` / an array. */
export function listRows(result: unknown): unknown[] | undefined {
  if (Array.isArray(result)) return result;
  const r = rec(result);
  if (!r) return undefined;
  if (Array.isArray(r.sessions)) return r.sessions;
  if (r.list !== undefined) return listRows(r.list);
  if (Array.isArray(r.rows)) return r.rows;
  return undefined;
}

/**
 * The heartbeat refined by what the gateway knows. Unchanged (and still `files`/`db`) when the
 * gateway knows nothing of this session, or knows another sessionId under its key.
 */
export function refineHeartbeat(hb: Heartbeat, facts: LiveFacts | undefined, now: number, th: Thresholds): Heartbeat {
  if (!facts) return hb;
  if (facts.sessionId !== undefined && hb.sessionId && facts.sessionId !== hb.sessionId) return hb;
  const model = facts.model ?? hb.model;
  const modelSource = facts.model ? "run" : hb.modelSource;
  const lastTokenAt = max(hb.lastTokenAt, facts.lastTokenAt);
  const lastActivityAt = max(hb.lastActivityAt, facts.lastEventAt);

  if (facts.state !== undefined) {
    const stall = stalledCheck(facts.state, facts.since, facts.toolName, now, th);
    const health: Health = stall.stalled ? "stalled" : facts.state === "awaiting_model" ? "waiting" : "active";
    return {
      ...hb,
      state: facts.state,
      health,
      toolName: facts.state === "tool_exec" ? facts.toolName : undefined,
      turnId: facts.runId ?? hb.turnId,
      model,
      modelSource,
      startedAt: facts.runStartedAt ?? hb.startedAt,
      lastActivityAt,
      lastTokenAt,
      outcome: undefined,
      outcomeReason: undefined,
      reasons: [...hb.reasons, `gateway: ${liveWhat(facts)} (run ${facts.runId ?? "unnamed"})`, `gateway: ${stall.reason}`],
      source: "gateway",
    };
  }

  const inProgress = hb.state !== "idle" && hb.state !== "complete";
  // the gateway ended this turn; the files may say so only later (7.1 persists errors after 15 s)
  if (facts.ended && inProgress && facts.ended.how !== "listed idle" && (hb.startedAt === undefined || facts.ended.at >= hb.startedAt)) {
    return {
      ...hb,
      state: "complete",
      health: "idle",
      toolName: undefined,
      model,
      modelSource,
      lastActivityAt,
      lastTokenAt,
      reasons: [...hb.reasons, `gateway: the run ended (lifecycle ${facts.ended.how})`],
      source: "gateway",
    };
  }
  // the run registry confirms what the files could not: someone is running it
  // (a stall measured from the files stays a stall: the registry says alive, not moving)
  if (facts.hasActiveRun && inProgress && hb.health === "unresponsive") {
    return {
      ...hb,
      health: hb.state === "tool_exec" ? "active" : "waiting",
      model,
      modelSource,
      lastActivityAt,
      lastTokenAt,
      reasons: [...hb.reasons, "gateway: its run registry has an active run for this session (alive)"],
      source: "gateway",
    };
  }
  return hb;
}

function liveWhat(f: LiveFacts): string {
  switch (f.state) {
    case "streaming":
      return "the model is streaming its answer";
    case "tool_exec":
      return `tool ${f.toolName ?? "(unnamed)"} running`;
    default:
      return "waiting for the model";
  }
}

function max(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
