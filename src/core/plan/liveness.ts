// Small facts the planners share: when a session last did something, and whether any process
// could still be running it. Derived from Evidence directly (not from the health model's
// internals) so each plan can say exactly which file proved what.

import { formatDuration } from "../duration.js";
import type { Evidence, Heartbeat } from "../types.js";
import { iso } from "./actions.js";

/**
 * OpenClaw treats an empty or unparseable lock as held until it is old (a fresh lock file is
 * empty for ~50 ms); it calls a transcript lock stale after 30 min. We use the same horizon, so a
 * garbled leftover lock delays a repair but never lets us touch a run someone still holds.
 */
export const UNKNOWN_LOCK_HELD_MS = 30 * 60_000;

function maxOf(values: Array<number | undefined>): number | undefined {
  let best: number | undefined;
  for (const v of values) if (typeof v === "number" && Number.isFinite(v) && (best === undefined || v > best)) best = v;
  return best;
}

function finite(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function entryStartedAt(ev: Evidence): number | undefined {
  return finite(ev.entry.startedAt);
}

/**
 * The newest activity written INSIDE the session's files (transcript entry, trajectory event)
 * or the run's start. This is what a finalizer may call the run's end: file mtimes and index
 * bumps (OpenClaw's recovery mark, our own touches) are not the run doing anything.
 */
export function lastRecordedActivityAt(ev: Evidence): number | undefined {
  return maxOf([
    ev.transcript?.lastEntryAt,
    ev.transcript?.lastMessageAt,
    ev.trajectory?.lastEventAt,
    ev.trajectory?.run?.lastEventAt,
    entryStartedAt(ev),
  ]);
}

/**
 * Any sign of life, for "is it quiet?" checks: the recorded activity plus the health model's own
 * lastActivityAt and the lock's creation. Wider than lastRecordedActivityAt on purpose: when in
 * doubt, a session counts as recently active and is left alone.
 */
export function lastActivityAt(ev: Evidence, hb?: Heartbeat): number | undefined {
  return maxOf([lastRecordedActivityAt(ev), hb?.lastActivityAt, ev.lock?.createdAt]);
}

export function gatewayAlive(ev: Evidence): boolean {
  const g = ev.gateway;
  return !!g && (g.alive || g.probe === "ok");
}

export interface OwnerVerdict {
  /** some process may still be running this session's current run */
  alive: boolean;
  /** true when that belief rests on a held transcript lock (not just a live gateway) */
  viaLock: boolean;
  reason: string;
}

/** Who could still be writing this run: the transcript lock holder, else the gateway. */
export function judgeOwner(ev: Evidence, now: number): OwnerVerdict {
  const lock = ev.lock;
  if (lock) {
    const pid = lock.pid !== undefined ? `pid ${lock.pid}` : "an unnamed process";
    switch (lock.owner) {
      case "alive":
        return { alive: true, viaLock: true, reason: `transcript lock held by live ${pid}` };
      case "dead":
        return { alive: false, viaLock: false, reason: `transcript lock owner ${pid} is dead` };
      case "reused":
        return { alive: false, viaLock: false, reason: `transcript lock ${pid} now belongs to another process (pid reused)` };
      case "unknown": {
        const age = now - lock.mtimeMs;
        return age < UNKNOWN_LOCK_HELD_MS
          ? { alive: true, viaLock: true, reason: `transcript lock unreadable but recent (${formatDuration(age)} old): treated as held` }
          : { alive: false, viaLock: false, reason: `transcript lock unreadable and ${formatDuration(age)} old: abandoned` };
      }
    }
  }
  if (!gatewayAlive(ev)) {
    return { alive: false, viaLock: false, reason: "no transcript lock and no live gateway" };
  }
  const gw = ev.gateway!;
  const runStart = entryStartedAt(ev) ?? lastRecordedActivityAt(ev);
  if (gw.startedAt !== undefined && runStart !== undefined && runStart < gw.startedAt) {
    return {
      alive: false,
      viaLock: false,
      reason: `no transcript lock, and the run (${iso(runStart)}) predates the current gateway (started ${iso(gw.startedAt)})`,
    };
  }
  const who = gw.pid !== undefined ? ` (pid ${gw.pid})` : "";
  return { alive: true, viaLock: false, reason: `no transcript lock, but the live gateway${who} may still own this run` };
}

/** A lock that might be held (live owner, or unreadable and recent). */
export function lockMayBeHeld(ev: Evidence, now: number): boolean {
  const lock = ev.lock;
  if (!lock) return false;
  return lock.owner === "alive" || (lock.owner === "unknown" && now - lock.mtimeMs < UNKNOWN_LOCK_HELD_MS);
}

export function ago(now: number, at: number): string {
  return `${formatDuration(now - at)} ago`;
}
