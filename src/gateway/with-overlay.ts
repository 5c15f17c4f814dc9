// The live feed with the gateway overlay on top: the same list, each heartbeat refined while the
// overlay is connected, and one more reason to re-render (a gateway event, a dropped socket).
import type { LiveSource } from "../store/live-source.js";
import type { GatewayIndicator } from "../ui/watch/source.js";
import type { GatewayOverlay } from "./open-overlay.js";

const STALL_RECHECK_MS = 1_000;

export type OverlaidSource = LiveSource & { gateway(): GatewayIndicator };

export function withGatewayOverlay(source: LiveSource, overlay: GatewayOverlay): OverlaidSource {
  return {
    ...source,
    // untouched heartbeats keep their object (apply returns it), so their rows do not re-render
    get: () => {
      const list = source.get();
      return overlay.status().connected ? list.map((hb) => overlay.apply(hb)) : list;
    },
    subscribe(cb) {
      const offSource = source.subscribe(cb);
      const offOverlay = overlay.subscribe(cb);
      // a live phase crosses its stall threshold with no event to say so: re-read each second
      // while the gateway reports a run in progress
      const tick = setInterval(() => {
        if (overlay.status().connected && Object.values(overlay.facts()).some((f) => f.state !== undefined)) cb();
      }, STALL_RECHECK_MS);
      tick.unref();
      return () => {
        clearInterval(tick);
        offSource();
        offOverlay();
      };
    },
    gateway: () => {
      const s = overlay.status();
      return { connected: s.connected, protocol: s.protocol, reason: s.reason };
    },
    close() {
      overlay.close();
      source.close();
    },
  };
}
