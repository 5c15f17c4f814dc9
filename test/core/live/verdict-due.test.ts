// When a live feed must judge a session again with no file changing (verdictDueAt): a feed that
// judges only then, on a fake clock ticking every second, shows at every tick the verdict a fresh
// judgment would (what `status --json` says at that moment), while runs that time can no longer
// move are not judged again at all.
import { describe, expect, it } from "vitest";
import { judgeSession } from "../../../src/core/health/index.js";
import { verdictDueAt } from "../../../src/core/live/verdict-due.js";
import type { Evidence, Heartbeat, Thresholds } from "../../../src/core/types.js";
import { GW_START_S, NOW, TH, ago, entry, evidence, gateway, lock, run, toolCall, trajectory, transcript } from "./fixtures.js";

const STALE_S = 600; // DEFAULT_STALE_AFTER_MS

const AGE = /\d+(?:ms|d\d+h|h\d+m|m\d+s|s)/g;

/** The heartbeat with the ages in its wording (reasons, drift, outcomeReason) masked: what may not lag behind the clock. */
const shown = (hb: Heartbeat): string => JSON.stringify(hb).replace(AGE, "<age>");

/**
 * A feed on a fake clock: one tick a second for `seconds`, judging the session again only at the
 * ticks verdictDueAt asked for. Returns the ticks where it showed something else than a fresh
 * judgment, and how many times it judged.
 */
function feed(ev: Evidence, seconds: number, th: Thresholds = TH, from = NOW): { mismatches: string[]; judged: number; at: Map<number, Heartbeat> } {
  let v = judgeSession(ev, from, th);
  let due = verdictDueAt(ev, v.facts, from, th);
  let judged = 1;
  const mismatches: string[] = [];
  const at = new Map<number, Heartbeat>();
  for (let s = 1; s <= seconds; s++) {
    const t = from + s * 1000;
    if (t >= due) {
      v = judgeSession(ev, t, th);
      due = verdictDueAt(ev, v.facts, t, th);
      judged++;
    }
    at.set(s, v.hb);
    const fresh = judgeSession(ev, t, th).hb;
    if (shown(fresh) !== shown(v.hb)) mismatches.push(`+${s}s: fed ${shown(v.hb)}\n   but fresh ${shown(fresh)}`);
  }
  return { mismatches, judged, at };
}

describe("verdictDueAt", () => {
  // an embedded run (no status: nothing can repair it) whose process died 9m30s ago
  const deadEmbedded = evidence({
    entry: entry(),
    lock: lock("dead", ago(570)),
    transcript: transcript({ lastRole: "user", lastMessageAt: ago(570), lastEntryAt: ago(570) }),
  });

  it("a dead run nothing can repair is judged again on the tick --stale-after passes, and reads lost then", () => {
    const v = judgeSession(deadEmbedded, NOW, TH);
    expect(v.hb.health).toBe("unresponsive");
    expect(verdictDueAt(deadEmbedded, v.facts, NOW, TH)).toBe(ago(570 - STALE_S));
    const { mismatches, at } = feed(deadEmbedded, 60);
    expect(mismatches).toEqual([]);
    // silent for 10m00s 30 s from now: lost from that tick on, not one tick later
    expect(at.get(29)!.health).toBe("unresponsive");
    expect(at.get(30)!.outcome).toBe("lost");
    expect(at.get(30)!.health).toBe("idle");
  });

  it("follows --stale-after: a longer one moves the moment the run reads lost", () => {
    const th = { ...TH, staleAfterMs: 20 * 60_000 };
    const { mismatches, at } = feed(deadEmbedded, 11 * 60, th);
    expect(mismatches).toEqual([]);
    expect(at.get(10 * 60 + 29)!.health).toBe("unresponsive");
    expect(at.get(10 * 60 + 30)!.outcome).toBe("lost");
  });

  it("a dead run past every threshold is never due again: no judging a second", () => {
    // the bench's runs left by a killed gateway: a running row, dead owner, days old
    const left = evidence({
      entry: entry({ status: "running", startedAt: ago(3 * 86_400), updatedAt: ago(3 * 86_400) }),
      lock: lock("dead", ago(3 * 86_400)),
      transcript: transcript({ lastRole: "user", lastMessageAt: ago(3 * 86_400), lastEntryAt: ago(3 * 86_400) }),
    });
    const v = judgeSession(left, NOW, TH);
    expect(v.hb.health).toBe("unresponsive");
    expect(verdictDueAt(left, v.facts, NOW, TH)).toBe(Infinity);
    expect(feed(left, 120)).toMatchObject({ mismatches: [], judged: 1 });
  });

  it("a resting session with no lock is never due: only its ages move", () => {
    const resting = evidence({ entry: entry({ status: "done", startedAt: ago(7200), endedAt: ago(7100) }), transcript: transcript({ lastRole: "assistant", lastStopReason: "stop", lastMessageAt: ago(7100) }) });
    expect(verdictDueAt(resting, judgeSession(resting, NOW, TH).facts, NOW, TH)).toBe(Infinity);
  });

  // every threshold time can cross, each on the fed verdict's own ticks
  it.each([
    [
      "a running row whose owner died: cleanup's repair (outcome failed) shows as --stale-after passes",
      evidence({ entry: entry({ status: "running", startedAt: ago(580) }), lock: lock("dead", ago(580)) }),
      60,
    ],
    [
      "an unreadable lock is held for 30 s after its mtime, then nothing holds it",
      evidence({ entry: entry({ status: "running", startedAt: ago(10) }), lock: lock("unknown", undefined, { pid: undefined, mtimeMs: ago(10) }) }),
      60,
    ],
    [
      "a gateway's recovery mark holds for its window, then the run is unresponsive",
      evidence({
        entry: entry({ status: "running", startedAt: ago(900), abortedLastRun: true, updatedAt: ago(40) }),
        transcript: transcript({ lastRole: "user", lastMessageAt: ago(900), lastEntryAt: ago(900) }),
        gateway: gateway(true, ago(45)),
      }),
      60,
    ],
    [
      "a lock-less run inside the live gateway stops being its run at --stale-after",
      evidence({
        entry: entry({ status: "running", startedAt: ago(590) }),
        trajectory: trajectory(run({ firstEventAt: ago(590), lastEventAt: ago(580), promptSubmittedAt: ago(580) })),
        gateway: gateway(true, ago(GW_START_S)),
      }),
      60,
    ],
    [
      "a live run stalls when its state's threshold passes",
      evidence({
        entry: entry({ status: "running", startedAt: ago(100) }),
        lock: lock("alive", ago(100)),
        transcript: transcript({ lastRole: "assistant", lastStopReason: "toolUse", lastMessageAt: ago(100), openToolCalls: [toolCall("exec", ago(100))] }),
      }),
      60,
    ],
    [
      "a live run passes the whole-run timeout",
      evidence({
        entry: entry({ status: "running", startedAt: ago(48 * 3600 - 20) }),
        lock: lock("alive", ago(48 * 3600 - 20)),
        transcript: transcript({ lastRole: "user", lastMessageAt: ago(10), lastEntryAt: ago(10) }),
      }),
      60,
    ],
    [
      "an error kept for the gateway's persist grace is judged when the grace ends",
      evidence({
        entry: entry({ status: "running", startedAt: ago(60) }),
        trajectory: trajectory(run({ firstEventAt: ago(60), lastEventAt: ago(10), ended: { status: "error", at: ago(10) } })),
        transcript: transcript({ lastRole: "assistant", lastStopReason: "error", lastMessageAt: ago(10) }),
        gateway: gateway(true, ago(GW_START_S)),
      }),
      60,
    ],
  ] as const)("%s", (_what, ev, seconds) => {
    const { mismatches, judged } = feed(ev, seconds);
    expect(mismatches).toEqual([]);
    // a threshold crossed inside the window: the feed judged again, but far from every second
    expect(judged).toBeGreaterThan(1);
    expect(judged).toBeLessThan(seconds / 4);
  });

  it("era C: a live gateway's restart recovery holds a row it runs no task for only until its window ends: the feed judges it again then, unresponsive", () => {
    // the gateway started 20 s ago; the row and its task are older
    const ev = evidence({
      era: "C",
      tasksKnown: true,
      entry: entry({ status: "running", startedAt: ago(900), updatedAt: ago(900) }),
      transcript: transcript({ lastRole: "user", lastMessageAt: ago(900), lastEntryAt: ago(900) }),
      gateway: gateway(true, ago(20)),
    });
    const { mismatches, at } = feed(ev, 90);
    expect(mismatches).toEqual([]);
    expect(at.get(30)?.health).toBe("waiting");
    expect(at.get(45)?.health).toBe("unresponsive");
  });
});

