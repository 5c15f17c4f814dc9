// `serve --gateway`: the overlay of src/gateway on serve's live source. Its transitions reach the
// hub as any change does (the overlaid list); its evictions become drains at once, before the
// files show them. Whether it is connected is part of /readyz and /metrics, never a condition of
// readiness: without the gateway serve serves what the files say.
import type { GatewayEviction, GatewayOverlay, OverlayStatus } from "../gateway/open-overlay.js";
import type { DrainReason } from "./departures.js";
import type { GatewayEvictionInput } from "./hub.js";

/** How long serve waits at start for the overlay's first word (connected, refused, no gateway). */
export const GATEWAY_SETTLE_MS = 5_000;

/** The overlay's state as /readyz and /metrics show it. */
export interface GatewayState {
  connected: boolean;
  phase: string;
  protocol: number | null;
  reason: string | null;
}

export function gatewayState(s: OverlayStatus | undefined): GatewayState {
  if (!s) return { connected: false, phase: "connecting", protocol: null, reason: "not opened yet: the first read of the stores has not finished" };
  return { connected: s.connected, phase: s.phase, protocol: s.protocol ?? null, reason: s.reason ?? null };
}

/**
 * Resolves once the overlay is connected, refused, finds no gateway, or its first attempt failed
 * (a port that refuses, a gateway still starting: the files are served meanwhile); else after `ms`.
 */
export function firstOutcome(overlay: GatewayOverlay, ms: number): Promise<OverlayStatus> {
  return new Promise((resolve) => {
    let off: () => void = () => undefined;
    const check = (): boolean => {
      const s = overlay.status();
      if (s.phase === "connecting") return false;
      done();
      return true;
    };
    const timer = setTimeout(() => done(), ms);
    const done = (): void => {
      clearTimeout(timer);
      off();
      resolve(overlay.status());
    };
    if (check()) return;
    off = overlay.subscribe(() => void check());
  });
}

/** The drain a gateway eviction means: a reset or /new is `reset`, a delete `deleted`. */
export function evictionDrain(e: GatewayEviction): GatewayEvictionInput {
  const reason: DrainReason = e.reason === "delete" ? "deleted" : "reset";
  const agent = /^agent:([^:]+):/.exec(e.sessionKey)?.[1];
  return { sessionKey: e.sessionKey, ...(agent !== undefined ? { agentId: agent } : {}), ...(e.sessionId !== undefined ? { sessionId: e.sessionId } : {}), reason };
}
