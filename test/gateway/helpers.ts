// A fake gateway behind a real singleton lock in a temp dir, and an overlay opened on it the way
// the commands open one (our identity in a temp XDG_STATE_HOME).
import fs from "node:fs";
import path from "node:path";
import { afterEach } from "vitest";
import type { Heartbeat, Thresholds } from "../../src/core/types.js";
import { openGatewayOverlay, type GatewayOverlay, type GatewayOverlayOptions } from "../../src/gateway/open-overlay.js";
import { FakeGateway, type FakeGatewayOptions } from "../../src/sim/gateway-ws.js";
import { makeStateDir, makeTempDir, writeGatewayLock } from "../fixtures/store-builder.js";

export const TH: Thresholds = { stallAfterMs: 120_000, perState: {} };
export const KEY = "agent:main:main";

const open: { gateways: { stop(): Promise<void> }[]; overlays: GatewayOverlay[] } = { gateways: [], overlays: [] };
afterEach(async () => {
  for (const o of open.overlays.splice(0)) o.close();
  for (const g of open.gateways.splice(0)) await g.stop();
});

/** Stops a gateway of the test's own after it (as `rig` does its fake gateway). */
export function stopAfterTest<G extends { stop(): Promise<void> }>(gateway: G): G {
  open.gateways.push(gateway);
  return gateway;
}

export interface Rig extends Locked {
  gateway: FakeGateway;
}

export interface Locked {
  stateDir: string;
  configPath: string;
  tmpDir: string;
  xdg: string;
  notices: string[];
  open(over?: Partial<GatewayOverlayOptions>): GatewayOverlay;
}

export async function rig(fake: FakeGatewayOptions = {}, config: Record<string, unknown> = {}, lockPid = process.pid): Promise<Rig> {
  const gateway = stopAfterTest(new FakeGateway(fake));
  const port = await gateway.start();
  return { gateway, ...lockedTo(port, config, lockPid) };
}

/** A state dir whose singleton lock names `port`, and overlays opened on it the way the commands open one. */
export function lockedTo(port: number, config: Record<string, unknown> = {}, lockPid = process.pid): Locked {
  const stateDir = makeStateDir();
  const configPath = path.join(stateDir, "openclaw.json");
  fs.writeFileSync(configPath, JSON.stringify(config));
  const tmpDir = makeTempDir("ocs-gw-tmp-");
  const xdg = makeTempDir("ocs-xdg-");
  writeGatewayLock(tmpDir, configPath, { pid: lockPid, createdAt: Date.now() - 1000, port, startTime: lockPid === process.pid ? procStart(process.pid) : 1 });
  const notices: string[] = [];
  return {
    stateDir,
    configPath,
    tmpDir,
    xdg,
    notices,
    open(over = {}) {
      const overlay = openGatewayOverlay({
        configPath,
        config,
        openclawStateDir: stateDir,
        thresholds: TH,
        tmpDir,
        env: { XDG_STATE_HOME: xdg, HOME: xdg, ...(over.env ?? {}) },
        onNotice: (l) => notices.push(l),
        client: { backoff: { baseMs: 10, maxMs: 50 }, relistMs: 60_000, notPairedRetryMs: 0 },
        ...over,
      });
      open.overlays.push(overlay);
      return overlay;
    },
  };
}

function procStart(pid: number): number {
  const raw = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(raw.slice(raw.lastIndexOf(")") + 2).split(" ")[19]);
}

/** Resolves once `test` holds for the overlay (checked now and after every change). */
export function until(overlay: GatewayOverlay, test: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (test()) return resolve();
    const off = overlay.subscribe(() => {
      if (test()) {
        off();
        resolve();
      }
    });
  });
}

/** Resolves once the fake gateway has answered `n` requests of `method`. */
export function requests(gateway: FakeGateway, method: string, n: number): Promise<void> {
  return new Promise((resolve) => {
    const count = () => gateway.methods.filter((m) => m === method).length;
    if (count() >= n) return resolve();
    const on = (): void => {
      if (count() >= n) {
        gateway.off("request", on);
        // the answer is sent right after the request is recorded
        setImmediate(resolve);
      }
    };
    gateway.on("request", on);
  });
}

export function baseline(over: Partial<Heartbeat> = {}): Heartbeat {
  return { sessionKey: KEY, agentId: "main", sessionId: "s-1", state: "awaiting_model", health: "waiting", reasons: ["from files"], updatedAt: 1, ...over };
}
