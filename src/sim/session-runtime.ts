// One simulated session: applies scenario actions to the files exactly as OpenClaw would (index
// first, then transcript, then the lock). 2026.7.1 (the default) writes a run's trajectory only
// when the run ends; 2026.4.26 writes its lines as they happen (session.started .. prompt.submitted
// at the start, tool.call / tool.result live, the end events at the end), so a killed run leaves a
// started run with no end.

import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  assistantMessage,
  customModelSnapshot,
  fallbackStepEvent,
  indexEntry,
  modelChange,
  runCtx,
  runEndEvents,
  runEventCount,
  runEvents,
  runStartEvents,
  toolCallEvent,
  toolResultEvent,
  terminalPatch,
  thinkingLevelChange,
  toolResult,
  transcriptHeader,
  userMessage,
  type EntryIds,
  type RunSpec,
  type RunToolCall,
  type SimVersion,
} from "./format.js";
import type { Rng } from "./random.js";
import type { IntendedVerdict, ScenarioKind, SimAction, VerdictTemplate } from "./scenarios.js";
import {
  appendLines,
  createLock,
  ensureSessionsDir,
  exited,
  readStarttime,
  removeLock,
  spawnIdleChild,
  updateIndex,
  writePointer,
  type LockOwner,
} from "./writer-fs.js";

export interface SimSessionSpec {
  stateDir: string;
  agentId: string;
  sessionKey: string;
  sessionId: string;
  kind: ScenarioKind;
  provider: string;
  model: string;
  workspaceDir: string;
  chatType?: string;
  label?: string;
  spawnedBy?: string;
  messageChannel?: string;
  /** which OpenClaw writes the files (default 2026.7.1) */
  version?: SimVersion;
}

/** What tests and the demo see of a simulated session. */
export interface SimSessionInfo {
  agentId: string;
  sessionKey: string;
  sessionId: string;
  kind: ScenarioKind;
  transcriptPath: string;
  trajectoryPath: string;
  indexPath: string;
  verdict: IntendedVerdict;
  /** pid written into the current transcript lock, if any */
  lockPid?: number;
  /** the index entry's label, when the session has one */
  label?: string;
}

interface Attempt {
  startedAt: number;
  promptAt: number;
  completedAt: number;
}

interface CurrentRun {
  runId: string;
  prompt: string;
  startedAt: number;
  userSentAt: number;
  trigger: "user" | "cron" | "subagent";
  toolCalls: RunToolCall[];
  attempts: Attempt[];
  assistantTexts: string[];
  lastModelAt?: number;
  endedAt?: number;
  /** 2026.4.26: the seq of the run's next trajectory event (its start was written live) */
  liveSeq?: number;
}

const MAX_HOLD_MS = 300_000;

export class SimSession {
  readonly spec: SimSessionSpec;
  readonly dir: string;
  readonly transcriptPath: string;
  readonly trajectoryPath: string;
  readonly indexPath: string;
  verdict: IntendedVerdict;
  child: ChildProcess | undefined;
  lockOwner: LockOwner | undefined;
  private readonly rng: Rng;
  private lastEntryId: string | null = null;
  /** user message waiting for the transcript to be created at the first assistant message */
  private pendingUser: { at: number; text: string; sentAt: number } | undefined;
  private sourceSeq = 0;
  /** entry time of the newest transcript line */
  private lastWrittenAt = 0;
  private run: CurrentRun | undefined;

  constructor(spec: SimSessionSpec, rng: Rng, now: number) {
    this.spec = spec;
    this.rng = rng;
    this.dir = ensureSessionsDir(spec.stateDir, spec.agentId);
    this.transcriptPath = path.join(this.dir, `${spec.sessionId}.jsonl`);
    this.trajectoryPath = path.join(this.dir, `${spec.sessionId}.trajectory.jsonl`);
    this.indexPath = path.join(this.dir, "sessions.json");
    this.verdict = { state: "idle", health: "idle", runInProgress: false, lock: "none", drift: false, since: now };
  }

  info(): SimSessionInfo {
    const i: SimSessionInfo = {
      agentId: this.spec.agentId,
      sessionKey: this.spec.sessionKey,
      sessionId: this.spec.sessionId,
      kind: this.spec.kind,
      transcriptPath: this.transcriptPath,
      trajectoryPath: this.trajectoryPath,
      indexPath: this.indexPath,
      verdict: this.verdict,
    };
    if (this.lockOwner) i.lockPid = this.lockOwner.pid;
    if (this.spec.label !== undefined) i.label = this.spec.label;
    return i;
  }

  setVerdict(t: VerdictTemplate, now: number): void {
    this.verdict = { ...t, since: now };
  }

  /** Applies one action; resolves once its files (and, for a kill, the reaped process) are final. */
  async apply(action: SimAction, now: number): Promise<void> {
    switch (action.do) {
      case "history":
        return this.history(action.turns, now - action.agoMs);
      case "begin-run":
        return this.beginRun(action, now);
      case "assistant":
        return this.assistant(action, now);
      case "tool-result":
        return this.toolResultAction(action.text, action.isError, now);
      case "error-attempt":
        return this.errorAttempt(action.errorMessage, now);
      case "end-run":
        return this.endRun(action, now);
      case "kill-owner":
        return this.killOwner();
      case "abort-owner":
        return this.abortOwner();
      case "persist-status":
        return this.persistStatus(action.status, now);
    }
  }

  // ------------------------------------------------------------ actions

  private history(turns: number, start: number): void {
    let t = start;
    let lastStart = t;
    for (let i = 0; i < turns; i++) {
      const prompt = `earlier request #${i + 1}`;
      this.run = this.newRun(prompt, t, "user");
      if (!this.transcriptExists()) this.createTranscript(t, true);
      this.appendUser(t + 150, prompt, t);
      const answerAt = t + this.rng.int(600, 3000);
      this.appendAssistant(answerAt, { text: "Done.", stopReason: "stop" });
      this.run.assistantTexts.push("Done.");
      this.run.lastModelAt = answerAt;
      this.flushRun("success", answerAt + 20);
      lastStart = t;
      t = answerAt + this.rng.int(60_000, 600_000);
    }
    const endedAt = this.run?.endedAt ?? start;
    this.ensurePointer();
    updateIndex(this.indexPath, (index) => {
      index[this.spec.sessionKey] = indexEntry({
        ...this.entryBase(start, lastStart),
        status: "done",
        startedAt: lastStart,
        updatedAt: endedAt + 4,
        endedAt,
        model: this.spec.model,
        modelProvider: this.spec.provider,
        lastActivityAt: endedAt,
      });
    });
    this.run = undefined;
  }

  private beginRun(a: Extract<SimAction, { do: "begin-run" }>, now: number): void {
    this.run = this.newRun(a.prompt, now, a.trigger);
    this.ensurePointer();
    updateIndex(this.indexPath, (index) => {
      const prev = index[this.spec.sessionKey];
      if (!prev) {
        index[this.spec.sessionKey] = indexEntry({
          ...this.entryBase(now, now),
          updatedAt: now,
          ...(a.writeStatus ? { status: "running" as const, startedAt: now } : {}),
        });
        return;
      }
      const e: Record<string, unknown> = { ...prev, updatedAt: now, lastInteractionAt: now };
      if (a.writeStatus) {
        e.status = "running";
        e.startedAt = now;
        e.abortedLastRun = false;
        // a new run's row carries no end of the previous one (as in the s2 capture)
        delete e.endedAt;
        delete e.runtimeMs;
      }
      index[this.spec.sessionKey] = e;
    });
    if (this.transcriptExists()) this.appendUser(now, a.prompt, now);
    else this.pendingUser = { at: now, text: a.prompt, sentAt: now };
    this.takeLock(a.owner, now);
    if (this.live()) {
      const spec = this.runSpec(this.run, "success", now, now, now, now);
      const lines = runStartEvents(spec);
      appendLines(this.trajectoryPath, lines, 0o600);
      this.sourceSeq += lines.length;
      this.run.liveSeq = lines.length + 1;
    }
  }

  /** 2026.4.26 writes trajectory lines as they happen. */
  private live(): boolean {
    return this.spec.version === "2026.4.26";
  }

  /** One trajectory line of the current run, written now (2026.4.26). */
  private appendLive(make: (spec: RunSpec, seq: number) => string): void {
    const run = this.run;
    if (!run || run.liveSeq === undefined) return;
    const spec = this.runSpec(run, "success", run.startedAt, run.startedAt, run.startedAt, run.startedAt);
    this.sourceSeq += 1;
    appendLines(this.trajectoryPath, make({ ...spec, firstSourceSeq: this.sourceSeq - run.liveSeq + 1 }, run.liveSeq), 0o600);
    run.liveSeq += 1;
  }

  private assistant(a: Extract<SimAction, { do: "assistant" }>, now: number): void {
    const run = this.requireRun();
    this.materializeTranscript(now);
    const toolCalls = a.tool ? [{ id: `call_${this.rng.hex(12)}`, name: a.tool.name, arguments: a.tool.arguments }] : undefined;
    this.appendAssistant(now, { text: a.text, toolCalls, stopReason: a.stopReason });
    run.lastModelAt = now;
    if (a.text !== undefined) run.assistantTexts.push(a.text);
    for (const c of toolCalls ?? []) {
      run.toolCalls.push({ ...c, startedAt: now });
      this.appendLive((spec, seq) => toolCallEvent(now, runCtx(spec, seq, {}), c));
    }
  }

  private toolResultAction(text: string, isError: boolean, now: number): void {
    const run = this.requireRun();
    const open = run.toolCalls.find((c) => c.endedAt === undefined);
    if (!open) throw new Error(`${this.spec.sessionKey}: tool-result without an open tool call`);
    open.endedAt = now;
    open.isError = isError;
    open.result = text;
    this.lastWrittenAt = now;
    appendLines(this.transcriptPath, toolResult(now, open.id, open.name, text, isError, this.nextIds()));
    this.appendLive((spec, seq) => toolResultEvent(now, runCtx(spec, seq, {}), open));
  }

  private errorAttempt(errorMessage: string, now: number): void {
    const run = this.requireRun();
    this.materializeTranscript(now);
    const prev = run.attempts[run.attempts.length - 1];
    // a retry repeats the user message (same message.timestamp) before asking again
    if (prev) this.appendUser(now, run.prompt, run.userSentAt);
    const attemptStart = prev ? Math.min(prev.completedAt + 1, now) : run.startedAt;
    this.appendAssistant(now, { stopReason: "error", errorMessage });
    run.attempts.push({ startedAt: attemptStart, promptAt: Math.min(now, attemptStart + 100), completedAt: now });
  }

  private endRun(a: Extract<SimAction, { do: "end-run" }>, now: number): void {
    const run = this.requireRun();
    this.flushRun(a.status, now, a.fallbackStep === true);
    removeLock(this.transcriptPath);
    this.lockOwner = undefined;
    // an embedded runner's process exits with its run
    if (this.child) {
      this.child.kill("SIGKILL");
      this.child = undefined;
    }
    updateIndex(this.indexPath, (index) => {
      const prev = index[this.spec.sessionKey];
      if (!prev) return;
      if (a.index === "keep") {
        // an embedded run never writes status, but does refresh the row; a gateway row left
        // "running" by the bug is not touched at all
        if (prev.status === undefined) index[this.spec.sessionKey] = this.withModelFields({ ...prev, updatedAt: now, lastActivityAt: now }, now);
        return;
      }
      const e = this.withModelFields({ ...prev }, now);
      index[this.spec.sessionKey] = terminalPatch(e, a.index, now);
    });
    run.endedAt = now;
  }

  private async killOwner(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill("SIGKILL");
    // wait for the reap: until then kill(pid, 0) still succeeds on the zombie
    await exited(child);
  }

  /** An interrupted runner exits through its handlers: the lock goes, nothing else is written. */
  private async abortOwner(): Promise<void> {
    await this.killOwner();
    removeLock(this.transcriptPath);
    this.lockOwner = undefined;
  }

  private persistStatus(status: "failed", now: number): void {
    const endedAt = this.run?.endedAt ?? now;
    updateIndex(this.indexPath, (index) => {
      const prev = index[this.spec.sessionKey];
      if (!prev || prev.status !== "running") return;
      index[this.spec.sessionKey] = { ...terminalPatch(prev, status, endedAt), updatedAt: now };
    });
  }

  /** A clean gateway stop (SIGTERM): own transcript locks are removed, `running` rows stay. */
  releaseOwnLock(): boolean {
    if (!this.lockOwner || this.lockOwner.pid !== process.pid) return false;
    removeLock(this.transcriptPath);
    this.lockOwner = undefined;
    return true;
  }

  // ------------------------------------------------------------ helpers

  private newRun(prompt: string, now: number, trigger: CurrentRun["trigger"]): CurrentRun {
    return { runId: this.rng.uuid(), prompt, startedAt: now, userSentAt: now, trigger, toolCalls: [], attempts: [], assistantTexts: [] };
  }

  private requireRun(): CurrentRun {
    if (!this.run) throw new Error(`${this.spec.sessionKey}: no run in progress`);
    return this.run;
  }

  private entryBase(sessionStartedAt: number, lastInteractionAt: number) {
    return {
      sessionId: this.spec.sessionId,
      updatedAt: lastInteractionAt,
      sessionStartedAt,
      lastInteractionAt,
      sessionFile: this.transcriptPath,
      ...(this.spec.chatType !== undefined ? { chatType: this.spec.chatType } : {}),
      ...(this.spec.label !== undefined ? { label: this.spec.label } : {}),
      ...(this.spec.spawnedBy !== undefined ? { spawnedBy: this.spec.spawnedBy, parentSessionKey: this.spec.spawnedBy } : {}),
    };
  }

  /** After the first completed run OpenClaw adds the model block to the row. */
  private withModelFields(e: Record<string, unknown>, now: number): Record<string, unknown> {
    if (e.model === undefined) {
      e.model = this.spec.model;
      e.modelProvider = this.spec.provider;
      e.lastActivityAt = now;
      e.contextTokens = 200000;
      e.agentHarnessId = "openclaw";
    } else {
      e.lastActivityAt = now;
    }
    return e;
  }

  private takeLock(owner: "gateway" | "child", at: number): void {
    let lockOwner: LockOwner;
    if (owner === "child") {
      const child = spawnIdleChild();
      this.child = child;
      // the pid exists as soon as spawn returns (fork is synchronous)
      lockOwner = { pid: child.pid ?? -1, starttime: readStarttime(child.pid ?? -1) };
    } else {
      lockOwner = { pid: process.pid, starttime: readStarttime(process.pid) };
    }
    // a leftover lock of an earlier dead run is stolen, as the gateway does
    if (!createLock(this.transcriptPath, lockOwner, at, MAX_HOLD_MS)) {
      removeLock(this.transcriptPath);
      createLock(this.transcriptPath, lockOwner, at, MAX_HOLD_MS);
    }
    this.lockOwner = lockOwner;
  }

  private transcriptExists(): boolean {
    return fs.existsSync(this.transcriptPath);
  }

  /** `spaced`: backdated history has room for OpenClaw's real gaps; live steps must not write ahead of now. */
  private createTranscript(at: number, spaced = false): void {
    const lines = [transcriptHeader(this.spec.sessionId, at, this.spec.workspaceDir)];
    this.lastEntryId = null;
    lines.push(modelChange(at + (spaced ? 8 : 0), this.nextIds(), this.spec.provider, this.spec.model));
    lines.push(thinkingLevelChange(at + (spaced ? 8 : 0), this.nextIds()));
    lines.push(customModelSnapshot(at + (spaced ? 100 : 0), this.nextIds(), { provider: this.spec.provider, modelId: this.spec.model }));
    this.lastWrittenAt = at;
    appendLines(this.transcriptPath, lines);
  }

  /** 2026.7.1 creates a new session's transcript at the first assistant message. */
  private materializeTranscript(now: number): void {
    if (this.transcriptExists()) return;
    this.createTranscript(this.pendingUser ? this.pendingUser.at : now);
    if (this.pendingUser) this.appendUser(this.pendingUser.at, this.pendingUser.text, this.pendingUser.sentAt);
    this.pendingUser = undefined;
  }

  private appendUser(at: number, text: string, sentAt: number): void {
    this.lastWrittenAt = at;
    appendLines(this.transcriptPath, userMessage(at, text, this.nextIds(), sentAt));
  }

  private appendAssistant(at: number, o: { text?: string; toolCalls?: { id: string; name: string; arguments: Record<string, unknown> }[]; stopReason: "stop" | "toolUse" | "error" | "length" | "aborted"; errorMessage?: string }): void {
    const line = assistantMessage(
      at,
      {
        ...o,
        model: this.spec.model,
        provider: this.spec.provider,
        usage: o.stopReason === "error" ? { input: 0, output: 0 } : { input: this.rng.int(200, 4000), output: this.rng.int(5, 400) },
        responseId: o.stopReason === "error" ? undefined : `chatcmpl-${this.rng.hex(10)}`,
        // message.timestamp is when the model call began: before the entry, never before the previous one
        messageAt: Math.max(this.lastWrittenAt, at - this.rng.int(20, 80)),
      },
      this.nextIds(),
    );
    this.lastWrittenAt = at;
    appendLines(this.transcriptPath, line);
  }

  private nextIds(): EntryIds {
    const ids = { id: this.rng.hex(8), parentId: this.lastEntryId };
    this.lastEntryId = ids.id;
    return ids;
  }

  private ensurePointer(): void {
    const p = path.join(this.dir, `${this.spec.sessionId}.trajectory-path.json`);
    if (!fs.existsSync(p)) writePointer(this.dir, this.spec.sessionId, this.trajectoryPath);
  }

  private runSpec(run: CurrentRun, status: RunSpec["status"], startedAt: number, promptAt: number, completedAt: number, endedAt: number): RunSpec {
    return {
      sessionId: this.spec.sessionId,
      sessionKey: this.spec.sessionKey,
      runId: run.runId,
      agentId: this.spec.agentId,
      provider: this.spec.provider,
      modelId: this.spec.model,
      workspaceDir: this.spec.workspaceDir,
      sessionFile: this.transcriptPath,
      prompt: run.prompt,
      startedAt,
      promptAt,
      completedAt,
      endedAt,
      status,
      assistantTexts: run.assistantTexts,
      toolCalls: run.toolCalls,
      firstSourceSeq: this.sourceSeq + 1,
      trigger: run.trigger,
      ...(this.spec.messageChannel !== undefined ? { messageChannel: this.spec.messageChannel } : {}),
    };
  }

  /** 2026.7.1 writes a run's trajectory in one flush when the run ends. */
  private flushRun(status: RunSpec["status"], endedAt: number, fallbackStep = false): void {
    const run = this.requireRun();
    const lines: string[] = [];
    let last: RunSpec | undefined;
    if (run.liveSeq !== undefined) {
      // 2026.4.26: the start and the tool events are written already; only the end remains
      const completedAt = Math.min(endedAt, Math.max(run.startedAt, run.lastModelAt ?? endedAt));
      const spec = { ...this.runSpec(run, status, run.startedAt, run.startedAt, completedAt, endedAt), firstSourceSeq: this.sourceSeq - run.liveSeq + 2 };
      const end = runEndEvents(spec, run.liveSeq);
      lines.push(...end);
      this.sourceSeq += end.length;
      last = spec;
    } else if (run.attempts.length > 0) {
      // retries: one session.started .. session.ended(error) block per attempt, same runId
      for (const a of run.attempts) {
        const spec = { ...this.runSpec(run, "error", a.startedAt, a.promptAt, a.completedAt, a.completedAt + 1), assistantTexts: [], toolCalls: [] };
        lines.push(...runEvents(spec));
        this.sourceSeq += runEventCount(spec);
        last = spec;
      }
    } else {
      // keep the run's events in time order even when a fast simulation packs them into a few ms
      const firstAnswer = Math.min(run.toolCalls[0]?.startedAt ?? Infinity, run.lastModelAt ?? endedAt, endedAt);
      const promptAt = Math.max(run.startedAt, Math.min(run.startedAt + 150, firstAnswer));
      const completedAt = Math.min(endedAt, Math.max(promptAt, run.lastModelAt ?? endedAt));
      const spec = this.runSpec(run, status, run.startedAt, promptAt, completedAt, endedAt);
      lines.push(...runEvents(spec));
      this.sourceSeq += runEventCount(spec);
      last = spec;
    }
    if (fallbackStep && last) {
      this.sourceSeq += 1;
      lines.push(fallbackStepEvent(endedAt, last, this.sourceSeq, "500 provider: internal server error"));
    }
    appendLines(this.trajectoryPath, lines, 0o600);
    run.endedAt = endedAt;
  }
}
