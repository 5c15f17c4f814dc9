// The HTTP server of `serve`: the guards every request passes (Host, auth, CORS) in the order that
// spends a ticket last, the read endpoints, the two streams and the probes (what a request asks
// for is read in request.ts). Every request or connection ends in exactly
// one log line; whatever one client sends, the others are served on.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { heartbeatJson } from "../ui/snapshot.js";
import type { Auth } from "./auth.js";
import { hostAllowed, originAllowed } from "./guard.js";
import { clientErrorAnswer } from "./client-error.js";
import { HttpError, errorBody, queryTicket, sendJson, sendRaw } from "./http-util.js";
import { askedOf, hostHeaderCount, isWebSocketUpgrade, matchRoute, METHODS, parseTarget, routeLabel, wellFormedHandshake, type Asked, type Matched } from "./request.js";
import type { Hub } from "./hub.js";
import type { Logger } from "./log.js";
import type { Metrics } from "./metrics.js";
import { openSse } from "./sse.js";
import { StreamClient, type Sink } from "./stream-client.js";
import { CLOSE, WS_MAX_PAYLOAD, wsSink } from "./ws.js";

export interface Readiness {
  ready: boolean;
  /** why not, when not */
  reason?: string;
  /** with --gateway: the overlay's connection (never a condition of readiness) */
  gateway?: { connected: boolean; phase: string; protocol: number | null; reason: string | null };
}

export interface ServeAppOptions {
  hub: Hub;
  auth: Auth;
  /** bound to loopback: Host and Origin are checked (DNS rebinding) */
  loopback: boolean;
  corsOrigins: readonly string[];
  logger: Logger;
  metrics: Metrics;
  /** a stream client's pending frames before its heartbeats give way to a resync */
  clientQueue: number;
  readiness: () => Readiness;
  now: () => number;
  /**
   * false: leave Node's shouldUpgradeCallback unset, so a non-WebSocket upgrade takes the path
   * Nodes before 24.9 give it (servePlainOnUpgradeSocket); tests prove that path on Node 24
   */
  upgradeCallback?: boolean;
  /** Node's headersTimeout (60 s) and how often it is checked (30 s); tests shorten both */
  headersTimeoutMs?: number;
}

/** Takes the ticket out of a URL before it is logged. */
function loggedPath(url: string | undefined): string {
  const u = url ?? "";
  const q = u.indexOf("?");
  return q === -1 ? u : u.slice(0, q);
}

export interface ServeApp {
  server: http.Server;
  /** connected stream clients, by transport */
  clients(): Record<"ws" | "sse", number>;
  /** closes every stream (WebSocket 1001, SSE ended), stops listening, waits for the rest */
  shutdown(graceMs?: number): Promise<void>;
}

export function createServeApp(o: ServeAppOptions): ServeApp {
  const { hub, auth, logger, metrics } = o;
  /** `kill`: drops the connection at once, for a client that does not finish closing */
  const streams = new Map<StreamClient, { transport: "ws" | "sse"; sink: Sink; kill: () => void }>();
  let lastGone: (() => void) | undefined;
  const forget = (client: StreamClient): void => {
    streams.delete(client);
    if (streams.size === 0) lastGone?.();
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, clientTracking: false });
  /** sockets answered outside Node's HTTP server (servePlainOnUpgradeSocket): shutdown ends them too */
  const rawSockets = new Set<import("node:net").Socket>();
  let closing = false;

  // Node >= 24.9 hands a non-WebSocket upgrade to the request handler by shouldUpgradeCallback;
  // older Nodes raise 'upgrade' for it, and the upgrade handler below serves it as a plain request.
  // requireHostHeader off: an HTTP/1.1 request without Host gets this server's JSON 400 (addressed),
  // not Node's empty one.
  const serverOptions = {
    maxHeaderSize: 16 * 1024,
    requireHostHeader: false,
    ...(o.upgradeCallback !== false ? { shouldUpgradeCallback: isWebSocketUpgrade } : {}),
    ...(o.headersTimeoutMs !== undefined ? { headersTimeout: o.headersTimeoutMs, connectionsCheckingInterval: Math.max(10, o.headersTimeoutMs / 4) } : {}),
  } as http.ServerOptions;
  const server = http.createServer(serverOptions, (req, res) => onRequest(req, res));

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    // read now: a closed socket no longer knows it
    const remote = req.socket.remoteAddress;
    let route = "unknown";
    let logged = false;
    let streamInfo: { client: StreamClient } | undefined;
    const done = () => {
      if (logged) return;
      logged = true;
      metrics.countRequest(route, res.statusCode);
      logger.line(streamInfo ? "stream" : "request", {
        remote,
        method: req.method,
        path: loggedPath(req.url),
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        ...(streamInfo ? { transport: "sse", events: streamInfo.client.sent, lastSeq: streamInfo.client.lastSeq } : {}),
      });
    };
    res.on("finish", done);
    res.on("close", done);
    try {
      const m = handle(req, res);
      route = m.route;
      if (m.stream) streamInfo = { client: m.stream };
    } catch (err) {
      route = routeLabel(req);
      const e = err instanceof HttpError ? err : new HttpError(500, "internal", `internal error: ${(err as Error).message}`);
      if (e.status === 500) logger.line("error", { message: (err as Error).stack ?? String(err) });
      if (!res.headersSent) sendJson(res, e.status, errorBody(e.code, e.message), { ...corsHeaders(req), ...e.headers });
      else res.end();
    }
  }

  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (!origin || !o.corsOrigins.includes(origin)) return {};
    return { "Access-Control-Allow-Origin": origin, Vary: "Origin" };
  }

  /**
   * The target and its host: every request, a CORS preflight included, is addressed to this
   * server by a loopback name when bound to loopback (by its Host, or an absolute target's authority).
   */
  function addressed(req: IncomingMessage): URL {
    if (hostHeaderCount(req) > 1) throw new HttpError(400, "bad_request", "more than one Host header");
    const { url, authority } = parseTarget(req);
    const host = authority ?? req.headers.host;
    if (host === undefined && req.httpVersion !== "1.0") throw new HttpError(400, "bad_request", `HTTP/${req.httpVersion} needs a Host header`);
    if (!hostAllowed(host, o.loopback)) {
      throw new HttpError(403, "forbidden", `Host ${JSON.stringify(host ?? "")} is not a loopback name: this server answers only requests addressed to localhost (DNS rebinding)`);
    }
    return url;
  }

  /** Route, method and Origin, for plain requests and upgrades alike. */
  function route(req: IncomingMessage, url: URL, upgrade: boolean): Matched {
    const m = matchRoute(url.pathname);
    if (!m) throw new HttpError(404, "not_found", `no such endpoint: ${url.pathname}`);
    const allowed = METHODS[m.name];
    if (!allowed.includes(req.method ?? "")) {
      throw new HttpError(405, "method_not_allowed", `${req.method} is not allowed on ${url.pathname} (use ${allowed.join(" or ")})`, { Allow: allowed.join(", ") });
    }
    if (m.name === "ws" && !upgrade) throw new HttpError(426, "upgrade_required", "this is a WebSocket endpoint: connect with a WebSocket client", { Upgrade: "websocket" });
    if (m.name !== "ws" && upgrade) throw new HttpError(404, "not_found", `${url.pathname} takes no WebSocket; the stream is /api/sessions/ws`);
    if (upgrade && !wellFormedHandshake(req)) {
      throw new HttpError(400, "bad_request", "not a WebSocket handshake this server takes: it needs Sec-WebSocket-Key (16 bytes, base64) and Sec-WebSocket-Version 13 (or 8)");
    }
    if (upgrade && !originAllowed(req.headers.origin, req.headers.host, o.loopback, o.corsOrigins)) {
      throw new HttpError(403, "forbidden", `WebSocket from Origin ${req.headers.origin} refused: only loopback pages, the same origin, or --cors-origin`);
    }
    return m;
  }

  /** The token or a ticket, last: a ticket is spent only by a request that is otherwise answered. */
  function authorize(m: Matched, req: IncomingMessage, url: URL): void {
    if (m.name === "livez" || m.name === "readyz" || !auth.required) return;
    // browsers cannot set headers on a WebSocket or an EventSource: they bring a ticket instead
    const viaTicket = (m.name === "ws" || m.name === "events") && url.searchParams.has("ticket");
    const ok = viaTicket ? auth.redeem(queryTicket(url.searchParams)) : auth.bearerOk(req);
    if (!ok) {
      const why = viaTicket ? "the ticket is unknown, used or expired: get a new one with POST /api/tickets" : "send Authorization: Bearer <token> (the --token-file's contents)";
      throw new HttpError(401, "unauthorized", why, { "WWW-Authenticate": 'Bearer realm="openclaw-sessions"' });
    }
  }

  /** Everything a request must pass before it is answered, in the order that spends a ticket last. */
  function admit(req: IncomingMessage, url: URL, upgrade: boolean): { m: Matched; asked: Asked } {
    const m = route(req, url, upgrade);
    const asked = askedOf(m, url, req);
    if (m.name === "batch" || m.name === "one" || m.name === "events" || m.name === "ws") requireReady();
    if (closing && (m.name === "events" || m.name === "ws")) throw new HttpError(503, "not_ready", "the server is shutting down");
    authorize(m, req, url);
    return { m, asked };
  }

  function requireReady(): void {
    const r = o.readiness();
    if (!r.ready) throw new HttpError(503, "not_ready", r.reason ?? "the first read of the stores has not finished", { "Retry-After": "2" });
  }

  function handle(req: IncomingMessage, res: ServerResponse): { route: string; stream?: StreamClient } {
    const url = addressed(req);
    if (req.method === "OPTIONS" && req.headers.origin && o.corsOrigins.includes(req.headers.origin) && matchRoute(url.pathname)) {
      // a CORS preflight: it carries no credentials by design
      res.writeHead(204, {
        ...corsHeaders(req),
        "Access-Control-Allow-Methods": "GET, POST",
        "Access-Control-Allow-Headers": "Authorization, Last-Event-ID",
        "Access-Control-Max-Age": "600",
      });
      res.end();
      return { route: "preflight" };
    }
    const { m, asked } = admit(req, url, false);
    const cors = corsHeaders(req);
    switch (m.name) {
      case "livez":
        sendJson(res, 200, `${JSON.stringify({ status: "ok" })}\n`, cors);
        break;
      case "readyz": {
        const r = o.readiness();
        sendJson(res, r.ready ? 200 : 503, `${JSON.stringify({ ...(r.ready ? { ready: true, seq: hub.seq, sessions: hub.size } : { ready: false, reason: r.reason }), ...(r.gateway ? { gateway: r.gateway } : {}) })}\n`, cors);
        break;
      }
      case "metrics":
        metrics.text().then(
          (text) => {
            res.writeHead(200, { ...cors, "Content-Type": metrics.contentType, "Cache-Control": "no-store" });
            res.end(text);
          },
          (err: Error) => sendJson(res, 500, errorBody("internal", `metrics: ${err.message}`), cors),
        );
        break;
      case "tickets":
        sendJson(res, 201, `${JSON.stringify(auth.issueTicket())}\n`, cors);
        break;
      case "batch": {
        const t0 = performance.now();
        sendJson(res, 200, hub.batchBytes(asked.filter), cors);
        metrics.observeRead("batch", (performance.now() - t0) / 1000);
        break;
      }
      case "one": {
        const t0 = performance.now();
        const key = asked.key!;
        const agent = asked.filter.agent;
        const found = hub.findAll(key, agent);
        if (found.length > 1) {
          throw new HttpError(400, "bad_request", `session ${JSON.stringify(key)} is held by agents ${found.map((h) => h.agentId).join(", ")}: add ?agent= to say which`);
        }
        const hb = found[0];
        if (!hb) throw new HttpError(404, "not_found", `no session ${JSON.stringify(key)}${agent ? ` of agent ${agent}` : ""} in the stores served`);
        sendJson(res, 200, `${JSON.stringify(heartbeatJson(hb, o.now()))}\n`, cors);
        metrics.observeRead("one", (performance.now() - t0) / 1000);
        break;
      }
      case "events": {
        const sink = openSse(req, res, cors);
        const client = new StreamClient(hub, asked.filter, sink, { bound: o.clientQueue, onSent: (f) => sent("sse", f) });
        streams.set(client, { transport: "sse", sink, kill: () => req.socket.destroy() });
        res.on("close", () => {
          client.stop();
          sink.dispose();
          forget(client);
        });
        client.start(asked.since);
        return { route: m.name, stream: client };
      }
      case "ws":
        throw new HttpError(426, "upgrade_required", "this is a WebSocket endpoint");
    }
    return { route: m.name };
  }

  function sent(transport: "ws" | "sse", frame: import("./event-log.js").Frame): void {
    if (frame.type === "resync") metrics.countResync(frame.reason ?? "overflow");
    // a change's latency: a timer heartbeat is none, and observing each one written to each client
    // (every turn in progress, every interval, times every client) was most of prom-client's idle work
    else if (frame.type !== "snapshot" && !frame.periodic && frame.madeAt !== undefined) metrics.observePush(transport, (performance.now() - frame.madeAt) / 1000);
  }

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!isWebSocketUpgrade(req)) {
      servePlainOnUpgradeSocket(req, socket);
      return;
    }
    const started = performance.now();
    const remote = req.socket.remoteAddress;
    const log = (status: number, extra: Record<string, string | number | undefined> = {}) =>
      logger.line(status === 101 ? "stream" : "request", {
        remote,
        method: req.method,
        path: loggedPath(req.url),
        status,
        ms: Math.round(performance.now() - started),
        transport: "ws",
        ...extra,
      });
    socket.on("error", () => socket.destroy());
    let route = "unknown";
    let asked: Asked;
    try {
      const url = addressed(req);
      const admitted = admit(req, url, true);
      route = admitted.m.name;
      asked = admitted.asked;
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, "internal", (err as Error).message);
      route = routeLabel(req);
      metrics.countRequest(route, e.status);
      sendRaw(socket, e.status, e.code, e.message, e.headers);
      log(e.status);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const sink = wsSink(ws, socket);
      const client = new StreamClient(hub, asked.filter, sink, { bound: o.clientQueue, onSent: (f) => sent("ws", f) });
      streams.set(client, { transport: "ws", sink, kill: () => ws.terminate() });
      metrics.countRequest(route, 101);
      ws.on("message", () => sink.close(CLOSE.noMessages.code, CLOSE.noMessages.reason));
      // a protocol error (bad frame, bad UTF-8, too big): ws closes that socket with its code
      ws.on("error", () => undefined);
      ws.on("close", (code, reason) => {
        client.stop();
        sink.dispose();
        forget(client);
        log(101, { code, reason: reason.toString() || undefined, events: client.sent, lastSeq: client.lastSeq });
      });
      client.start(asked.since);
    });
  });

  /**
   * A request with an Upgrade this server does not take, on a Node that raised 'upgrade' for it:
   * answered as HTTP on the raw socket, which Node has already let go of. So this path does what
   * Node's own server would: survives the client's errors (a reset), closes the socket once the
   * answer is written (no half-open socket holding shutdown), lets the socket's close be the
   * response's close (an event stream's cleanup), and is ended by shutdown with the rest.
   */
  function servePlainOnUpgradeSocket(req: IncomingMessage, socket: Duplex): void {
    const sock = socket as import("node:net").Socket;
    sock.on("error", () => sock.destroy());
    // a client that closes its side (an event stream it left) ends ours, as Node's server does;
    // the socket is read (its bytes dropped) so that close is seen at all
    sock.on("end", () => sock.end());
    sock.resume();
    rawSockets.add(sock);
    sock.on("close", () => rawSockets.delete(sock));
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    // assigned, never detached: the socket's close emits the response's 'close'
    res.assignSocket(sock);
    res.on("finish", () => sock.destroySoon());
    onRequest(req, res);
  }


  // CONNECT (a proxy's method): answered and closed, where Node would drop the socket unanswered
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => socket.destroy());
    sendRaw(socket, 405, "method_not_allowed", "CONNECT is not served here: this is not a proxy", { Allow: "GET, HEAD, POST" });
    metrics.countRequest("unknown", 405);
    logger.line("request", { remote: req.socket.remoteAddress, method: req.method, status: 405 });
  });

  // sockets already answered for a parse error or timeout: the parser still runs on them, and the
  // client's close of a half-sent request would otherwise be a second error (HPE_INVALID_EOF_STATE)
  const answeredClientErrors = new WeakSet<Duplex>();
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    const answer = answeredClientErrors.has(socket) ? undefined : clientErrorAnswer(err);
    // a client that dropped its connection (after its answer, between requests, mid-request)
    // sent nothing to answer: no status is counted or logged for it
    if (!answer) {
      socket.destroy();
      return;
    }
    answeredClientErrors.add(socket);
    sendRaw(socket, answer.status, answer.code, answer.message);
    metrics.countRequest("unparsed", answer.status);
    logger.line("request", { remote: (socket as import("node:net").Socket).remoteAddress, status: answer.status, error: err.code ?? err.message });
  });

  return {
    server,
    clients() {
      const out = { ws: 0, sse: 0 };
      for (const s of streams.values()) out[s.transport]++;
      return out;
    },
    async shutdown(graceMs = 3_000) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const allGone = new Promise<void>((resolve) => {
        lastGone = resolve;
        if (streams.size === 0) resolve();
      });
      for (const [client, s] of streams) {
        client.stop();
        s.sink.close(CLOSE.goingAway.code, CLOSE.goingAway.reason);
      }
      server.closeIdleConnections();
      // a client that does not answer the close handshake is not waited for past the grace
      const timer = setTimeout(() => {
        for (const s of streams.values()) s.kill();
        for (const sock of rawSockets) sock.destroy();
        server.closeAllConnections();
      }, graceMs);
      timer.unref();
      await Promise.all([closed, allGone]);
      clearTimeout(timer);
    },
  };
}
