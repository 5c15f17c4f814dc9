// Pure builders for the exact line and file formats OpenClaw 2026.7.1 writes (checked against the
// captures in test/fixtures/real-openclaw). Key ORDER follows the real files too, because readers
// and writers of this project must keep key order when they rewrite. Every time is a parameter
// (epoch ms in); ISO strings appear only where OpenClaw writes ISO.

export const OPENCLAW_VERSION = "2026.7.1";
export const OPENCLAW_GIT_SHA = "2d2ddc4";

export type StopReason = "stop" | "length" | "toolUse" | "error" | "aborted";
export type RunEndStatus = "success" | "error" | "interrupted" | "cleanup";

/** Transcript entries form a chain: each names its parent (null for the first after the header). */
export interface EntryIds {
  id: string;
  parentId: string | null;
}

export interface Usage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface ToolCallBlock {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface AssistantOptions {
  text?: string;
  toolCalls?: ToolCallBlock[];
  stopReason: StopReason;
  model: string;
  provider: string;
  /** defaults to "openai-completions" */
  api?: string;
  usage?: Usage;
  responseId?: string;
  /** set with stopReason "error" / "aborted" */
  errorMessage?: string;
  /** message.timestamp (epoch ms): when the model call began; defaults to `at` */
  messageAt?: number;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

const line = (o: unknown): string => JSON.stringify(o) + "\n";

// ---------------------------------------------------------------- transcript (<sessionId>.jsonl)

export function transcriptHeader(sessionId: string, at: number, cwd: string): string {
  return line({ type: "session", version: 3, id: sessionId, timestamp: iso(at), cwd });
}

export function modelChange(at: number, ids: EntryIds, provider: string, modelId: string): string {
  return line({ type: "model_change", id: ids.id, parentId: ids.parentId, timestamp: iso(at), provider, modelId });
}

export function thinkingLevelChange(at: number, ids: EntryIds, thinkingLevel = "off"): string {
  return line({ type: "thinking_level_change", id: ids.id, parentId: ids.parentId, timestamp: iso(at), thinkingLevel });
}

export function customModelSnapshot(
  at: number,
  ids: EntryIds,
  model: { provider: string; modelId: string; modelApi?: string },
): string {
  return line({
    type: "custom",
    customType: "model-snapshot",
    data: { timestamp: at, provider: model.provider, modelApi: model.modelApi ?? "openai-completions", modelId: model.modelId },
    id: ids.id,
    parentId: ids.parentId,
    timestamp: iso(at),
  });
}

/** `sentAt` is message.timestamp (when the user sent it); `at` is when the entry was appended. */
export function userMessage(at: number, text: string, ids: EntryIds, sentAt: number = at): string {
  return line({
    type: "message",
    id: ids.id,
    parentId: ids.parentId,
    timestamp: iso(at),
    message: { role: "user", content: text, timestamp: sentAt },
  });
}

export function fullUsage(u: Usage = { input: 0, output: 0 }): Record<string, unknown> {
  const cacheRead = u.cacheRead ?? 0;
  const cacheWrite = u.cacheWrite ?? 0;
  return {
    input: u.input,
    output: u.output,
    cacheRead,
    cacheWrite,
    totalTokens: u.input + u.output + cacheRead + cacheWrite,
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
  };
}

export function assistantContent(opts: Pick<AssistantOptions, "text" | "toolCalls">): unknown[] {
  const content: unknown[] = [];
  if (opts.text !== undefined) content.push({ type: "text", text: opts.text });
  for (const c of opts.toolCalls ?? []) {
    content.push({ type: "toolCall", id: c.id, name: c.name, arguments: c.arguments, partialArgs: JSON.stringify(c.arguments) });
  }
  return content;
}

export function assistantMessageObject(opts: AssistantOptions, at: number): Record<string, unknown> {
  const msg: Record<string, unknown> = {
    role: "assistant",
    content: assistantContent(opts),
    api: opts.api ?? "openai-completions",
    provider: opts.provider,
    model: opts.model,
    usage: fullUsage(opts.usage),
    stopReason: opts.stopReason,
    timestamp: opts.messageAt ?? at,
  };
  if (opts.responseId !== undefined) msg.responseId = opts.responseId;
  if (opts.errorMessage !== undefined) msg.errorMessage = opts.errorMessage;
  return msg;
}

export function assistantMessage(at: number, opts: AssistantOptions, ids: EntryIds): string {
  return line({ type: "message", id: ids.id, parentId: ids.parentId, timestamp: iso(at), message: assistantMessageObject(opts, at) });
}

export function toolResult(
  at: number,
  toolCallId: string,
  toolName: string,
  text: string,
  isError: boolean,
  ids: EntryIds,
): string {
  return line({
    type: "message",
    id: ids.id,
    parentId: ids.parentId,
    timestamp: iso(at),
    message: {
      role: "toolResult",
      toolCallId,
      toolName,
      content: [{ type: "text", text }],
      isError,
      timestamp: at,
    },
  });
}

// ---------------------------------------------------------------- trajectory (*.trajectory.jsonl)

export interface TrajectoryContext {
  sessionId: string;
  sessionKey?: string;
  runId?: string;
  /** restarts at 1 for every run */
  seq: number;
  /** counts over the whole file; defaults to seq */
  sourceSeq?: number;
  workspaceDir?: string;
  provider?: string;
  modelId?: string;
  /** OpenClaw omits it on model.fallback_step; pass null to omit */
  modelApi?: string | null;
  data?: Record<string, unknown>;
}

export function trajectoryEventObject(type: string, at: number, c: TrajectoryContext): Record<string, unknown> {
  const o: Record<string, unknown> = {
    traceSchema: "openclaw-trajectory",
    schemaVersion: 1,
    traceId: c.sessionId,
    source: "runtime",
    type,
    ts: iso(at),
    seq: c.seq,
    sourceSeq: c.sourceSeq ?? c.seq,
    sessionId: c.sessionId,
  };
  if (c.sessionKey !== undefined) o.sessionKey = c.sessionKey;
  if (c.runId !== undefined) o.runId = c.runId;
  if (c.workspaceDir !== undefined) o.workspaceDir = c.workspaceDir;
  if (c.provider !== undefined) o.provider = c.provider;
  if (c.modelId !== undefined) o.modelId = c.modelId;
  if (c.modelApi !== null && (c.modelApi !== undefined || c.provider !== undefined)) o.modelApi = c.modelApi ?? "openai-completions";
  if (c.data !== undefined) o.data = c.data;
  return o;
}

export function trajectoryEvent(type: string, at: number, c: TrajectoryContext): string {
  return line(trajectoryEventObject(type, at, c));
}

export interface RunToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  startedAt: number;
  /** undefined: the tool never finished (no tool.result) */
  endedAt?: number;
  isError?: boolean;
  result?: string;
}

/** One run (one user turn, cron wake, heartbeat ...) as OpenClaw records it in the trajectory. */
export interface RunSpec {
  sessionId: string;
  sessionKey: string;
  runId: string;
  agentId: string;
  provider: string;
  modelId: string;
  modelApi?: string;
  workspaceDir: string;
  sessionFile: string;
  prompt: string;
  /** epoch ms of each phase */
  startedAt: number;
  promptAt: number;
  completedAt: number;
  endedAt: number;
  status: RunEndStatus;
  assistantTexts?: string[];
  toolCalls?: RunToolCall[];
  usage?: Usage;
  /** sourceSeq of the run's first event: 1 + number of lines already in the file */
  firstSourceSeq?: number;
  trigger?: "user" | "cron" | "heartbeat" | "subagent";
  messageChannel?: string;
  /** error runs: "non_deliverable_terminal_turn" as OpenClaw writes for model errors */
  terminalError?: string;
  transcriptLeafId?: string;
  timedOut?: boolean;
  aborted?: boolean;
  /** 2026.7.1: a run aborted from outside (chat.abort) */
  externalAbort?: boolean;
}

/** The OpenClaw versions the simulator writes: 2026.7.1 flushes a run's trajectory at its end, 2026.4.26 writes it live. */
export type SimVersion = "2026.7.1" | "2026.4.26";
export const SIM_VERSIONS: readonly SimVersion[] = ["2026.7.1", "2026.4.26"];

export type SimEnding = "success" | "error" | "timeout" | "user-abort";

/**
 * How each version ends a run in its trajectory (session.ended status and flags): 2026.7.1 never
 * writes `interrupted`; it ends aborted and timed-out runs `error` with `externalAbort` /
 * `timedOut` (real runs, docs/finalize-outcomes.md). 2026.4.26 (like 2026.9) writes `interrupted` for an abort.
 */
export function runEndAs(ending: SimEnding, version: SimVersion = "2026.7.1"): Pick<RunSpec, "status" | "aborted" | "externalAbort" | "timedOut"> {
  switch (ending) {
    case "success":
      return { status: "success" };
    case "error":
      return { status: "error" };
    case "timeout":
      return { status: "error", timedOut: true };
    case "user-abort":
      return version === "2026.7.1" ? { status: "error", aborted: true, externalAbort: true } : { status: "interrupted", aborted: true };
  }
}

function outcomeFlags(s: RunSpec): Record<string, unknown> {
  return {
    aborted: s.aborted ?? s.status === "interrupted",
    externalAbort: s.externalAbort ?? false,
    timedOut: s.timedOut ?? false,
    idleTimedOut: false,
    timedOutDuringCompaction: false,
    timedOutDuringToolExecution: false,
    timedOutByRunBudget: false,
  };
}

/** The trajectory context of event `seq` of run `s` (for events written one at a time, as 2026.4.26 does). */
export function runCtx(s: RunSpec, seq: number, data: Record<string, unknown>, modelApi?: string | null): TrajectoryContext {
  return {
    sessionId: s.sessionId,
    sessionKey: s.sessionKey,
    runId: s.runId,
    seq,
    sourceSeq: (s.firstSourceSeq ?? 1) + seq - 1,
    workspaceDir: s.workspaceDir,
    provider: s.provider,
    modelId: s.modelId,
    modelApi: modelApi === null ? null : (s.modelApi ?? "openai-completions"),
    data,
  };
}

function runUsage(s: RunSpec): Record<string, unknown> {
  const u = s.usage ?? { input: 50, output: 5 };
  return { input: u.input, output: u.output, total: u.input + u.output };
}

function promptCache(s: RunSpec): Record<string, unknown> {
  const u = s.usage ?? { input: 50, output: 5 };
  const ok = s.status === "success";
  return {
    lastCallUsage: {
      input: ok ? u.input : 0,
      output: ok ? u.output : 0,
      cacheRead: 0,
      cacheWrite: 0,
      total: ok ? u.input + u.output : 0,
    },
    lastCacheTouchAt: s.completedAt,
  };
}

function traceMetadata(s: RunSpec): Record<string, unknown> {
  return {
    capturedAt: iso(s.startedAt),
    harness: {
      type: "openclaw",
      name: "OpenClaw",
      version: OPENCLAW_VERSION,
      gitSha: OPENCLAW_GIT_SHA,
      os: { platform: "linux", arch: "x64", release: "6.8.0", label: "linux 6.8.0 (x64)" },
      runtime: { node: "v24.21.0" },
      invocation: ["/usr/local/bin/node", "/usr/lib/node_modules/.bin/openclaw", "gateway", "run"],
      entrypoint: "/usr/lib/node_modules/.bin/openclaw",
      workspaceDir: "$OPENCLAW_STATE_DIR/workspace",
      sessionFile: `$OPENCLAW_STATE_DIR/agents/${s.agentId}/sessions/${s.sessionId}.jsonl`,
    },
    model: { provider: s.provider, name: s.modelId, api: s.modelApi ?? "openai-completions", fastMode: false, thinkLevel: "off", reasoningLevel: "off" },
    config: { redacted: { agents: { defaults: { model: { primary: `${s.provider}/${s.modelId}` } } } }, runtime: { timeoutMs: 600000, trigger: s.trigger ?? "user", disableTools: false, toolResultFormat: "markdown" } },
    plugins: { source: "active-registry", importedRuntimePluginIds: ["memory-core"], entries: [] },
    skills: { snapshotVersion: s.startedAt, entries: [] },
    prompting: { skillsPrompt: "<redacted 1510 chars>", systemPromptReport: { source: "run", generatedAt: s.startedAt, sessionId: s.sessionId, sessionKey: s.sessionKey } },
    redaction: {
      config: { mode: "redactConfigObject", secretsMasked: true },
      payloads: { mode: "sanitizeDiagnosticPayload", credentialsRemoved: true, imageDataRedacted: true },
      harness: { mode: "diagnostic-support-redaction", programArgumentsRedacted: true, localPathsRedacted: true },
    },
    metadata: { sessionKey: s.sessionKey, agentId: s.agentId, messageProvider: s.messageChannel ?? "webchat", messageChannel: s.messageChannel ?? "webchat" },
  };
}

/** session.started .. prompt.submitted: what 2026.4.26 has written by the time the model is asked. */
export function runStartEvents(s: RunSpec): string[] {
  const channel = s.messageChannel ?? "webchat";
  // non-decreasing times even when the whole run fits in a millisecond or two
  const metadataAt = Math.min(s.startedAt + 1, s.promptAt);
  const compiledAt = Math.max(metadataAt, s.promptAt - 1);
  return [
    trajectoryEvent("session.started", s.startedAt, runCtx(s, 1, {
      trigger: s.trigger ?? "user",
      sessionFile: s.sessionFile,
      workspaceDir: s.workspaceDir,
      agentId: s.agentId,
      messageProvider: channel,
      messageChannel: channel,
      localModelLean: false,
      toolCount: 3,
      clientToolCount: 0,
    })),
    trajectoryEvent("trace.metadata", metadataAt, runCtx(s, 2, traceMetadata(s))),
    trajectoryEvent("context.compiled", compiledAt, runCtx(s, 3, {
      systemPrompt: "<redacted 9821 chars>",
      prompt: s.prompt,
      messages: [],
      tools: [{ name: "exec", description: "<redacted 446 chars>", parameters: { type: "object", required: ["command"] } }],
      imagesCount: 0,
      streamStrategy: `boundary-aware:${s.modelApi ?? "openai-completions"}`,
      transport: "auto",
      transcriptLeafId: s.transcriptLeafId ?? null,
    })),
    trajectoryEvent("prompt.submitted", s.promptAt, runCtx(s, 4, {
      prompt: s.prompt,
      systemPrompt: "<redacted 9821 chars>",
      messages: [],
      imagesCount: 0,
    })),
  ];
}

/** tool.call / tool.result lines of the run's tools (seq continues after prompt.submitted). */
export function runToolEvents(s: RunSpec, firstSeq = 5): string[] {
  const out: string[] = [];
  let seq = firstSeq;
  for (const t of s.toolCalls ?? []) {
    out.push(toolCallEvent(t.startedAt, runCtx(s, seq++, {}), t));
    if (t.endedAt !== undefined) out.push(toolResultEvent(t.endedAt, runCtx(s, seq++, {}), t));
  }
  return out;
}

/** model.completed, trace.artifacts, session.ended{status}. */
export function runEndEvents(s: RunSpec, firstSeq = 5): string[] {
  const ok = s.status === "success";
  const texts = s.assistantTexts ?? (ok ? ["OK."] : []);
  const flags = outcomeFlags(s);
  const terminalError = s.terminalError ?? (s.status === "error" ? "non_deliverable_terminal_turn" : undefined);
  const common: Record<string, unknown> = { ...flags, promptErrorSource: null };
  if (terminalError !== undefined) common.terminalError = terminalError;
  else common.usage = runUsage(s);
  const completed = {
    ...common,
    promptCache: promptCache(s),
    compactionCount: 0,
    assistantTexts: texts,
    finalPromptText: s.prompt,
    messagesSnapshot: [
      { role: "user", content: [{ type: "text", text: s.prompt }], timestamp: s.promptAt },
      ...(ok ? [{ role: "assistant", content: texts.map((text) => ({ type: "text", text })), stopReason: "stop", timestamp: s.completedAt }] : []),
    ],
  };
  const artifacts = {
    capturedAt: iso(s.endedAt),
    finalStatus: s.status,
    ...common,
    promptCache: promptCache(s),
    compactionCount: 0,
    assistantTexts: texts,
    finalPromptText: s.prompt,
    itemLifecycle: { startedCount: 0, completedCount: 0, activeCount: 0 },
    toolMetas: (s.toolCalls ?? []).map((t) => ({ toolName: t.name })),
    didSendViaMessagingTool: false,
    successfulCronAdds: 0,
    messagingToolSentTexts: [],
    messagingToolSentMediaUrls: [],
    messagingToolSentTargets: [],
  };
  const ended: Record<string, unknown> = { status: s.status, ...flags };
  if (terminalError !== undefined) ended.terminalError = terminalError;
  return [
    trajectoryEvent("model.completed", s.completedAt, runCtx(s, firstSeq, completed)),
    trajectoryEvent("trace.artifacts", s.endedAt, runCtx(s, firstSeq + 1, artifacts)),
    trajectoryEvent("session.ended", s.endedAt, runCtx(s, firstSeq + 2, ended)),
  ];
}

/** A whole run, as 2026.7.1 flushes it in one go when the run ends. */
export function runEvents(s: RunSpec): string[] {
  const start = runStartEvents(s);
  const tools = runToolEvents(s, start.length + 1);
  return [...start, ...tools, ...runEndEvents(s, start.length + tools.length + 1)];
}

/** Number of lines runEvents(s) yields, to advance the file's sourceSeq. */
export function runEventCount(s: RunSpec): number {
  const tools = (s.toolCalls ?? []).reduce((n, t) => n + (t.endedAt === undefined ? 1 : 2), 0);
  return 4 + tools + 3;
}

export function toolCallEvent(at: number, c: TrajectoryContext, call: { id: string; name: string; arguments?: Record<string, unknown> }): string {
  return trajectoryEvent("tool.call", at, { ...c, data: { toolCallId: call.id, name: call.name, arguments: call.arguments ?? {} } });
}

export function toolResultEvent(at: number, c: TrajectoryContext, call: { id: string; name: string; isError?: boolean; result?: string }): string {
  return trajectoryEvent("tool.result", at, {
    ...c,
    data: { toolCallId: call.id, name: call.name, isError: call.isError ?? false, result: call.result ?? "" },
  });
}

/** model.fallback_step, which 2026.7.1 writes AFTER session.ended(error) once the chain is exhausted. */
export function fallbackStepEvent(at: number, s: RunSpec, sourceSeq: number, detail: string): string {
  return trajectoryEvent("model.fallback_step", at, {
    ...runCtx(s, 1, {
      fallbackStepType: "fallback_step",
      fallbackStepFromModel: `${s.provider}/${s.modelId}`,
      fallbackStepFromFailureReason: "timeout",
      fallbackStepFromFailureDetail: detail,
      fallbackStepChainPosition: 1,
      fallbackStepFinalOutcome: "chain_exhausted",
    }, null),
    sourceSeq,
  });
}

// ---------------------------------------------------------------- small JSON files

/** `<sessionId>.trajectory-path.json` */
export function pointerFile(sessionId: string, runtimeFile: string): string {
  return JSON.stringify({ traceSchema: "openclaw-trajectory-pointer", schemaVersion: 1, sessionId, runtimeFile }, null, 2) + "\n";
}

/** `<transcript>.lock` body: 2-space JSON with a trailing newline; 2026.7.1 adds maxHoldMs. */
export function lockBody(pid: number, createdAt: number, starttime?: number, maxHoldMs?: number): string {
  const o: Record<string, unknown> = { pid, createdAt: iso(createdAt) };
  if (maxHoldMs !== undefined) o.maxHoldMs = maxHoldMs;
  if (starttime !== undefined) o.starttime = starttime;
  return JSON.stringify(o, null, 2) + "\n";
}

/** Gateway singleton lock body: compact JSON, no newline (as captured). */
export function gatewayLockBody(pid: number, createdAt: number, configPath: string, port?: number, startTime?: number): string {
  const o: Record<string, unknown> = { pid, createdAt: iso(createdAt), configPath };
  if (port !== undefined) o.port = port;
  if (startTime !== undefined) o.startTime = startTime;
  return JSON.stringify(o);
}

/** The index file text: 2-space indent, no trailing newline. */
export function indexText(index: Record<string, unknown>): string {
  return JSON.stringify(index, null, 2);
}

// ---------------------------------------------------------------- sessions.json entries

export interface IndexEntrySpec {
  sessionId: string;
  updatedAt: number;
  sessionStartedAt: number;
  lastInteractionAt: number;
  /** absolute transcript path; omitted when undefined */
  sessionFile?: string;
  /** undefined: an embedded (`--local`) run, which never writes status/startedAt */
  status?: "running" | "done" | "failed" | "killed" | "timeout";
  startedAt?: number;
  endedAt?: number;
  /** defaults to endedAt - startedAt when both are known and status is terminal */
  runtimeMs?: number | null;
  abortedLastRun?: boolean;
  model?: string;
  modelProvider?: string;
  lastActivityAt?: number;
  chatType?: string;
  label?: string;
  displayName?: string;
  spawnedBy?: string;
  parentSessionKey?: string;
  /** adds the heavy unknown fields (skillsSnapshot, systemPromptReport ...) real entries carry */
  rich?: boolean;
  /** extra fields appended last */
  extra?: Record<string, unknown>;
}

/** An index entry with the real key order: lifecycle patch fields (endedAt, runtimeMs) go last. */
export function indexEntry(e: IndexEntrySpec): Record<string, unknown> {
  const o: Record<string, unknown> = {
    sessionId: e.sessionId,
    updatedAt: e.updatedAt,
    sessionStartedAt: e.sessionStartedAt,
    lastInteractionAt: e.lastInteractionAt,
  };
  if (e.rich !== false) {
    o.skillsSnapshot = {
      skills: [{ name: "browser-automation" }, { name: "canvas" }, { name: "healthcheck" }],
      version: e.sessionStartedAt - 6000,
      promptFormatVersion: 1,
      promptRef: { version: 1, algorithm: "sha256", hash: "0c85f5437304d3d7268d6e9faf2b317e6fa8d734de47f6e35b7538b4f2d155d2", bytes: 1510 },
    };
  }
  if (e.sessionFile !== undefined) o.sessionFile = e.sessionFile;
  if (e.status !== undefined) o.status = e.status;
  if (e.startedAt !== undefined) o.startedAt = e.startedAt;
  if (e.status !== undefined || e.abortedLastRun !== undefined) o.abortedLastRun = e.abortedLastRun ?? false;
  if (e.chatType !== undefined) o.chatType = e.chatType;
  if (e.spawnedBy !== undefined) o.spawnedBy = e.spawnedBy;
  if (e.parentSessionKey !== undefined) o.parentSessionKey = e.parentSessionKey;
  if (e.label !== undefined) o.label = e.label;
  if (e.displayName !== undefined) o.displayName = e.displayName;
  if (e.model !== undefined) o.model = e.model;
  if (e.modelProvider !== undefined) o.modelProvider = e.modelProvider;
  if (e.model !== undefined) {
    o.lastActivityAt = e.lastActivityAt ?? e.lastInteractionAt;
    o.contextTokens = 32000;
    o.agentHarnessId = "openclaw";
    if (e.rich !== false) {
      o.contextBudgetStatus = {
        schemaVersion: 1,
        source: "pre-prompt-estimate",
        updatedAt: e.lastInteractionAt,
        provider: e.modelProvider,
        model: e.model,
        route: "fits",
        shouldCompact: false,
        estimatedPromptTokens: 3003,
        contextTokenBudget: 32000,
        sessionId: e.sessionId,
      };
      o.inputTokens = 50;
      o.outputTokens = 5;
      o.totalTokens = 55;
      o.totalTokensFresh = true;
      o.cacheRead = 0;
      o.cacheWrite = 0;
      o.estimatedCostUsd = 0;
    }
  }
  if (e.extra) Object.assign(o, e.extra);
  if (e.endedAt !== undefined) {
    o.endedAt = e.endedAt;
    const runtime = e.runtimeMs === undefined ? (e.startedAt !== undefined ? e.endedAt - e.startedAt : undefined) : e.runtimeMs;
    if (runtime !== null && runtime !== undefined) o.runtimeMs = runtime;
  }
  return o;
}

/** The gateway's own terminal patch on run end (as OpenClaw 2026.7.1 writes it: test/fixtures/real-openclaw/s3-tool-killed). */
export function terminalPatch(
  entry: Record<string, unknown>,
  status: "done" | "failed" | "killed" | "timeout",
  endedAt: number,
): Record<string, unknown> {
  const startedAt = typeof entry.startedAt === "number" ? entry.startedAt : endedAt;
  return { ...entry, status, abortedLastRun: status === "killed", updatedAt: endedAt, endedAt, runtimeMs: endedAt - startedAt };
}

// ---------------------------------------------------------------- session keys

export const sessionKeys = {
  main: (agentId: string): string => `agent:${agentId}:main`,
  named: (agentId: string, name: string): string => `agent:${agentId}:${name}`,
  cronRun: (agentId: string, job: string, runUuid: string): string => `agent:${agentId}:cron:${job}:run:${runUuid}`,
  subagent: (agentId: string, uuid: string): string => `agent:${agentId}:subagent:${uuid}`,
  group: (agentId: string, channel: string, groupId: string): string => `agent:${agentId}:${channel}:group:${groupId}`,
  channel: (agentId: string, channel: string, channelId: string): string => `agent:${agentId}:${channel}:channel:${channelId}`,
  hook: (uuid: string): string => `hook:${uuid}`,
  heartbeat: (agentId: string): string => `agent:${agentId}:main:heartbeat`,
};
