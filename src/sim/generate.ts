// A STATIC store of N sessions in real OpenClaw 2026.7.1 formats, for benchmarks and large tests:
// a mix of lifecycle outcomes, ages over 60 days, mostly small files and a few huge ones. Returns a
// manifest with the verdict intended for every session.

import * as fs from "node:fs";
import * as path from "node:path";
import type { StoreStatus } from "../core/types.js";
import {
  assistantMessage,
  customModelSnapshot,
  indexEntry,
  lockBody,
  modelChange,
  OPENCLAW_VERSION,
  pointerFile,
  runEndAs,
  runEventCount,
  runEvents,
  sessionKeys,
  thinkingLevelChange,
  toolResult,
  transcriptHeader,
  userMessage,
  type EntryIds,
  type RunSpec,
} from "./format.js";
import { Rng } from "./random.js";
import type { IntendedVerdict } from "./scenarios.js";
import { ensureSessionsDir, makeDeadOwner, readStarttime, writeConfig, writeIndex, type LockOwner } from "./writer-fs.js";

export type GeneratedKind =
  | "done" // terminal done, last run success
  | "failed" // terminal failed, last run error
  | "killed" // aborted by the user: killed + abortedLastRun
  | "timeout" // run timed out
  | "running-dead" // running, lock owned by a dead pid
  | "running-live" // running, lock owned by the live pid given (recent: active)
  | "running-ended" // running, but the trajectory's last run ended (no lock): index drift
  | "running-nolock" // running, no lock, no gateway: nobody can be working on it
  | "running-unreadable-lock" // running, a lock whose body was never written (old): nothing holds it
  | "no-status" // embedded runs only: no status field at all
  | "embedded-live" // an embedded `--local` run in progress: no status, a live lock
  | "embedded-dead" // an embedded run whose process died an hour or more ago: no status, a dead lock (lost)
  | "index-only"; // row whose transcript and trajectory are gone

export const GENERATED_KINDS: readonly GeneratedKind[] = [
  "done",
  "failed",
  "killed",
  "timeout",
  "running-dead",
  "running-live",
  "running-ended",
  "running-nolock",
  "running-unreadable-lock",
  "no-status",
  "embedded-live",
  "embedded-dead",
  "index-only",
];

const KIND_WEIGHTS: [GeneratedKind, number][] = [
  ["done", 56],
  ["failed", 8],
  ["killed", 3],
  ["timeout", 2],
  ["running-dead", 6],
  ["running-live", 3],
  ["running-ended", 6],
  ["running-nolock", 4],
  ["running-unreadable-lock", 2],
  ["no-status", 6],
  ["embedded-live", 1],
  ["embedded-dead", 2],
  ["index-only", 3],
];

export interface GenerateOptions {
  /** the state dir to fill (agents/<id>/sessions/...) */
  outDir: string;
  sessions: number;
  agents?: readonly string[];
  seed?: number;
  /** how many sessions get huge (tens of MB) transcript + trajectory files; default 0 */
  bigFiles?: number;
  /** size of each huge trajectory (its transcript gets a quarter); default 24 MiB */
  bigFileBytes?: number;
  /** the generation's "now" (default Date.now()) */
  now?: number;
  /** the live owner of `running-live` locks (default this process) */
  livePid?: number;
  /** the dead owner of `running-dead` locks (default: a child spawned and killed for this) */
  deadOwner?: LockOwner;
}

export interface ManifestEntry {
  agentId: string;
  sessionKey: string;
  sessionId: string;
  kind: GeneratedKind;
  verdict: IntendedVerdict;
  updatedAt: number;
  transcriptPath?: string;
  trajectoryPath?: string;
  lockPath?: string;
  /** bytes written for this session's transcript + trajectory */
  bytes: number;
  big: boolean;
}

export interface Manifest {
  stateDir: string;
  now: number;
  sessions: ManifestEntry[];
  counts: Record<GeneratedKind, number>;
  totalBytes: number;
  liveOwner: LockOwner;
  deadOwner: LockOwner;
}

const DAY = 86_400_000;
const MODELS = [
  { provider: "anthropic", model: "claude-sonnet-4-5" },
  { provider: "openai", model: "gpt-5.1" },
  { provider: "ollama", model: "qwen3:8b" },
];
const CHANNELS = ["telegram", "discord", "slack", "whatsapp"];
const CRON_JOBS = ["nightly-report", "inbox-triage", "backup-check", "price-watch", "digest"];
const PROMPTS = ["summarize the open pull requests", "check the deploy logs", "draft the weekly update", "why is staging red?", "triage the inbox"];

export async function generateStore(opts: GenerateOptions): Promise<Manifest> {
  const stateDir = path.resolve(opts.outDir);
  const now = opts.now ?? Date.now();
  const agents = opts.agents ?? ["main", "ops", "research"];
  const rng = new Rng(opts.seed ?? 1);
  const livePid = opts.livePid ?? process.pid;
  const liveOwner: LockOwner = { pid: livePid, starttime: readStarttime(livePid) };
  const deadOwner = opts.deadOwner ?? (await makeDeadOwner());
  const bigCount = Math.min(opts.bigFiles ?? 0, opts.sessions);
  const bigBytes = opts.bigFileBytes ?? 24 * 1024 * 1024;

  writeConfig(stateDir, {
    // OpenClaw stamps the config it writes: our era B reading of these files rests on it
    meta: { lastTouchedVersion: OPENCLAW_VERSION },
    agents: { defaults: { workspace: path.join(stateDir, "workspace") }, list: agents.map((id) => ({ id })) },
    session: { maintenance: { mode: "enforce", pruneAfter: "30d", maxEntries: 500 } },
  });

  const indexes = new Map<string, Record<string, unknown>>();
  const dirs = new Map<string, string>();
  for (const a of agents) {
    dirs.set(a, ensureSessionsDir(stateDir, a));
    indexes.set(a, {});
  }

  const counts = Object.fromEntries(GENERATED_KINDS.map((k) => [k, 0])) as Record<GeneratedKind, number>;
  const manifest: ManifestEntry[] = [];
  let totalBytes = 0;
  const bigKinds: GeneratedKind[] = ["done", "running-dead", "running-live", "running-ended"];
  const filler = bigCount > 0 ? buildFiller(now - 20 * DAY) : undefined;

  const started = new Set<string>();
  for (let i = 0; i < opts.sessions; i++) {
    // every kind appears at least once when there is room; big files rotate over a few kinds
    const kind: GeneratedKind =
      i < bigCount ? bigKinds[i % bigKinds.length]! : i - bigCount < GENERATED_KINDS.length ? GENERATED_KINDS[i - bigCount]! : weighted(rng);
    const agentId = agents[i % agents.length]!;
    const entry = writeSession({
      rng,
      kind,
      agentId,
      dir: dirs.get(agentId)!,
      index: indexes.get(agentId)!,
      now,
      liveOwner,
      deadOwner,
      ordinal: i,
      first: !started.has(agentId),
      big: i < bigCount && filler ? { filler, bytes: bigBytes } : undefined,
    });
    started.add(agentId);
    counts[kind]++;
    totalBytes += entry.bytes;
    manifest.push(entry);
  }
  for (const a of agents) writeIndex(path.join(dirs.get(a)!, "sessions.json"), indexes.get(a)!);
  return { stateDir, now, sessions: manifest, counts, totalBytes, liveOwner, deadOwner };
}

function weighted(rng: Rng): GeneratedKind {
  return rng.weighted(KIND_WEIGHTS);
}

/** Mostly one run, some a few, rare long conversations (a few hundred KB). */
function runCount(rng: Rng): number {
  const r = rng.next();
  if (r < 0.8) return 1;
  if (r < 0.95) return rng.int(2, 3);
  if (r < 0.99) return rng.int(4, 10);
  return rng.int(15, 40);
}

function sessionKey(rng: Rng, agentId: string, ordinal: number, kind: GeneratedKind, first: boolean): { key: string; chatType?: string; label?: string; spawnedBy?: string } {
  if (first) return { key: sessionKeys.main(agentId), chatType: "direct" };
  if (kind === "no-status" || kind === "embedded-live" || kind === "embedded-dead") return { key: sessionKeys.named(agentId, `local-${rng.hex(8)}`) };
  const r = rng.next();
  if (r < 0.3) {
    const job = rng.pick(CRON_JOBS);
    return { key: sessionKeys.cronRun(agentId, job, rng.uuid()), label: `Cron: ${job}` };
  }
  if (r < 0.45) return { key: sessionKeys.subagent(agentId, rng.uuid()), spawnedBy: sessionKeys.main(agentId), label: "subagent task" };
  if (r < 0.55) return { key: sessionKeys.group(agentId, rng.pick(CHANNELS), `-100${rng.int(1_000_000, 9_999_999)}`), chatType: "group" };
  if (r < 0.6) return { key: sessionKeys.channel(agentId, rng.pick(CHANNELS), String(rng.int(10 ** 8, 10 ** 9))), chatType: "channel" };
  if (r < 0.65) return { key: sessionKeys.hook(rng.uuid()) };
  return { key: sessionKeys.named(agentId, `task-${ordinal}`), chatType: "direct" };
}

interface SessionJob {
  rng: Rng;
  kind: GeneratedKind;
  agentId: string;
  dir: string;
  index: Record<string, unknown>;
  now: number;
  liveOwner: LockOwner;
  deadOwner: LockOwner;
  ordinal: number;
  /** the agent's first session: its main one */
  first: boolean;
  big?: { filler: Filler; bytes: number };
}

/** The end state of the last run, per kind. */
type Tail = "complete" | "error" | "aborted" | "timeout" | "awaiting_model" | "tool_exec";

function tailFor(kind: GeneratedKind, rng: Rng): Tail {
  switch (kind) {
    case "failed":
      return "error";
    case "killed":
      return "aborted";
    case "timeout":
      return "timeout";
    case "running-dead":
    case "running-live":
    case "running-nolock":
    case "running-unreadable-lock":
    case "embedded-live":
    case "embedded-dead":
      return rng.chance(0.5) ? "awaiting_model" : "tool_exec";
    case "running-ended":
      return rng.chance(0.25) ? "error" : "complete";
    default:
      return "complete";
  }
}

function writeSession(job: SessionJob): ManifestEntry {
  const { rng, kind, agentId, dir, now } = job;
  const sessionId = rng.uuid();
  // an agent's first session is its main one; a random key that is already taken (two group ids
  // drawn alike) would silently replace an entry the manifest still lists, so it gets a unique one
  const drawn = sessionKey(rng, agentId, job.ordinal, kind, job.first);
  const k = drawn.key in job.index ? { key: sessionKeys.named(agentId, `task-${job.ordinal}`), chatType: "direct" } : drawn;
  const m = MODELS[job.ordinal % MODELS.length]!;
  const transcriptPath = path.join(dir, `${sessionId}.jsonl`);
  const trajectoryPath = path.join(dir, `${sessionId}.trajectory.jsonl`);
  const live = kind === "running-live" || kind === "embedded-live";
  // the last activity: live runs are seconds old, everything else anywhere in the last 60 days
  // (huge files belong to recent, long-lived sessions: they always have a trajectory with past runs);
  // a dead embedded run is an hour old at least, so it is past --stale-after (lost)
  const lastAt = live
    ? now - rng.int(1_000, 20_000)
    : now - rng.int(kind === "embedded-dead" ? 3_600_000 : 60_000, (job.big ? 10 : 60) * DAY);
  const runs = job.big ? Math.max(3, runCount(rng)) : runCount(rng);
  const tail = tailFor(kind, rng);
  // sessions from before trajectories were on by default have none
  const hasTrajectory = kind !== "index-only" && now - lastAt < 45 * DAY;
  const hasTranscript = kind !== "index-only";

  const ids = idChain(rng);
  const transcript: string[] = [];
  const trajectory: string[] = [];
  let sourceSeq = 0;
  const gap = 90_000;
  // a huge file's header predates its (repeated, 20-day-old) filler
  let t = lastAt - (runs - 1) * gap - 5_000;
  const sessionStartedAt = job.big ? now - 21 * DAY : t;
  transcript.push(transcriptHeader(sessionId, sessionStartedAt, "/home/operator/.openclaw/workspace"));
  transcript.push(modelChange(sessionStartedAt + 8, ids(), m.provider, m.model));
  transcript.push(thinkingLevelChange(sessionStartedAt + 8, ids()));
  transcript.push(customModelSnapshot(sessionStartedAt + 100, ids(), { provider: m.provider, modelId: m.model }));

  let lastRunStart = t;
  let lastRunEnd = t;
  let toolName: string | undefined;
  let toolSince: number | undefined;
  for (let r = 0; r < runs; r++) {
    const last = r === runs - 1;
    const runTail: Tail = last ? tail : "complete";
    const start = last ? lastAt - 4_000 : t;
    lastRunStart = start;
    const prompt = rng.pick(PROMPTS);
    transcript.push(userMessage(start + 150, prompt, ids(), start));
    const spec: RunSpec = {
      sessionId,
      sessionKey: k.key,
      runId: rng.uuid(),
      agentId,
      provider: m.provider,
      modelId: m.model,
      workspaceDir: "/home/operator/.openclaw/workspace",
      sessionFile: transcriptPath,
      prompt,
      startedAt: start,
      promptAt: start + 150,
      completedAt: start + 2_500,
      endedAt: start + 2_520,
      status: "success",
      firstSourceSeq: sourceSeq + 1,
    };
    const answer = { model: m.model, provider: m.provider, usage: { input: rng.int(200, 4000), output: rng.int(5, 400) } };
    switch (runTail) {
      case "complete": {
        const withTool = rng.chance(0.3);
        if (withTool) {
          const call = { id: `call_${rng.hex(12)}`, name: "exec", arguments: { command: "ls -la" } };
          transcript.push(assistantMessage(start + 1_000, { ...answer, toolCalls: [call], stopReason: "toolUse" }, ids()));
          transcript.push(toolResult(start + 1_800, call.id, call.name, "total 0", false, ids()));
        }
        transcript.push(assistantMessage(start + 2_500, { ...answer, text: "Done.", stopReason: "stop" }, ids()));
        spec.assistantTexts = ["Done."];
        lastRunEnd = spec.endedAt;
        break;
      }
      case "error":
        transcript.push(assistantMessage(start + 2_500, { ...answer, usage: { input: 0, output: 0 }, stopReason: "error", errorMessage: "500 provider: internal server error" }, ids()));
        spec.status = "error";
        lastRunEnd = spec.endedAt;
        break;
      case "aborted":
        transcript.push(assistantMessage(start + 2_500, { ...answer, text: "Stopping.", stopReason: "aborted", errorMessage: "Request was aborted" }, ids()));
        Object.assign(spec, runEndAs("user-abort"));
        lastRunEnd = spec.endedAt;
        break;
      case "timeout":
        Object.assign(spec, runEndAs("timeout"));
        lastRunEnd = spec.endedAt;
        break;
      case "awaiting_model":
        // 2026.7.1 has not flushed this run's trajectory: it shows earlier runs only
        spec.endedAt = -1;
        break;
      case "tool_exec": {
        const call = { id: `call_${rng.hex(12)}`, name: "exec", arguments: { command: "npm test", yieldMs: 120000, timeout: 300 } };
        transcript.push(assistantMessage(start + 1_000, { ...answer, toolCalls: [call], stopReason: "toolUse" }, ids()));
        toolName = call.name;
        toolSince = start + 1_000;
        spec.endedAt = -1;
        break;
      }
    }
    if (spec.endedAt >= 0) {
      trajectory.push(...runEvents(spec));
      sourceSeq += runEventCount(spec);
    }
    t = start + gap;
  }

  let bytes = 0;
  let big = false;
  if (hasTranscript) {
    const head = transcript.slice(0, 4).join("");
    const rest = transcript.slice(4).join("");
    bytes += job.big ? writeBig(transcriptPath, head, job.big.filler.transcript, Math.floor(job.big.bytes / 4), rest) : writeText(transcriptPath, head + rest);
    fs.utimesSync(transcriptPath, lastAt / 1000, lastAt / 1000);
  }
  if (hasTrajectory) {
    fs.writeFileSync(path.join(dir, `${sessionId}.trajectory-path.json`), pointerFile(sessionId, trajectoryPath), { mode: 0o600 });
    if (trajectory.length > 0) {
      bytes += job.big
        ? writeBig(trajectoryPath, "", fillerFor(job.big.filler.trajectory, sessionId, k.key, transcriptPath), job.big.bytes, trajectory.join(""), 0o600)
        : writeText(trajectoryPath, trajectory.join(""), 0o600);
      fs.utimesSync(trajectoryPath, lastRunEnd / 1000, lastRunEnd / 1000);
    }
  }
  big = job.big !== undefined;

  let lockPath: string | undefined;
  if (kind === "running-dead" || kind === "running-live" || kind === "embedded-live" || kind === "embedded-dead" || kind === "running-unreadable-lock") {
    const owner = live ? job.liveOwner : job.deadOwner;
    lockPath = `${transcriptPath}.lock`;
    // index, then the user message, then the lock: OpenClaw's order
    const createdAt = lastRunStart + 160;
    // a lock file is created empty and filled a moment later: a writer that died in between leaves it empty
    const body = kind === "running-unreadable-lock" ? "" : lockBody(owner.pid, createdAt, owner.starttime, 300_000);
    fs.writeFileSync(lockPath, body, { mode: 0o644 });
    fs.utimesSync(lockPath, createdAt / 1000, createdAt / 1000);
  }

  const running = kind.startsWith("running-");
  const embedded = kind === "no-status" || kind === "embedded-live" || kind === "embedded-dead";
  const status: StoreStatus | undefined =
    embedded ? undefined : running ? "running" : kind === "index-only" ? "done" : (kind as "done" | "failed" | "killed" | "timeout");
  const updatedAt = running ? lastRunStart + 3 : lastRunEnd + 4;
  job.index[k.key] = indexEntry({
    sessionId,
    updatedAt,
    sessionStartedAt,
    lastInteractionAt: lastRunStart,
    sessionFile: transcriptPath,
    status,
    ...(status !== undefined ? { startedAt: lastRunStart } : {}),
    ...(status !== undefined && !running ? { endedAt: lastRunEnd } : {}),
    abortedLastRun: status === undefined ? undefined : kind === "killed",
    model: m.model,
    modelProvider: m.provider,
    lastActivityAt: running ? lastRunStart : lastRunEnd,
    ...(k.chatType !== undefined ? { chatType: k.chatType } : {}),
    ...(k.label !== undefined ? { label: k.label } : {}),
    ...(k.spawnedBy !== undefined ? { spawnedBy: k.spawnedBy, parentSessionKey: k.spawnedBy } : {}),
  });

  return {
    agentId,
    sessionKey: k.key,
    sessionId,
    kind,
    verdict: intended(kind, tail, status, running || kind === "embedded-live" ? (toolSince ?? lastRunStart) : lastRunEnd, toolName),
    updatedAt,
    ...(hasTranscript ? { transcriptPath } : {}),
    ...(hasTrajectory && trajectory.length > 0 ? { trajectoryPath } : {}),
    ...(lockPath !== undefined ? { lockPath } : {}),
    bytes,
    big,
  };
}

function intended(kind: GeneratedKind, tail: Tail, storeStatus: StoreStatus | undefined, since: number, toolName?: string): IntendedVerdict {
  const base = { storeStatus, since, drift: false, runInProgress: false, lock: "none" as const };
  const state = tail === "tool_exec" ? ("tool_exec" as const) : ("awaiting_model" as const);
  const tool = tail === "tool_exec" && toolName !== undefined ? { toolName } : {};
  switch (kind) {
    case "running-live":
    case "embedded-live":
      // the health model's naming: a running tool is active, a model wait is waiting
      return { ...base, state, health: state === "tool_exec" ? "active" : "waiting", runInProgress: true, lock: "alive", ...tool };
    case "running-dead":
      return { ...base, state, health: "unresponsive", lock: "dead", drift: true, finalizeTo: "failed", ...tool };
    case "running-unreadable-lock":
      // the lock body was never written and is old: nobody holds it (the 30 s rule)
      return { ...base, state, health: "unresponsive", lock: "dead", drift: true, finalizeTo: "failed", ...tool };
    case "embedded-dead":
      // no status to write and silent past --stale-after: outcome lost, shown but not critical
      return { ...base, state: "idle", health: "idle", lock: "dead" };
    case "running-nolock":
      return { ...base, state, health: "unresponsive", drift: true, finalizeTo: "failed", ...tool };
    case "running-ended":
      return { ...base, state: "complete", health: "idle", drift: true, finalizeTo: tail === "error" ? "failed" : "done" };
    // its files are gone, but its terminal status says the last turn ended
    case "index-only":
    default:
      return { ...base, state: "complete", health: "idle" };
  }
}

function idChain(rng: Rng): () => EntryIds {
  let parentId: string | null = null;
  return () => {
    const ids = { id: rng.hex(8), parentId };
    parentId = ids.id;
    return ids;
  };
}

function writeText(file: string, text: string, mode = 0o644): number {
  fs.writeFileSync(file, text, { mode });
  return Buffer.byteLength(text);
}

interface Filler {
  transcript: Buffer;
  /** text with FILLER_* placeholders, made per session by fillerFor() */
  trajectory: string;
}

const FILLER_ID = "00000000-0000-4000-8000-000000000000";
const FILLER_KEY = "agent:main:filler";
const FILLER_FILE = "/filler/session.jsonl";

/** ~1 MiB of complete past turns, written over and over to make huge files quickly. */
function buildFiller(startAt: number): Filler {
  const rng = new Rng(424242);
  const ids = idChain(rng);
  const tr: string[] = [];
  const tj: string[] = [];
  let t = startAt;
  let seq = 0;
  while (tj.join("").length < 1024 * 1024) {
    const prompt = rng.pick(PROMPTS);
    tr.push(userMessage(t, prompt, ids()));
    tr.push(assistantMessage(t + 2000, { text: "Done. ".repeat(40), stopReason: "stop", model: "claude-sonnet-4-5", provider: "anthropic", usage: { input: 900, output: 240 } }, ids()));
    const spec: RunSpec = {
      sessionId: FILLER_ID,
      sessionKey: FILLER_KEY,
      runId: rng.uuid(),
      agentId: "main",
      provider: "anthropic",
      modelId: "claude-sonnet-4-5",
      workspaceDir: "/home/operator/.openclaw/workspace",
      sessionFile: FILLER_FILE,
      prompt,
      startedAt: t,
      promptAt: t + 150,
      completedAt: t + 2000,
      endedAt: t + 2020,
      status: "success",
      firstSourceSeq: seq + 1,
    };
    tj.push(...runEvents(spec));
    seq += runEventCount(spec);
    t += 60_000;
  }
  return { transcript: Buffer.from(tr.join("")), trajectory: tj.join("") };
}

/** The filler's trajectory with this session's id, key and transcript path (as OpenClaw writes them). */
function fillerFor(text: string, sessionId: string, sessionKey: string, sessionFile: string): Buffer {
  return Buffer.from(text.split(FILLER_ID).join(sessionId).split(FILLER_KEY).join(sessionKey).split(FILLER_FILE).join(sessionFile));
}

/** head + the filler chunk repeated up to `bytes` + a realistic tail; returns the size written. */
function writeBig(file: string, head: string, chunk: Buffer, bytes: number, tail: string, mode = 0o644): number {
  const fd = fs.openSync(file, "w", mode);
  let written = 0;
  try {
    written += writeAll(fd, Buffer.from(head));
    while (written + chunk.length <= bytes) written += writeAll(fd, chunk);
    written += writeAll(fd, Buffer.from(tail));
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

/** fs.writeSync may write less than asked (full disk): loop until every byte is out or it throws. */
function writeAll(fd: number, buf: Buffer): number {
  let off = 0;
  while (off < buf.length) {
    const n = fs.writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw new Error("short write while generating a big file");
    off += n;
  }
  return buf.length;
}
