// The verdicts of a live feed (`watch`, `serve`): the health model's heartbeat, and what a feed
// must know beyond it: whether the run can still move (serve's timer heartbeats are for those
// only), and when time alone can change the heartbeat again (what the clock tick re-judges).
import { judgeSession, type SessionFacts } from "../health/index.js";
import type { Evidence, Heartbeat, Thresholds } from "../types.js";
import { rejudgeAfterMs, youngestAgeShown } from "./rejudge-after.js";
import { verdictDueAt } from "./verdict-due.js";

export interface LiveVerdict {
  hb: Heartbeat;
  /** a run is in progress and something alive (its owner, the gateway, OpenClaw's recovery) can move it */
  moving: boolean;
  /** epoch ms when time alone can next change the verdict (a threshold passes); Infinity: never */
  verdictDueAt: number;
  /** until then, the reasons' ages next need a new wording after this many ms (0: every few seconds) */
  rejudgeAfterMs: number;
}

export function judgeLive(ev: Evidence, now: number, th: Thresholds): LiveVerdict {
  const { hb, facts } = judgeSession(ev, now, th);
  return {
    hb,
    moving: runCanMove(facts),
    verdictDueAt: verdictDueAt(ev, facts, now, th),
    rejudgeAfterMs: rejudgeAfterMs(youngestAgeShown(ev, facts), now),
  };
}

/**
 * A run that can still move: claimed, not ended, not lost, and someone alive can progress it. A
 * run whose owner is gone (unresponsive, nothing alive) cannot: it changes only when a file does or
 * cleanup/OpenClaw ends it, and either is a transition. One past the whole-run timeout whose owner
 * still lives can.
 */
export function runCanMove(f: SessionFacts): boolean {
  return f.claim !== undefined && f.activity.state !== "complete" && !f.lost && f.live !== undefined && f.live.kind !== "none";
}
