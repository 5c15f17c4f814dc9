// The list the live view draws from. Every update of the source is taken (the next frame always
// draws the newest list), but an update that would draw the same screen is not rendered: on an
// idle era C store most updates only re-word the reasons' ages ("lock taken 11m38s ago") of
// sessions off screen, and each render of 10,000 rows costs a frame and milliseconds of CPU.
import { useEffect, useReducer, useRef, useState } from "react";
import { sameHeartbeat } from "../../core/heartbeat-equality.js";
import type { Heartbeat } from "../../core/types.js";
import { rowId } from "./layout.js";
import type { HeartbeatSource } from "./source.js";

/**
 * `next`, with each heartbeat that equals its predecessor in `prev` (sameHeartbeat) replaced by
 * that predecessor: an era C commit re-derives the whole agent's store (thousands of new, equal
 * objects), and rows, measured widths and the check below all go by identity.
 */
export function keepUnchanged(prev: readonly Heartbeat[], next: Heartbeat[]): Heartbeat[] {
  if (prev === next) return next;
  // the source keeps its order: by position, unless sessions came or went
  const byId = prev.length === next.length ? undefined : new Map(prev.map((h) => [rowId(h), h]));
  let out: Heartbeat[] | undefined;
  for (let i = 0; i < next.length; i++) {
    const b = next[i]!;
    const a = byId ? byId.get(rowId(b)) : prev[i];
    if (!a || a === b || a.agentId !== b.agentId || a.sessionKey !== b.sessionKey || !sameHeartbeat(a, b)) continue;
    out ??= [...next];
    out[i] = a;
  }
  return out ?? next;
}

/**
 * Whether the view draws `next` as it drew `prev`: the same sessions in the same order, and
 * every heartbeat that was replaced drawn alike (`alike`, the view's rule; without one every
 * replacement counts). Unchanged heartbeats are the same objects, so this is identity checks
 * plus one comparison per replaced heartbeat.
 */
export function drawsAlike(prev: readonly Heartbeat[], next: readonly Heartbeat[], alike?: (a: Heartbeat, b: Heartbeat) => boolean): boolean {
  if (prev === next) return true;
  if (!alike || prev.length !== next.length) return false;
  for (let i = 0; i < next.length; i++) {
    const a = prev[i]!;
    const b = next[i]!;
    if (a === b) continue;
    if (a.agentId !== b.agentId || a.sessionKey !== b.sessionKey || !alike(a, b)) return false;
  }
  return true;
}

/**
 * The list the view shows; while paused it stays frozen and updates are only counted.
 * `isPaused` reads the key handler's latest state: an update that lands between the pause key
 * and the next render must already be held. `drawnAlike` says whether the screen as last drawn
 * would stay the same with the new list; then no render is asked for. `onUpdate` runs after
 * every update taken, drawn or not.
 */
export function useFeed(
  source: HeartbeatSource,
  paused: boolean,
  isPaused: () => boolean,
  drawnAlike: (prev: readonly Heartbeat[], next: readonly Heartbeat[]) => boolean,
  onUpdate?: () => void,
): { list: Heartbeat[]; held: number } {
  // a ref, not state: a render for any reason (a key, a tick) draws the newest list
  const latest = useRef<Heartbeat[] | undefined>(undefined);
  latest.current ??= source.get();
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [held, setHeld] = useState(0);
  const alike = useRef(drawnAlike);
  alike.current = drawnAlike;
  const updated = useRef(onUpdate);
  updated.current = onUpdate;
  useEffect(() => {
    if (paused) return;
    const next = keepUnchanged(latest.current!, source.get());
    if (next !== latest.current) {
      latest.current = next;
      redraw();
    }
    setHeld(0);
  }, [paused, source]);
  useEffect(
    () =>
      source.subscribe(() => {
        if (isPaused()) {
          setHeld((n) => n + 1);
          return;
        }
        const prev = latest.current!;
        const next = keepUnchanged(prev, source.get());
        latest.current = next;
        if (!alike.current(prev, next)) redraw();
        updated.current?.();
      }),
    [source, isPaused],
  );
  return { list: latest.current, held };
}
