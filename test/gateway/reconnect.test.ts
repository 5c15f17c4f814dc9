// The client's reconnect loop against gateways that misbehave (test/gateway/hostile-gateway.ts):
// one attempt at a time whatever the tick policy says, nothing left running after close(), and a
// backoff that only a connection that stayed up starts over.
import { describe, expect, it } from "vitest";
import { watchdogMs } from "../../src/gateway/client.js";
import type { GatewayOverlay, GatewayOverlayOptions } from "../../src/gateway/open-overlay.js";
import { HostileGateway, type Plan } from "./hostile-gateway.js";
import { lockedTo, stopAfterTest, until } from "./helpers.js";
import { watchTimers } from "./timer-watch.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** random 0.5: no jitter, each backoff delay is exactly base * 2^(n-1), capped */
const NO_JITTER = () => 0.5;

interface Hostile {
  gateway: HostileGateway;
  /** an overlay on it with this client tuning (no jitter, no periodic relist) */
  open(client: GatewayOverlayOptions["client"]): GatewayOverlay;
}

async function hostile(plan: (n: number) => Plan): Promise<Hostile> {
  const gateway = stopAfterTest(new HostileGateway(plan));
  const locked = lockedTo(await gateway.start());
  return { gateway, open: (client) => locked.open({ client: { relistMs: 60_000, notPairedRetryMs: 0, random: NO_JITTER, ...client } }) };
}

/** Resolves true once the gateway holds none of our sockets, false if it still does after `ms`. */
async function drained(gateway: HostileGateway, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (gateway.open > 0 && performance.now() < end) await sleep(5);
  return gateway.open === 0;
}

const gaps = (t: number[]): number[] => t.slice(1).map((x, i) => x - t[i]);

/** The first connection gets hello-ok with `tickIntervalMs`, then a close; every later one is closed before hello. */
const helloOnceThenRefuse =
  (tickIntervalMs: number) =>
  (n: number): Plan =>
    n === 1 ? { hello: true, tickIntervalMs, closeAfterMs: 30 } : { hello: false, closeAfterMs: 20 };

describe("the silence watchdog", () => {
  it("measures silence against a tick bounded to 1 s .. 5 min: a policy past Node's timer limit is no 1 ms timer, a 1 ms tick no 2 ms one", () => {
    expect(watchdogMs(3e9)).toBe(10 * 60_000);
    expect(watchdogMs(1)).toBe(2_000);
    expect(watchdogMs(30_000)).toBe(60_000);
    expect(watchdogMs(undefined)).toBe(60_000);
  });

  it("a hello-ok with a tick past Node's timer limit keeps the connection: no drop 1 ms later and no redial loop", async () => {
    const { gateway, open } = await hostile(() => ({ hello: true, tickIntervalMs: 3e9 }));
    const overlay = open({ backoff: { baseMs: 20, maxMs: 40 } });
    await until(overlay, () => overlay.status().connected);
    // a watchdog overflowed to 1 ms would have dropped and redialed many times by then
    await sleep(300);
    expect(overlay.status().connected).toBe(true);
    expect(gateway.arrivals).toHaveLength(1);
  });
});

describe("one attempt at a time", () => {
  for (const tick of [3e9, 1]) {
    it(`after a hello-ok with tick ${tick} ms, a gateway closing before hello never sees two of our sockets open at once, and none after close()`, async () => {
      const { gateway, open } = await hostile(helloOnceThenRefuse(tick));
      // a short handshake deadline: a stale attempt's deadline is what used to start a second retry chain
      const overlay = open({ backoff: { baseMs: 20, maxMs: 40 }, handshakeTimeoutMs: 150 });
      await gateway.connections(12);
      overlay.close();
      expect(gateway.maxOpen).toBe(1);
      expect(await drained(gateway, 2_000)).toBe(true);
      const dialed = gateway.arrivals.length;
      // longer than the backoff cap and the handshake deadline: any retry left running would dial by then
      await sleep(400);
      expect(gateway.arrivals.length).toBe(dialed);
    });
  }

  const closeAt: [string, (gateway: HostileGateway, overlay: GatewayOverlay) => Promise<void>][] = [
    ["while a dial is under way", (gateway) => gateway.connections(5)],
    ["while it waits to redial", (gateway, overlay) => until(overlay, () => gateway.arrivals.length >= 4 && overlay.status().phase === "disconnected")],
  ];
  for (const [when, reached] of closeAt) {
    it(`close() ${when} leaves no timer or socket behind: the process could exit`, async () => {
      const { gateway, open } = await hostile(helloOnceThenRefuse(3e9));
      const sockets = (): number => process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length;
      const before = sockets();
      const timers = watchTimers();
      try {
        // redial delays 20, 40, 80, 160 ms: the wait after the 4th connection outlasts the checks below
        const overlay = open({ backoff: { baseMs: 20, maxMs: 1_000 }, handshakeTimeoutMs: 150 });
        await reached(gateway, overlay);
        overlay.close();
        expect(await drained(gateway, 2_000)).toBe(true);
        expect(timers.pending()).toEqual([]);
        expect(sockets()).toBe(before);
      } finally {
        timers.stop();
      }
    });
  }
});

describe("backoff", () => {
  it("a gateway that drops us right after hello-ok is redialed with doubling delays, not at the base rate", async () => {
    const { gateway, open } = await hostile(() => ({ hello: true, tickIntervalMs: 30_000, closeAfterMs: 0 }));
    open({ backoff: { baseMs: 20, maxMs: 160 } });
    await gateway.connections(7);
    // each redial waits at least its delay after the previous connection arrived (2 ms: timer rounding)
    const least = [20, 40, 80, 160, 160, 160].map((ms) => ms - 2);
    gaps(gateway.arrivals.slice(0, 7)).forEach((gap, i) => expect(gap, `gap ${i + 1}`).toBeGreaterThanOrEqual(least[i]));
  });

  it("a connection that stayed up past healthyAfterMs starts the backoff over", async () => {
    // four drops right after hello-ok (delays 20, 40, 80, 160), then one that stays up 300 ms
    const { gateway, open } = await hostile((n) => ({ hello: true, tickIntervalMs: 30_000, closeAfterMs: n === 5 ? 300 : 0 }));
    open({ backoff: { baseMs: 20, maxMs: 5_000 }, healthyAfterMs: 200 });
    await gateway.connections(6);
    const [stayedUp] = gaps(gateway.arrivals).slice(4);
    // without the reset the next delay is 320 ms on top of the 300 ms up; with it 20 ms
    expect(stayedUp).toBeLessThan(300 + 300);
  });
});
