// The lives simulated sessions go through, as pure scripts: a list of actions with delays in
// SIMULATED milliseconds (the gateway divides them by `speed`), each carrying the verdict the
// simulator intends once the action is applied. The verdict is what a correct reader + health
// model must conclude from the files alone.

import type { Health, SessionState, StoreStatus, Thresholds } from "../core/types.js";
import { OPENCLAW_ERROR_PERSIST_MS } from "../core/health/repair.js";
import { DEFAULT_STALL_AFTER_MS } from "../core/thresholds.js";
import type { RunEndStatus, StopReason } from "./format.js";
import type { Rng } from "./random.js";

export type ScenarioKind =
  | "quick" // quick turns: user -> assistant stop, index running -> done
  | "slow-model" // the model takes long (under the stall threshold), then answers
  | "long-tool" // assistant toolUse, a tool runs long (under the threshold), toolResult, answer
  | "stall" // waiting for a model that never answers: stalled past the threshold
  | "crash-tool" // the run's process is SIGKILLed during a tool: running + dead lock owner
  | "crash-new-session" // a brand-new session dies waiting for the model: index row, pointer, dead lock, NO transcript
  | "ended-index-running" // run ends (trajectory success) but the index keeps saying running
  | "error-grace" // model errors; index says running (no lock) for the 15 s grace, then failed
  | "cron" // agent:<id>:cron:<job>:run:<uuid>
  | "subagent" // agent:<id>:subagent:<uuid> with spawnedBy
  | "group" // agent:<id>:<channel>:group:<gid>, chatType group
  | "embedded" // `openclaw agent --local`: no status ever written, a live child holds the lock
  | "embedded-abort"; // an `openclaw agent --local` turn interrupted (Ctrl-C) before the model answered: idle

export const SCENARIO_KINDS: readonly ScenarioKind[] = [
  "quick",
  "slow-model",
  "long-tool",
  "stall",
  "crash-tool",
  "crash-new-session",
  "ended-index-running",
  "error-grace",
  "cron",
  "subagent",
  "group",
  "embedded",
  "embedded-abort",
];

/**
 * Scenarios whose life ends where it stops: broken ones stay broken for the tool to repair, and an
 * interrupted embedded turn stays abandoned (nobody reruns it).
 */
export const TERMINAL_SCENARIOS: readonly ScenarioKind[] = ["stall", "crash-tool", "crash-new-session", "ended-index-running", "error-grace", "embedded-abort"];

export type LockState = "none" | "alive" | "dead";

/** What the simulator intends a correct health model to conclude. */
export interface IntendedVerdict {
  state: SessionState;
  /** health before the stall clock: verdictAt() turns an overdue in-progress run into "stalled" */
  health: Health;
  /** what sessions.json says (undefined: no status field) */
  storeStatus?: StoreStatus;
  /** a run is in progress for real (someone may still write) */
  runInProgress: boolean;
  /** the transcript lock */
  lock: LockState;
  /** the index contradicts the evidence (says running while no run is, or the owner is dead) */
  drift: boolean;
  toolName?: string;
  /** epoch ms the current state began: the stall clock */
  since: number;
  /** the status a finalizer should write for this row now, if any */
  finalizeTo?: "done" | "failed" | "killed" | "timeout";
  /**
   * A sub-second window whose reading is legitimately ambiguous (the answer is in the transcript,
   * the run has not yet ended): do not compare a health model against it.
   */
  transient?: boolean;
}

export type VerdictTemplate = Omit<IntendedVerdict, "since">;

export type SimAction =
  /** backdated complete turns written at once: the session's past */
  | { do: "history"; turns: number; agoMs: number }
  /** run start: index running (unless embedded), lock taken, user message appended (buffered for a new transcript) */
  | { do: "begin-run"; prompt: string; owner: "gateway" | "child"; writeStatus: boolean; trigger: "user" | "cron" | "subagent" }
  | { do: "assistant"; text?: string; tool?: { name: string; arguments: Record<string, unknown> }; stopReason: StopReason }
  | { do: "tool-result"; text: string; isError: boolean }
  /** a failed model attempt: user message repeated + assistant stopReason error, one trajectory block */
  | { do: "error-attempt"; errorMessage: string }
  /** run end: trajectory flushed, lock released, index patched (or left as is with "keep") */
  | { do: "end-run"; status: RunEndStatus; index: "done" | "failed" | "keep"; fallbackStep?: boolean }
  /** the lock owner process is SIGKILLed */
  | { do: "kill-owner" }
  /** the lock owner exits on an interrupt: its exit handler removes the lock, nothing else is written */
  | { do: "abort-owner" }
  /** the deferred error persist after the grace */
  | { do: "persist-status"; status: "failed" };

export interface ScriptStep {
  /** simulated ms after the previous step */
  afterMs: number;
  action: SimAction;
  verdict: VerdictTemplate;
}


const idle = (storeStatus: StoreStatus | undefined): VerdictTemplate => ({
  state: "complete",
  health: "idle",
  storeStatus,
  runInProgress: false,
  lock: "none",
  drift: false,
});

// The health model's naming: a running tool is `active`; a turn waiting on the model is `waiting`
// (nothing in the files moves while a model thinks).
const inFlight = (state: SessionState, storeStatus: StoreStatus | undefined, toolName?: string): VerdictTemplate => ({
  state,
  health: state === "tool_exec" ? "active" : "waiting",
  storeStatus,
  runInProgress: true,
  lock: "alive",
  drift: false,
  ...(toolName !== undefined ? { toolName } : {}),
});

const TOOLS = [
  { name: "exec", arguments: { command: "npm test", yieldMs: 120000, timeout: 300 } },
  { name: "exec", arguments: { command: "make build", yieldMs: 120000, timeout: 600 } },
  { name: "read", arguments: { path: "README.md" } },
  { name: "web_fetch", arguments: { url: "https://example.com/status" } },
];

const PROMPTS = [
  "summarize the open pull requests",
  "check the deploy logs for errors",
  "draft the weekly status update",
  "why is the staging build red?",
  "rotate the API keys listed in TODO.md",
  "find flaky tests in the last 20 CI runs",
];

function quickTurn(rng: Rng, gapMs: number, status: "running" | "done" | undefined, owner: "gateway" | "child" = "gateway", trigger: "user" | "cron" | "subagent" = "user"): ScriptStep[] {
  const writeStatus = status !== undefined;
  return [
    {
      afterMs: gapMs,
      action: { do: "begin-run", prompt: rng.pick(PROMPTS), owner, writeStatus, trigger },
      verdict: inFlight("awaiting_model", writeStatus ? "running" : undefined),
    },
    {
      afterMs: rng.int(800, 4000),
      action: { do: "assistant", text: "Done: " + rng.pick(["all green.", "3 items found.", "draft saved.", "nothing to do."]), stopReason: "stop" },
      // the answer is in the transcript but the run has not ended yet: lock still held
      verdict: { ...inFlight("awaiting_model", writeStatus ? "running" : undefined), transient: true },
    },
    {
      afterMs: rng.int(20, 200),
      action: { do: "end-run", status: "success", index: writeStatus ? "done" : "keep" },
      verdict: idle(writeStatus ? "done" : undefined),
    },
  ];
}

function toolTurn(rng: Rng, gapMs: number, toolMs: number, trigger: "user" | "subagent" = "user"): ScriptStep[] {
  const tool = rng.pick(TOOLS);
  return [
    { afterMs: gapMs, action: { do: "begin-run", prompt: rng.pick(PROMPTS), owner: "gateway", writeStatus: true, trigger }, verdict: inFlight("awaiting_model", "running") },
    { afterMs: rng.int(800, 3000), action: { do: "assistant", tool, stopReason: "toolUse" }, verdict: inFlight("tool_exec", "running", tool.name) },
    { afterMs: toolMs, action: { do: "tool-result", text: "exit code 0", isError: false }, verdict: inFlight("awaiting_model", "running") },
    { afterMs: rng.int(800, 3000), action: { do: "assistant", text: "The tool finished cleanly.", stopReason: "stop" }, verdict: { ...inFlight("awaiting_model", "running"), transient: true } },
    { afterMs: rng.int(20, 200), action: { do: "end-run", status: "success", index: "done" }, verdict: idle("done") },
  ];
}

function history(rng: Rng): ScriptStep {
  return { afterMs: 0, action: { do: "history", turns: rng.int(1, 3), agoMs: rng.int(10 * 60_000, 48 * 3_600_000) }, verdict: idle("done") };
}

/** The script of one session's life. `cycle` > 0 is a repetition in loop mode (no history). */
export function scenarioScript(kind: ScenarioKind, rng: Rng, cycle = 0): ScriptStep[] {
  const first = cycle === 0;
  const start = first ? rng.int(0, 10_000) : rng.int(20_000, 90_000);
  const past = first ? [history(rng)] : [];
  switch (kind) {
    case "quick":
    case "group": {
      const turns = rng.int(2, 4);
      const steps: ScriptStep[] = [...past];
      for (let i = 0; i < turns; i++) steps.push(...quickTurn(rng, i === 0 ? start : rng.int(15_000, 60_000), "running"));
      return steps;
    }
    case "cron":
      // every cron wake is a brand-new session (new run key)
      return quickTurn(rng, start, "running", "gateway", "cron");
    case "subagent":
      return toolTurn(rng, start, rng.int(5_000, 20_000), "subagent");
    case "slow-model":
      return [
        ...past,
        { afterMs: start, action: { do: "begin-run", prompt: rng.pick(PROMPTS), owner: "gateway", writeStatus: true, trigger: "user" }, verdict: inFlight("awaiting_model", "running") },
        // long, but below the stall threshold
        { afterMs: rng.int(60_000, 90_000), action: { do: "assistant", text: "Sorry for the wait: here it is.", stopReason: "stop" }, verdict: { ...inFlight("awaiting_model", "running"), transient: true } },
        { afterMs: rng.int(20, 200), action: { do: "end-run", status: "success", index: "done" }, verdict: idle("done") },
      ];
    case "long-tool":
      return [...past, ...toolTurn(rng, start, rng.int(70_000, 100_000))];
    case "stall":
      return [
        ...past,
        { afterMs: start, action: { do: "begin-run", prompt: rng.pick(PROMPTS), owner: "gateway", writeStatus: true, trigger: "user" }, verdict: inFlight("awaiting_model", "running") },
      ];
    case "crash-tool": {
      const tool = TOOLS[0]!;
      return [
        ...past,
        { afterMs: start, action: { do: "begin-run", prompt: rng.pick(PROMPTS), owner: "child", writeStatus: true, trigger: "user" }, verdict: inFlight("awaiting_model", "running") },
        { afterMs: rng.int(800, 3000), action: { do: "assistant", tool, stopReason: "toolUse" }, verdict: inFlight("tool_exec", "running", tool.name) },
        {
          afterMs: rng.int(2000, 5000),
          action: { do: "kill-owner" },
          verdict: { state: "tool_exec", health: "unresponsive", storeStatus: "running", runInProgress: false, lock: "dead", drift: true, toolName: tool.name, finalizeTo: "failed" },
        },
      ];
    }
    case "crash-new-session":
      return [
        { afterMs: start, action: { do: "begin-run", prompt: rng.pick(PROMPTS), owner: "child", writeStatus: true, trigger: "user" }, verdict: inFlight("awaiting_model", "running") },
        {
          afterMs: rng.int(2000, 6000),
          action: { do: "kill-owner" },
          verdict: { state: "awaiting_model", health: "unresponsive", storeStatus: "running", runInProgress: false, lock: "dead", drift: true, finalizeTo: "failed" },
        },
      ];
    case "ended-index-running":
      return [
        ...past,
        { afterMs: start, action: { do: "begin-run", prompt: rng.pick(PROMPTS), owner: "gateway", writeStatus: true, trigger: "user" }, verdict: inFlight("awaiting_model", "running") },
        { afterMs: rng.int(800, 3000), action: { do: "assistant", text: "All set.", stopReason: "stop" }, verdict: { ...inFlight("awaiting_model", "running"), transient: true } },
        {
          afterMs: rng.int(20, 200),
          action: { do: "end-run", status: "success", index: "keep" },
          verdict: { ...idle("running"), drift: true, finalizeTo: "done" },
        },
      ];
    case "error-grace": {
      const attempts = rng.int(2, 4);
      const steps: ScriptStep[] = [
        ...past,
        { afterMs: start, action: { do: "begin-run", prompt: rng.pick(PROMPTS), owner: "gateway", writeStatus: true, trigger: "user" }, verdict: inFlight("awaiting_model", "running") },
      ];
      for (let i = 0; i < attempts; i++) {
        steps.push({
          afterMs: rng.int(200, 1500),
          action: { do: "error-attempt", errorMessage: "500 provider: internal server error" },
          // between retries the transcript ends with an error answer while the run goes on
          verdict: { ...inFlight("awaiting_model", "running"), transient: true },
        });
      }
      steps.push(
        {
          afterMs: rng.int(20, 100),
          action: { do: "end-run", status: "error", index: "keep", fallbackStep: true },
          verdict: { ...idle("running"), drift: true, finalizeTo: "failed" },
        },
        { afterMs: OPENCLAW_ERROR_PERSIST_MS, action: { do: "persist-status", status: "failed" }, verdict: idle("failed") },
      );
      return steps;
    }
    case "embedded": {
      const steps: ScriptStep[] = [];
      const turns = rng.int(1, 3);
      for (let i = 0; i < turns; i++) steps.push(...quickTurn(rng, i === 0 ? start : rng.int(10_000, 40_000), undefined, "child"));
      return steps;
    }
    case "embedded-abort":
      // one finished turn, then a turn whose runner is interrupted while the model thinks: its
      // lock goes with it, the index never had a status, and (2026.7.1 flushes a run's
      // trajectory only at its end) nothing records an end: no turn in progress, none complete
      return [
        ...quickTurn(rng, start, undefined, "child"),
        { afterMs: rng.int(10_000, 30_000), action: { do: "begin-run", prompt: rng.pick(PROMPTS), owner: "child", writeStatus: false, trigger: "user" }, verdict: inFlight("awaiting_model", undefined) },
        {
          afterMs: rng.int(3_000, 8_000),
          action: { do: "abort-owner" },
          verdict: { state: "idle", health: "idle", runInProgress: false, lock: "none", drift: false },
        },
      ];
  }
}

/** Thresholds matching the simulator's timeline: OpenClaw's 2 min stall warning, scaled. */
export function simThresholds(speed: number): Thresholds {
  return { stallAfterMs: Math.max(1, Math.round(DEFAULT_STALL_AFTER_MS / speed)), perState: {} };
}

/** The intended verdict at `now`: an in-progress run with a live owner stalls past its threshold. */
export function verdictAt(v: IntendedVerdict, now: number, thresholds: Thresholds): IntendedVerdict {
  if (!v.runInProgress || v.lock !== "alive" || (v.health !== "active" && v.health !== "waiting")) return v;
  const limit = thresholds.perState[v.state] ?? thresholds.stallAfterMs;
  return now - v.since > limit ? { ...v, health: "stalled" } : v;
}
