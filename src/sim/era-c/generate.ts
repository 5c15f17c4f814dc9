// A STATIC era C state dir of N sessions, as OpenClaw 2026.9.6 leaves one: finished runs of every
// outcome and `running` rows whose gateway was killed (its singleton lock JSON left behind, no
// POSIX lock): the restart-recovery queue. For `demo --era C` and the bench (10k / 50k sessions).
import path from "node:path";
import fs from "node:fs";
import type { Health, SessionState } from "../../core/types.js";
import { assistantMessage, modelChange, runEvents, sessionKeys, transcriptHeader, userMessage, type RunEndStatus, type StopReason } from "../format.js";
import { Rng } from "../random.js";
import { makeDeadOwner, type LockOwner } from "../writer-fs.js";
import { SIM_APP_VERSION, writeAgentDb, writeOwnerLock, type SimSchemaVersion, type SimSessionRow } from "./write.js";

export type EraCKind = "done" | "failed" | "killed" | "timeout" | "running-dead";
export const ERA_C_KINDS: readonly EraCKind[] = ["done", "failed", "killed", "timeout", "running-dead"];
const WEIGHTS: Array<[EraCKind, number]> = [
  ["done", 72],
  ["failed", 9],
  ["killed", 5],
  ["timeout", 3],
  ["running-dead", 11],
];

export interface EraCGenerateOptions {
  outDir: string;
  sessions: number;
  agents?: readonly string[];
  seed?: number;
  now?: number;
  /** the killed gateway named by the left lock JSON (default: a child spawned and killed) */
  deadOwner?: LockOwner;
  /** the agent schema to write: 23 (2026.9.6, default), 21 (2026.9.5) or 19 (2026.8.1-2026.9.4) */
  schemaVersion?: SimSchemaVersion;
}

export interface EraCManifestEntry {
  agentId: string;
  sessionKey: string;
  sessionId: string;
  kind: EraCKind;
  verdict: { state: SessionState; health: Health };
}

export interface EraCManifest {
  stateDir: string;
  now: number;
  dbPaths: string[];
  sessions: EraCManifestEntry[];
}

const DAY = 86_400_000;
const MODELS = [
  { provider: "anthropic", model: "claude-sonnet-4-5" },
  { provider: "openai", model: "gpt-5.1" },
];
/** Real entries carry ~5 KB (skillsSnapshot, systemPromptReport): the reader must not parse them. */
const SKILLS_PROMPT = "<available_skills>" + "<skill><name>healthcheck</name><description>Audit hosts</description></skill>".repeat(50) + "</available_skills>";
const LONG_REPLY = "Here is the summary of the open pull requests, one line each, with owners and status. ".repeat(48);

export async function generateEraCStore(opts: EraCGenerateOptions): Promise<EraCManifest> {
  const stateDir = path.resolve(opts.outDir);
  const now = opts.now ?? Date.now();
  const agents = opts.agents ?? ["main", "ops"];
  const rng = new Rng(opts.seed ?? 1);
  const dead = opts.deadOwner ?? (await makeDeadOwner());
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: SIM_APP_VERSION[opts.schemaVersion ?? 23] }, agents: { list: agents.map((id) => ({ id })) } }, null, 2));
  const perAgent = new Map<string, SimSessionRow[]>(agents.map((a) => [a, []]));
  const manifest: EraCManifestEntry[] = [];
  for (let i = 0; i < opts.sessions; i++) {
    const kind = i < ERA_C_KINDS.length ? ERA_C_KINDS[i]! : weighted(rng);
    const agentId = agents[i % agents.length]!;
    const sessionKey = i < agents.length ? sessionKeys.main(agentId) : sessionKeys.named(agentId, `task-${i}`);
    const row = session(rng, kind, agentId, sessionKey, i, now);
    perAgent.get(agentId)!.push(row);
    manifest.push({ agentId, sessionKey, sessionId: row.sessionId, kind, verdict: verdictOf(kind) });
  }
  const dbPaths = agents.map((a) => writeAgentDb(stateDir, a, perAgent.get(a)!, now, opts.schemaVersion));
  // the gateway was SIGKILLed: its lock JSON stays, its POSIX lock went with it
  writeOwnerLock(stateDir, { pid: dead.pid, startTime: dead.starttime, createdAt: now - 2 * DAY });
  return { stateDir, now, dbPaths, sessions: manifest };
}

function verdictOf(kind: EraCKind): { state: SessionState; health: Health } {
  return kind === "running-dead" ? { state: "awaiting_model", health: "unresponsive" } : { state: "complete", health: "idle" };
}

function weighted(rng: Rng): EraCKind {
  return rng.weighted(WEIGHTS);
}

function session(rng: Rng, kind: EraCKind, agentId: string, sessionKey: string, ordinal: number, now: number): SimSessionRow {
  const sessionId = rng.uuid();
  const m = MODELS[ordinal % MODELS.length]!;
  const startedAt = kind === "running-dead" ? now - rng.int(5 * 60_000, 3 * DAY) : now - rng.int(60_000, 60 * DAY);
  const created = startedAt - rng.int(1_000, 60_000);
  const runId = rng.uuid();
  const ids = () => rng.uuid();
  const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;
  let parent: string | null = null;
  const chain = () => {
    const id = ids();
    const out = { id, parentId: parent };
    parent = id;
    return out;
  };
  const transcript: SimSessionRow["transcript"] = [
    { event: parse(transcriptHeader(sessionId, created, "/home/operator/.openclaw/workspace")), at: created },
    { event: parse(modelChange(created + 5, chain(), m.provider, m.model)), at: created + 5 },
    { event: parse(userMessage(startedAt, `task ${ordinal}: summarize the open pull requests`, chain())), at: startedAt },
  ];
  const entry: SimSessionRow["entry"] = {
    sessionId,
    updatedAt: startedAt,
    sessionStartedAt: created,
    lastInteractionAt: startedAt,
    displayName: sessionKey.split(":").slice(2).join(":"),
    createdVia: "run",
    createdAt: created,
    skillsSnapshot: { prompt: SKILLS_PROMPT, skills: [] },
    status: "running",
    startedAt,
    model: m.model,
    modelProvider: m.provider,
  };
  const trajectory: SimSessionRow["trajectory"] = [];
  if (kind === "running-dead") {
    // killed while waiting on the model: the run id stays, the user message is stored, no trajectory yet
    entry.lifecycleRunId = runId;
    entry.activeWriterRunId = runId;
    return { sessionKey, sessionId, entry, transcript, trajectory };
  }
  const endedAt = startedAt + rng.int(800, 90_000);
  const outcome: Record<Exclude<EraCKind, "running-dead">, { status: string; stop: StopReason; end: RunEndStatus }> = {
    done: { status: "done", stop: "stop", end: "success" },
    failed: { status: "failed", stop: "error", end: "error" },
    killed: { status: "killed", stop: "aborted", end: "interrupted" },
    timeout: { status: "timeout", stop: "aborted", end: "interrupted" },
  };
  const o = outcome[kind];
  // every tenth reply is long: stored zstd-compressed, as 9.6 does for events >= 1 KiB
  const text = kind === "done" ? (ordinal % 10 === 0 ? LONG_REPLY : "Done: 3 PRs open, all green.") : undefined;
  if (kind !== "killed") {
    transcript.push({
      event: parse(assistantMessage(endedAt - 5, { text, stopReason: o.stop, model: m.model, provider: m.provider, errorMessage: kind === "failed" ? "500 Internal Server Error" : undefined, usage: { input: 1200, output: 80 } }, chain())),
      at: endedAt - 5,
    });
  }
  const spec = {
    sessionId,
    sessionKey,
    runId,
    agentId,
    provider: m.provider,
    modelId: m.model,
    workspaceDir: "/home/operator/.openclaw/workspace",
    sessionFile: "",
    prompt: `task ${ordinal}`,
    startedAt,
    promptAt: startedAt + 20,
    completedAt: endedAt - 5,
    endedAt,
    status: o.end,
    aborted: kind === "killed" || undefined,
    timedOut: kind === "timeout" || undefined,
  };
  for (const line of runEvents(spec)) trajectory.push({ runId, event: parse(line), at: endedAt });
  Object.assign(entry, { status: o.status, endedAt, runtimeMs: endedAt - startedAt, updatedAt: endedAt, lastRunId: runId });
  if (kind === "killed") entry.abortedLastRun = true;
  if (kind === "failed") entry.lastRunError = "500 Internal Server Error";
  return { sessionKey, sessionId, entry, transcript, trajectory };
}
