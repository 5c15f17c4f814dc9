// The shared vocabulary between src/store (which gathers evidence from files) and src/core
// (which decides from it). Everything here is plain data: no I/O, no classes.

export type SessionState = "idle" | "awaiting_model" | "streaming" | "tool_exec" | "tool_wait" | "complete";
export type Health = "active" | "waiting" | "idle" | "stalled" | "unresponsive";

/** The five values OpenClaw itself writes into `status`. Nothing else is ever written. */
export type StoreStatus = "running" | "done" | "failed" | "killed" | "timeout";
export const STORE_STATUSES: readonly StoreStatus[] = ["running", "done", "failed", "killed", "timeout"];
export const TERMINAL_STATUSES: readonly StoreStatus[] = ["done", "failed", "killed", "timeout"];

/** A: JSON + sessions.json.lock protocol (<= 2026.4), B: JSON without a shared lock (2026.5-7), C: SQLite (2026.8+). */
/**
 * A: OpenClaw <= 2026.4 (takes sessions.json.lock); B: 2026.5-2026.7; C: 2026.8+ SQLite.
 * "AB": a JSON store whose files show no version (no lock right now, no config version stamp):
 * A or B, and we do not claim which.
 */
export type Era = "A" | "B" | "AB" | "C";

/** One `sessions.json` entry. Unknown fields are preserved by every reader and writer. */
export interface IndexEntry {
  sessionId: string;
  updatedAt: number;
  status?: string;
  startedAt?: number;
  endedAt?: number;
  runtimeMs?: number;
  abortedLastRun?: boolean;
  lastInteractionAt?: number;
  sessionStartedAt?: number;
  model?: string;
  modelProvider?: string;
  /** the model a user picked for this session's next runs (`/model`, sessions.patch) */
  modelOverride?: string;
  chatType?: string;
  label?: string;
  displayName?: string;
  sessionFile?: string;
  spawnedBy?: string;
  parentSessionKey?: string;
  [field: string]: unknown;
}

export interface ToolCallRef {
  id: string;
  name: string;
  /** epoch ms the call was issued */
  since: number;
}

/** What the tail of a trajectory sidecar says about the LAST run in it (grouped by runId). */
export interface TrajectoryRun {
  runId?: string;
  /** ts of the run's first event seen in the tail */
  firstEventAt?: number;
  /** ts of the run's last event (any type) */
  lastEventAt?: number;
  /** last prompt.submitted of the run */
  promptSubmittedAt?: number;
  /** last model.completed of the run (after or before the last prompt: compare the two) */
  modelCompletedAt?: number;
  /** the run's last session.ended, if any (model.fallback_step may follow it) */
  ended?: RunEndRecord;
  /** tool.call events without a matching tool.result / tool.timeout */
  openToolCalls: ToolCallRef[];
  modelId?: string;
  provider?: string;
}

/**
 * A session.ended as written, with the flags that tell an error apart: 2026.7.1 ends aborted and
 * timed-out runs with status `error` plus `externalAbort` / `timedOut`, and a model failure the
 * fallback chain classed as a timeout (HTTP 500 among them) with a `model.fallback_step` after
 * the end whose `fallbackStepFromFailureReason` is `timeout`.
 */
export interface RunEndRecord {
  status: string;
  at: number;
  aborted?: boolean;
  externalAbort?: boolean;
  timedOut?: boolean;
  idleTimedOut?: boolean;
  timedOutByRunBudget?: boolean;
  /** `fallbackStepFromFailureReason` of a model.fallback_step written at or after the end */
  failoverReason?: string;
}

export interface TrajectoryTail {
  path: string;
  size: number;
  mtimeMs: number;
  /** the last run found in the tail; undefined when the file holds no parseable event */
  run?: TrajectoryRun;
  /** ts of the last parseable event in the file, any run */
  lastEventAt?: number;
  /** a trace.truncated line was seen in the tail */
  truncated: boolean;
}

export interface TranscriptTail {
  path: string;
  size: number;
  mtimeMs: number;
  /** role of the newest `message` entry */
  lastRole?: "user" | "assistant" | "toolResult";
  /** epoch ms of the newest message (message.timestamp, else the entry's ISO timestamp) */
  lastMessageAt?: number;
  /** stopReason of the newest assistant message */
  lastStopReason?: string;
  /** toolCall blocks of the newest assistant turn that no later toolResult answers */
  openToolCalls: ToolCallRef[];
  /** epoch ms of the newest entry of any type */
  lastEntryAt?: number;
  /** model of the newest assistant message or model_change */
  model?: string;
  /**
   * No message was found because the tail reader stopped at its byte cap inside a line too long
   * to read whole: how many bytes it read, and whether that line is the file's newest.
   */
  cutAtCap?: { bytes: number; lastLine: boolean };
}

/** Who holds a lock file. `unknown` = empty or unparseable body (OpenClaw treats a fresh one as held). */
export type OwnerState = "alive" | "dead" | "reused" | "unknown";

export interface LockInfo {
  path: string;
  pid?: number;
  /** epoch ms from the body's createdAt */
  createdAt?: number;
  starttime?: number;
  /** 2026.7+: how long the holder means to keep it (the gateway's own stale bound) */
  maxHoldMs?: number;
  mtimeMs: number;
  owner: OwnerState;
}

export interface GatewayInfo {
  /** the singleton lock file, when found */
  lockPath?: string;
  pid?: number;
  /** epoch ms the gateway started (lock createdAt) */
  startedAt?: number;
  /** lock owner alive (and not a reused pid) */
  alive: boolean;
  port?: number;
  /** /healthz answer; "skipped" with --no-probe or when there is no port */
  probe: "ok" | "failed" | "skipped";
  /**
   * Era C: who wrote the singleton lock JSON: a gateway (no `role` key) or an embedded
   * `openclaw agent --local` run (`role: "agent-embedded"`). Undefined for eras A/B.
   */
  role?: "gateway" | "agent-embedded";
  /** Era C: the owner's POSIX write lock on `gateway.<hash>.lock.sqlite`, as /proc/locks shows it */
  posixLock?: "held" | "free" | "unknown";
  /** Era C: the database sits in no state dir (a copy or backup named by --store): no owner to look up */
  noStateDir?: true;
}

/**
 * Era C: the gateway's run registry row (global `state/openclaw.sqlite` table `task_runs`) for
 * this session's latest run. OpenClaw calls a `running` task orphaned when its owner pid is dead
 * or its start identity differs (src/tasks/task-execution-owner.ts).
 */
export interface TaskRunInfo {
  runId: string;
  /** running | succeeded | failed | timed_out | cancelled */
  status: string;
  ownerPid?: number;
  ownerStartIdentity?: string;
  /** the owner process judged from pid + start identity (a zombie is dead) */
  owner: OwnerState;
  error?: string;
  /** epoch ms the row was last written */
  updatedAt?: number;
  /** epoch ms the task started (else was created) */
  startedAt?: number;
}

/** Everything the store layer learned about one session; the only input of the health model. */
export interface Evidence {
  agentId: string;
  sessionKey: string;
  entry: IndexEntry;
  /** resolved transcript path (inside the agents tree), even when the file is missing */
  transcriptPath?: string;
  /** undefined = the transcript file does not exist */
  transcript?: TranscriptTail;
  /** undefined = no trajectory sidecar found */
  trajectory?: TrajectoryTail;
  /** the transcript lock `<transcript>.lock`, when present */
  lock?: LockInfo;
  /** the gateway serving this state dir, shared by all sessions of a snapshot */
  gateway?: GatewayInfo;
  /** a note when the entry's sessionFile was ignored (escaped the agents tree, missing) */
  sessionFileNote?: string;
  /** the transcript was not read: what is there instead, as a phrase ("transcript <path> is a FIFO (named pipe), not a regular file: not read") */
  transcriptProblem?: string;
  /** the trajectory was not read: what is there instead, as a phrase (a FIFO, a symlink out of the agents tree) */
  trajectoryProblem?: string;
  /**
   * The store's era. Era C sessions have no transcript lock (`lock` stays undefined): their
   * owner is `gateway` (lock JSON + POSIX lock, `role`) and, for gateway runs, `task`.
   */
  era?: Era;
  /** Era C: the latest `task_runs` row naming this session; undefined = none, or tasks unknown */
  task?: TaskRunInfo;
  /** Era C: false when the global DB could not be read (a copied store): `task` is unknown, not absent */
  tasksKnown?: boolean;
  /**
   * The model OpenClaw falls back to for this agent when a session names none: the agent's own
   * `agents.list[].model`, else `agents.defaults.model` (a string, or `{ primary }`).
   */
  configuredModel?: { model: string; from: "agent-config" | "default-config" };
}

export interface Thresholds {
  /** default stall threshold for every non-terminal state */
  stallAfterMs: number;
  /** per-state overrides, e.g. tool_exec: 600000 */
  perState: Partial<Record<SessionState, number>>;
  /**
   * `--stale-after` (default 10 min): how long a dead run must be silent before cleanup repairs
   * it, and before a dead run nothing can repair is reported as `lost` instead of critical.
   */
  staleAfterMs?: number;
  /** the whole-run timeout (`agents.defaults.timeoutSeconds`, default 48 h; Infinity = none) */
  runTimeoutMs?: number;
}

/**
 * How the last run ended, as the status OpenClaw writes for it (`lost`: a dead run with no
 * status to write, e.g. an embedded `--local` run). Undefined while a run is in progress.
 */
export type Outcome = "done" | "failed" | "timeout" | "killed" | "lost";

export type ModelSource = "run" | "override" | "agent-config" | "default-config";

/** Which evidence set a heartbeat: files (eras A/B), the SQLite store (era C), or the gateway's live events. */
export type HeartbeatSource = "files" | "db" | "gateway";

export interface Heartbeat {
  sessionKey: string;
  agentId: string;
  sessionId: string;
  state: SessionState;
  health: Health;
  turnId?: string;
  model?: string;
  /**
   * where `model` came from: `run` (what the session's runs recorded: trajectory, transcript,
   * index, or the gateway), `override` (the session's modelOverride, no run recorded one yet),
   * `agent-config` / `default-config` (the configured model OpenClaw falls back to)
   */
  modelSource?: ModelSource;
  toolName?: string;
  /** when the current (or last) turn started */
  startedAt?: number;
  lastActivityAt?: number;
  lastTokenAt?: number;
  /** what sessions.json says */
  storeStatus?: string;
  /** why the evidence contradicts the index, e.g. "running in index, run ended 3h ago" */
  drift?: string;
  /** the evidence behind the verdict */
  reasons: string[];
  label?: string;
  updatedAt: number;
  /** how the last run ended; undefined while a run is in progress or nothing is known */
  outcome?: Outcome;
  /** why that outcome */
  outcomeReason?: string;
  /** the store's era */
  era?: Era;
  /** which evidence set this heartbeat (default files) */
  source?: HeartbeatSource;
}

/** One store (one agent's sessions.json, or an era C database) as read by the store layer. */
export interface StoreRef {
  agentId: string;
  storePath: string;
  era: Era;
  /**
   * A sessions.json on an install the config says OpenClaw 2026.8+ last wrote (that version): its
   * gateway imports the index into SQLite at its next start and refuses to start until then, so
   * the index is read and shown but never written (importPendingMessage says so).
   */
  importPending?: string;
  /**
   * Its sessions' agent is the one their key names (`agent:<id>:...`), not the store's: a store
   * every agent shares (session.store without {agentId}), or a --store file outside any agents
   * tree. A store of one agent's own holds that agent's sessions whatever their keys say (a
   * copied agent dir keeps the original's keys), as an era C database does.
   */
  keyNamesAgent?: true;
}

/** A planned change to one index entry: checked again under the lock before it is applied. */
export interface EntryPatch {
  sessionKey: string;
  /** the sessionId and updatedAt the plan was made against */
  expect: { sessionId: string; updatedAt: number };
  /** fields to set; `undefined` values mean "delete the field" */
  set?: Record<string, unknown>;
  /** remove the entry from the index */
  remove?: boolean;
  /**
   * remove only: the entry's files to archive once the removal is written, each `from` -> `to`
   * (the audit line records them, so `--undo` puts back exactly these archives)
   */
  archives?: Array<{ from: string; to: string }>;
  action: "finalize" | "prune" | "cap" | "touch";
  reasons: string[];
}
