// `status --gateway`: one read of the files, refined by a short listen to the gateway's own
// events. A gateway that refuses us (our secret, a pairing to approve) ends the command with
// exit 69; one that is not running leaves the files' view, with a warning.
import { parseDurationFlag } from "../core/duration.js";
import { UnavailableError } from "../core/errors.js";
import type { Heartbeat } from "../core/types.js";
import type { HeartbeatView } from "./heartbeats.js";
import type { Io } from "./io.js";

export const DEFAULT_GATEWAY_WAIT_MS = 2_000;

export interface GatewayReport {
  heartbeats: Heartbeat[];
  /** when the listen ended: the time the refined verdicts hold at (the fixed clock, if one is set) */
  at: number;
  /** for --json: whether the overlay was connected when the window closed, and how long it listened */
  status: { connected: boolean; protocol: number | null; reason: string | null; listenedMs: number };
}

/** commander parser for --gateway-wait: a period (2s, 500ms, 1m; a bare number is seconds), at most 10 min. */
export function gatewayWaitMs(value: string): number {
  return parseDurationFlag("--gateway-wait", value, "period", { maxMs: 10 * 60_000 });
}

export async function listenToGateway(view: HeartbeatView, io: Io, waitMs = DEFAULT_GATEWAY_WAIT_MS, fixedNow?: number): Promise<GatewayReport> {
  const { snapshot, thresholds } = view;
  // the gateway's events arrive during the listen: judged at the time they are applied, not at the
  // files' read before it (a turn streaming "for -2s", an activity in the future)
  const now = (): number => fixedNow ?? Math.max(view.now, Date.now());
  // the overlay and its WebSocket client load only when asked for: plain `status` never pays for them
  const { openGatewayOverlay } = await import("../gateway/open-overlay.js");
  const overlay = openGatewayOverlay({
    configPath: snapshot.configPath,
    config: snapshot.config,
    openclawStateDir: snapshot.stateDir,
    thresholds,
    now,
    env: io.env,
    tmpDir: io.tmpDir,
    onNotice: (line) => io.stderr.write(`${line}\n`),
    tellRefusals: false,
  });
  const started = Date.now();
  try {
    const status = await overlay.listen(waitMs);
    const listenedMs = Date.now() - started;
    if (status.blocked) throw new UnavailableError(`--gateway: ${status.reason ?? "the gateway refused this tool"}`);
    if (!status.connected) io.stderr.write(`warning: --gateway: ${status.reason ?? "not connected"}; showing what the files say\n`);
    return {
      heartbeats: status.connected ? view.heartbeats.map((hb) => overlay.apply(hb)) : view.heartbeats,
      at: now(),
      status: { connected: status.connected, protocol: status.protocol ?? null, reason: status.reason ?? null, listenedMs },
    };
  } finally {
    overlay.close();
  }
}
