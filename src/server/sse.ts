// Server-Sent Events: the same frames as the WebSocket, as `id: <seq>` / `event: <type>` /
// `data: <json>` blocks, so a browser's EventSource resumes by itself with Last-Event-ID.
import type { IncomingMessage, ServerResponse } from "node:http";
import { wireBytes, type Frame } from "./event-log.js";
import type { Sink } from "./stream-client.js";

/** A comment line every so often: proxies and load balancers close streams they think idle. */
export const SSE_KEEPALIVE_MS = 15_000;

const SSE_END = Buffer.from("\n\n", "utf8");

export function sseBytes(frame: Frame): Buffer {
  // JSON.stringify never emits a raw newline, so the data fits one `data:` line
  frame.sse ??= Buffer.concat([Buffer.from(`id: ${frame.seq}\nevent: ${frame.type}\ndata: `, "utf8"), wireBytes(frame), SSE_END]);
  return frame.sse;
}

/** Starts the event stream on `res` and returns the sink that writes frames to it. */
export function openSse(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): Sink & { dispose(): void } {
  res.writeHead(200, {
    ...headers,
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
  });
  // how long EventSource waits before it reconnects (with Last-Event-ID)
  res.write("retry: 2000\n\n");
  req.socket.setNoDelay(true);
  const keepalive = setInterval(() => res.write(": keepalive\n\n"), SSE_KEEPALIVE_MS);
  keepalive.unref();
  return {
    write: (frame) => res.write(sseBytes(frame)),
    onDrained: (cb) => res.once("drain", cb),
    close: (_code, reason) => {
      clearInterval(keepalive);
      // SSE has no close frame: a comment says why, then the response ends
      if (!res.writableEnded) res.end(`: closed: ${reason.replace(/\n/g, " ")}\n\n`);
      // the connection goes too: a stream's socket is never reused for another request
      res.once("finish", () => req.socket.end());
    },
    dispose: () => clearInterval(keepalive),
  };
}
