// Whether the gateway overlay is asked for: read by every command, so it stays apart from the
// overlay and its WebSocket client, which only a run with the overlay on loads.
import type { Env } from "../store/locate.js";

/** Set to 1 (or true/yes/on) to turn the overlay on without --gateway. */
export const GATEWAY_ENV = "OPENCLAW_SESSIONS_GATEWAY";

export function gatewayWanted(flag: boolean | undefined, env: Env = process.env): boolean {
  if (flag) return true;
  const v = env[GATEWAY_ENV]?.trim().toLowerCase();
  return v === "1" || v === "true" || v === "yes" || v === "on";
}
