// How long a loop leaves a store alone after a write conflict (another openclaw-sessions process
// holds the store, the index kept changing under us, the gateway overwrote our change).
// Exponential and capped, with jitter: two writers that collided once must not keep colliding on
// the same beat, and a gateway in a write burst gets room to finish.

export interface BackoffPolicy {
  /** the first delay (a loop uses its interval) */
  baseMs: number;
  /** the delay never grows past this */
  maxMs: number;
}

export interface BackoffState {
  /** conflicts in a row */
  failures: number;
  /** no attempt before this (epoch ms of the real clock) */
  notBefore: number;
}

/** Delay after `failures` conflicts in a row (>= 1); `random` in [0, 1) spreads it by +-25 %. */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: number): number {
  const n = Math.max(1, Math.floor(failures));
  const grown = policy.baseMs * 2 ** Math.min(n - 1, 30);
  const capped = Math.min(grown, Math.max(policy.baseMs, policy.maxMs));
  const jitter = 0.75 + Math.min(Math.max(random, 0), 1) * 0.5;
  return Math.max(1, Math.round(capped * jitter));
}

/** The state after one more conflict at `now`. */
export function afterConflict(prev: BackoffState | undefined, now: number, policy: BackoffPolicy, random: number): BackoffState {
  const failures = (prev?.failures ?? 0) + 1;
  return { failures, notBefore: now + backoffDelayMs(failures, policy, random) };
}

/** Milliseconds still to wait (0: go ahead). */
export function waitLeftMs(state: BackoffState | undefined, now: number): number {
  return state ? Math.max(0, state.notBefore - now) : 0;
}
