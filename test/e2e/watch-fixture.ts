// A small store that changes the way a gateway changes it, for the live tests of `watch` (the
// file-driven source and the real-terminal test): a run starts (the index says running, the
// user message lands, the transcript lock is taken), a tool is called, the lock owner crashes.
// Times follow the wall clock: the live view judges with the real one.
import fs from "node:fs";
import path from "node:path";
import {
  format,
  indexPath,
  line,
  runEvents,
  transcriptPath,
  trajectoryPath,
  writeLock,
  writeTranscript,
  writeTrajectory,
} from "../fixtures/store-builder.js";

export const KEY = "agent:main:main";
export const ID = "0f0e0d0c-0000-4000-8000-00000000000a";
export const OTHER_KEY = "agent:main:other";
export const OTHER_ID = "0f0e0d0c-0000-4000-8000-00000000000b";

const S = 1000;
const M = 60 * S;

export interface Owner {
  pid: number;
  starttime: number;
}

/** Replaces sessions.json the way OpenClaw does: a temp file in the same dir, renamed over it. */
export function writeIndexAtomic(state: string, entries: Record<string, unknown>, agentId = "main"): string {
  const p = indexPath(state, agentId);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  const tmp = `${p}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  fs.writeFileSync(tmp, format.indexText(entries), { mode: 0o600 });
  fs.renameSync(tmp, p);
  return p;
}

export function readEntries(state: string, agentId = "main"): Record<string, Record<string, unknown>> {
  return JSON.parse(fs.readFileSync(indexPath(state, agentId), "utf8"));
}

function doneEntry(sessionId: string, at: number): Record<string, unknown> {
  return format.indexEntry({ sessionId, updatedAt: at, sessionStartedAt: at - 10 * M, lastInteractionAt: at, status: "done", startedAt: at - M, endedAt: at, rich: false, model: "fake-1", modelProvider: "fake" });
}

/** Two sessions that finished a turn a few minutes ago: idle. */
export function idleStore(state: string, now = Date.now(), agentId = "main"): void {
  const sessions: [string, string][] = [
    [KEY.replace("main:", `${agentId}:`), ID],
    [OTHER_KEY.replace("main:", `${agentId}:`), OTHER_ID],
  ];
  const entries: Record<string, unknown> = {};
  for (const [key, id] of sessions) {
    const at = now - 5 * M;
    entries[key] = doneEntry(id, at);
    writeTranscript(transcriptPath(state, id, agentId), [line.header(id, at - 10 * M), line.user(at - M, "first question"), line.assistant(at, { text: "first answer" })]);
    writeTrajectory(trajectoryPath(state, id, agentId), runEvents("run-0", at - M, "success", { sessionId: id, sessionKey: key }));
  }
  writeIndexAtomic(state, entries, agentId);
}

/** A run starts on KEY: the index says running, the user message is appended, the lock is taken. */
export function startRun(state: string, owner: Owner, at = Date.now()): void {
  const entries = readEntries(state);
  entries[KEY] = { ...entries[KEY], status: "running", startedAt: at, updatedAt: at, lastInteractionAt: at };
  delete entries[KEY].endedAt;
  delete entries[KEY].runtimeMs;
  writeIndexAtomic(state, entries);
  fs.appendFileSync(transcriptPath(state, ID), `${line.user(at, "second question")}\n`);
  writeLock(`${transcriptPath(state, ID)}.lock`, { pid: owner.pid, starttime: owner.starttime, createdAt: at, maxHoldMs: 300_000 });
}

/** The model answers KEY with a tool call: an assistant toolUse message is appended. */
export function callTool(state: string, name = "exec", at = Date.now()): void {
  fs.appendFileSync(transcriptPath(state, ID), `${line.assistant(at, { toolCalls: [{ id: "call-1", name }] })}\n`);
}

/** Appends a user message to any session's transcript (a change to that one file only). */
export function appendUser(state: string, sessionId: string, at = Date.now(), agentId = "main"): void {
  fs.appendFileSync(transcriptPath(state, sessionId, agentId), `${line.user(at, "one more thing")}\n`);
}
