// Which gateway a client of the gateway WebSocket may connect to: the one this state dir's
// singleton lock names and whose owner is alive, or why there is none. Only reads lock files.
import { findGatewayLock } from "./gateway.js";
import { parseLockBody } from "./locks.js";
import { readEraCOwner } from "./sqlite/owner.js";

/** A gateway to connect to, or why none. */
export type GatewayTarget = { url: string; label: string; port?: number } | { unavailable: string };

/**
 * Connect ONLY to the port of this state dir's live gateway lock, never to a default port.
 * The gateway this state dir's singleton lock names: `$TMPDIR/openclaw-<uid>/` up to 2026.8, the
 * state dir's own `tmp/openclaw-<uid>/` since 2026.9 (where the era C reader finds it too). A live
 * gateway's lock wins over a dead one's left in the other place.
 */
export function lockTarget(configPath: string, tmpDir?: string, stateDir?: string): GatewayTarget {
  const fromTmp = tmpLockTarget(configPath, tmpDir);
  if ("url" in fromTmp || stateDir === undefined) return fromTmp;
  const owner = readEraCOwner(stateDir);
  if (!owner.lockPath) return fromTmp;
  if (!owner.alive) return { unavailable: `the gateway of ${configPath} is not running (lock ${owner.lockPath}, owner dead)` };
  if (owner.role === "agent-embedded") {
    return { unavailable: `the state dir's singleton lock ${owner.lockPath} is held by an embedded openclaw agent --local run (pid ${owner.pid}), not a gateway` };
  }
  if (owner.port === undefined) return { unavailable: `the gateway lock ${owner.lockPath} names no port` };
  return { url: `ws://127.0.0.1:${owner.port}/`, label: `gateway at 127.0.0.1:${owner.port}`, port: owner.port };
}

function tmpLockTarget(configPath: string, tmpDir?: string): GatewayTarget {
  const found = findGatewayLock(configPath, tmpDir);
  if (!found) return { unavailable: `no gateway is running for ${configPath} (no singleton lock)` };
  const lock = parseLockBody(found.lockPath, found.text, found.mtimeMs);
  if (lock.owner !== "alive") return { unavailable: `the gateway of ${configPath} is not running (lock ${found.lockPath}, owner ${lock.owner})` };
  if (found.port === undefined) return { unavailable: `the gateway lock ${found.lockPath} names no port` };
  return { url: `ws://127.0.0.1:${found.port}/`, label: `gateway at 127.0.0.1:${found.port}`, port: found.port };
}
