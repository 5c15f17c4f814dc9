// The WebSocket transport (package `ws`): one text message per frame. Clients send nothing; a
// message, or a frame that breaks the protocol, closes that socket with a reason, and only it.
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { wireBytes, type Frame } from "./event-log.js";
import type { Sink } from "./stream-client.js";

/** Bytes handed to ws but not yet to the kernel before a client counts as not reading. */
export const WS_HIGH_WATER = 1 << 20;
/** A client that answers no ping for this long is gone (a laptop lid closed, a dead NAT entry). */
export const WS_PING_MS = 30_000;
/** Clients send nothing: a message larger than this is refused by ws itself (close 1009). */
export const WS_MAX_PAYLOAD = 4096;

export const CLOSE = {
  goingAway: { code: 1001, reason: "server shutting down" },
  noMessages: { code: 1003, reason: "this stream takes no messages" },
} as const;

/**
 * `socket`: the connection under `ws`, corked for the rest of the turn at a burst's first frame:
 * a timer tick hands each client one frame per turn in progress (a thousand at 10,000 sessions),
 * and uncorked each would be its own write(2), a hundred thousand every interval at 100 clients.
 */
export function wsSink(ws: WebSocket, socket?: Pick<Duplex, "cork" | "uncork">): Sink & { dispose(): void } {
  let inFlight = 0;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket?.uncork();
  };
  let drained: (() => void) | undefined;
  let alive = true;
  const ping = setInterval(() => {
    if (!alive) {
      ws.terminate();
      return;
    }
    alive = false;
    ws.ping();
  }, WS_PING_MS);
  ping.unref();
  ws.on("pong", () => (alive = true));
  const send = (frame: Frame): boolean => {
    const data = wireBytes(frame);
    const bytes = data.length;
    inFlight += bytes;
    if (socket && !corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    // a text frame, from the buffer every client shares (ws writes it to the socket uncopied)
    ws.send(data, { binary: false }, () => {
      // written to the socket (or the socket failed): either way no longer ours to hold
      inFlight -= bytes;
      if (drained && inFlight < WS_HIGH_WATER / 2) {
        const cb = drained;
        drained = undefined;
        cb();
      }
    });
    return inFlight < WS_HIGH_WATER;
  };
  return {
    write: (frame) => (ws.readyState === ws.OPEN ? send(frame) : true),
    onDrained: (cb) => (drained = cb),
    close: (code, reason) => {
      clearInterval(ping);
      // a close reason is at most 123 bytes
      ws.close(code, Buffer.from(reason).subarray(0, 123).toString());
    },
    dispose: () => clearInterval(ping),
  };
}
