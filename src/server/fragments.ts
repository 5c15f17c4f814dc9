// Each heartbeat's JSON text, made once while its object lives (the live source hands in a new
// object for every change). 10,000 sessions are 7 MB of JSON: stringifying them for every answer
// cost a tenth of a second. A turn in progress has the one field that moves with the clock,
// turnElapsedMs: its text is kept in two halves around that number, which is filled in per answer.
import type { Heartbeat } from "../core/types.js";
import { heartbeatJson } from "../ui/snapshot.js";

/** heartbeatJson's key order puts this between startedAt and lastActivityAt, exactly once. */
const ELAPSED = ',"turnElapsedMs":0,';

type Fragment = string | { head: string; tail: string; startedAt: number };

export class HeartbeatFragments {
  private readonly made = new WeakMap<Heartbeat, Fragment>();

  /** The same text as JSON.stringify(heartbeatJson(hb, now)). */
  json(hb: Heartbeat, now: number): string {
    let f = this.made.get(hb);
    if (f === undefined) this.made.set(hb, (f = fragment(hb)));
    if (typeof f === "string") return f;
    return `${f.head}${Math.max(0, now - f.startedAt)}${f.tail}`;
  }
}

function fragment(hb: Heartbeat): Fragment {
  const probe = heartbeatJson(hb, 0);
  if (probe.turnElapsedMs === null || hb.startedAt === undefined) return JSON.stringify(probe);
  // judged at its own start the elapsed time is 0; a quote inside a string value is escaped (\"),
  // so `,"turnElapsedMs"` can only be the key itself
  const text = JSON.stringify(heartbeatJson(hb, hb.startedAt));
  const at = text.indexOf(ELAPSED);
  const cut = at + ELAPSED.length - 2; // keep the comma before the key and after the value
  return { head: text.slice(0, cut), tail: text.slice(cut + 1), startedAt: hb.startedAt };
}
