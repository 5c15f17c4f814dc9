import { describe, expect, it } from "vitest";
import { liveness, recovering, RECOVERY_WINDOW_MS } from "../../../src/core/health/liveness.js";
import { ownerVerdict } from "../../../src/core/health/owner.js";
import type { Evidence } from "../../../src/core/types.js";
import { NOW, ago, entry, evidence, gateway, lock } from "./evidence.js";

const judge = (ev: Evidence, lastActivity: number | undefined) => liveness(ev, ownerVerdict(ev.lock, NOW), lastActivity, NOW);
const running = entry({ status: "running", startedAt: ago(600) });
const marked = (s: number) => entry({ status: "running", startedAt: ago(600), abortedLastRun: true, updatedAt: ago(s) });

describe("liveness", () => {
  it.each([
    ["a live lock owner", evidence({ entry: running, lock: lock("alive", ago(600)) }), ago(600), "owner", undefined],
    ["a dead lock owner", evidence({ entry: running, lock: lock("dead", ago(600)), gateway: gateway(true, ago(9000)) }), ago(600), "none", "lock owner pid 4242 is dead"],
    ["no lock, no gateway", evidence({ entry: running }), ago(600), "none", "no lock and no live gateway"],
    ["no lock, gateway dead", evidence({ entry: running, gateway: gateway(false, ago(9000)) }), ago(600), "none", "no lock and no live gateway"],
    ["no lock, gateway restarted after the last activity", evidence({ entry: running, gateway: gateway(true, ago(60)) }), ago(600), "none", "no lock, and the gateway restarted since"],
    ["no lock, gateway up since before the last activity", evidence({ entry: running, gateway: gateway(true, ago(9000)) }), ago(600), "gateway", undefined],
    ["no lock, gateway start unknown", evidence({ entry: running, gateway: { alive: true, probe: "ok" } }), ago(600), "gateway", undefined],
    ["recovery under way", evidence({ entry: marked(3), gateway: gateway(true, ago(8)) }), ago(600), "recovering", undefined],
    ["recovery under way beats a dead lock", evidence({ entry: marked(3), lock: lock("dead", ago(600)), gateway: gateway(true, ago(8)) }), ago(600), "recovering", undefined],
    ["recovery that stalled", evidence({ entry: marked(300), gateway: gateway(true, ago(305)) }), ago(600), "none", "gateway recovery did not finish"],
  ] as const)("%s -> %s", (_name, ev, lastActivity, kind, lost) => {
    const live = judge(ev, lastActivity);
    expect(live.kind).toBe(kind);
    expect(live.lost).toBe(lost);
    expect(live.reason.length).toBeGreaterThan(0);
  });
});

describe("recovering", () => {
  it.each([
    ["marked after the live gateway started", evidence({ entry: marked(2), gateway: gateway(true, ago(7)) }), true],
    ["window passed", evidence({ entry: marked(RECOVERY_WINDOW_MS / 1000 + 1), gateway: gateway(true, ago(500)) }), false],
  ] as const)("%s", (_name, ev, within) => {
    expect(recovering(ev, NOW)?.within).toBe(within);
  });

  it.each([
    ["abortedLastRun not set", evidence({ entry: entry({ status: "running", updatedAt: ago(2) }), gateway: gateway(true, ago(7)) })],
    ["marked before this gateway started (an older gateway's mark)", evidence({ entry: marked(20), gateway: gateway(true, ago(7)) })],
    ["no live gateway", evidence({ entry: marked(2), gateway: gateway(false, ago(7)) })],
    ["not running (chat.abort leaves killed + abortedLastRun)", evidence({ entry: entry({ status: "killed", abortedLastRun: true, updatedAt: ago(2) }), gateway: gateway(true, ago(7)) })],
  ] as const)("not when %s", (_name, ev) => {
    expect(recovering(ev, NOW)).toBeUndefined();
  });
});
