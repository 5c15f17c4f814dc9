import type { Heartbeat } from "../../core/types.js";

/** Whether the gateway overlay (watch --gateway) is connected, for the header. */
export interface GatewayIndicator {
  connected: boolean;
  protocol?: number;
  /** why not connected */
  reason?: string;
}

/**
 * What the live view reads. The command owns the store watcher and re-derivation; the view only
 * asks for the current list when told something changed.
 */
export interface HeartbeatSource {
  get(): Heartbeat[];
  /** cb runs after each update; returns the unsubscribe function */
  subscribe(cb: () => void): () => void;
  /**
   * epoch ms of the last successful refresh (including periodic re-checks with no change):
   * the footer turns yellow when this stops advancing
   */
  lastUpdateAt(): number;
  /** present with --gateway: the overlay's connection */
  gateway?(): GatewayIndicator;
  /** the warnings that hold now (a store that cannot be read ...): the view's banner */
  warnings?(): string[];
}
