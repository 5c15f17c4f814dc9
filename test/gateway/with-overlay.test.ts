import { afterEach, describe, expect, it, vi } from "vitest";
import type { LiveFacts, OverlayState } from "../../src/core/overlay.js";
import type { Heartbeat } from "../../src/core/types.js";
import type { GatewayOverlay, OverlayStatus } from "../../src/gateway/open-overlay.js";
import { withGatewayOverlay } from "../../src/gateway/with-overlay.js";
import type { LiveSource } from "../../src/store/live-source.js";
import { baseline } from "./helpers.js";

afterEach(() => vi.useRealTimers());

function fakes(list: Heartbeat[]) {
  const sourceCbs = new Set<() => void>();
  const overlayCbs = new Set<() => void>();
  let status: OverlayStatus = { connected: false, phase: "connecting" };
  let facts: OverlayState = {};
  const closed: string[] = [];
  const source = {
    stateDir: "/s",
    get: () => list,
    subscribe: (cb: () => void) => (sourceCbs.add(cb), () => sourceCbs.delete(cb)),
    lastUpdateAt: () => 1,
    close: () => closed.push("source"),
  } as unknown as LiveSource;
  const overlay: GatewayOverlay = {
    apply: (hb) => ({ ...hb, state: "streaming", source: "gateway" }),
    subscribe: (cb) => (overlayCbs.add(cb), () => overlayCbs.delete(cb)),
    status: () => status,
    facts: () => facts,
    listen: async () => status,
    close: () => closed.push("overlay"),
  };
  return {
    source,
    overlay,
    sourceCbs,
    overlayCbs,
    closed,
    set(s: Partial<OverlayStatus>, f: Record<string, LiveFacts> = facts) {
      status = { ...status, ...s };
      facts = f;
    },
  };
}

describe("withGatewayOverlay", () => {
  it("passes the files' list through untouched while not connected", () => {
    const list = [baseline()];
    const f = fakes(list);
    expect(withGatewayOverlay(f.source, f.overlay).get()).toBe(list);
  });

  it("refines every heartbeat while connected, and names the connection for the header", () => {
    const f = fakes([baseline()]);
    f.set({ connected: true, phase: "connected", protocol: 4 });
    const w = withGatewayOverlay(f.source, f.overlay);
    expect(w.get()[0]).toMatchObject({ state: "streaming", source: "gateway" });
    expect(w.gateway()).toEqual({ connected: true, protocol: 4, reason: undefined });
  });

  it("one subscription hears both the files and the gateway; unsubscribing leaves neither", () => {
    const f = fakes([baseline()]);
    const w = withGatewayOverlay(f.source, f.overlay);
    const cb = vi.fn();
    const off = w.subscribe(cb);
    for (const c of [...f.sourceCbs, ...f.overlayCbs]) c();
    expect(cb).toHaveBeenCalledTimes(2);
    off();
    expect(f.sourceCbs.size + f.overlayCbs.size).toBe(0);
  });

  it("re-reads each second while the gateway reports a run in progress (a stall needs no event)", () => {
    vi.useFakeTimers();
    const f = fakes([baseline()]);
    const w = withGatewayOverlay(f.source, f.overlay);
    const cb = vi.fn();
    w.subscribe(cb);
    vi.advanceTimersByTime(1_000);
    expect(cb).not.toHaveBeenCalled();
    f.set({ connected: true, phase: "connected" }, { k: { sessionKey: "k", state: "awaiting_model", since: 1 } });
    vi.advanceTimersByTime(1_000);
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it("close ends the overlay and the files' feed", () => {
    const f = fakes([]);
    withGatewayOverlay(f.source, f.overlay).close();
    expect(f.closed).toEqual(["overlay", "source"]);
  });
});
