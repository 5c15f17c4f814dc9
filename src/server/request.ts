// What a request to `serve` asks for, read off it before anything is answered: the route, the
// request target and its parameters, and whether its WebSocket handshake is one ws will take.
// Pure: no server state, so every rule here is checked in-process (test/server/request.test.ts).
import type { IncomingMessage } from "node:http";
import { HttpError, onlyParams, queryAgent, queryAge, queryBool, querySeq, querySince, queryTicket } from "./http-util.js";
import type { SessionFilter } from "./hub.js";

export type RouteName = "livez" | "readyz" | "metrics" | "tickets" | "batch" | "one" | "events" | "ws";

export interface Matched {
  name: RouteName;
  /** the session key of /api/sessions/:key/heartbeat, still percent-encoded */
  rawKey?: string;
}

export const METHODS: Record<RouteName, string[]> = {
  livez: ["GET", "HEAD"],
  readyz: ["GET", "HEAD"],
  metrics: ["GET", "HEAD"],
  tickets: ["POST"],
  batch: ["GET", "HEAD"],
  one: ["GET", "HEAD"],
  events: ["GET"],
  ws: ["GET"],
};

const FIXED: Record<string, RouteName> = {
  "/livez": "livez",
  "/readyz": "readyz",
  "/metrics": "metrics",
  "/api/tickets": "tickets",
  "/api/sessions/heartbeat": "batch",
  "/api/sessions/events": "events",
  "/api/sessions/ws": "ws",
};

const ONE_PREFIX = "/api/sessions/";
const ONE_SUFFIX = "/heartbeat";

export function matchRoute(pathname: string): Matched | undefined {
  const fixed = FIXED[pathname];
  if (fixed) return { name: fixed };
  if (pathname.startsWith(ONE_PREFIX) && pathname.endsWith(ONE_SUFFIX) && pathname.length > ONE_PREFIX.length + ONE_SUFFIX.length) {
    return { name: "one", rawKey: pathname.slice(ONE_PREFIX.length, -ONE_SUFFIX.length) };
  }
  return undefined;
}

/**
 * The request target: a path (`//livez` stays that path, where a base URL would read it as the
 * host `livez`), or the absolute form HTTP says a server must take, whose authority then stands
 * for the Host header. `*` and anything else is not a target this server has.
 */
export function parseTarget(req: IncomingMessage): { url: URL; authority?: string } {
  const target = req.url ?? "/";
  try {
    if (target.startsWith("/")) return { url: new URL(`http://localhost${target}`) };
    if (/^https?:\/\//i.test(target)) {
      const url = new URL(target);
      return { url, authority: url.host };
    }
  } catch {
    throw new HttpError(400, "bad_request", "the request target is not a valid URL path");
  }
  throw new HttpError(400, "bad_request", `the request target ${JSON.stringify(target.slice(0, 80))} is not a path starting with /`);
}

/**
 * The route a request's metrics are counted under, whatever it was refused for (a bad parameter,
 * a method, a missing token): "unknown" only for a path no endpoint has, or a target that is no
 * path at all.
 */
export function routeLabel(req: IncomingMessage): RouteName | "unknown" {
  try {
    return matchRoute(parseTarget(req).url.pathname)?.name ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * The one Host a request names, or why not: HTTP/1.1 requires a 400 for more than one (RFC 9112
 * 3.2), and Node keeps only the first, so a second (`Host: 127.0.0.1` then `Host: evil.example`)
 * would pass the loopback check unseen by it.
 */
export function hostHeaderCount(req: IncomingMessage): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === "host") n++;
  return n;
}

/** What a read endpoint was asked for, parsed before any ticket is spent: a bad request spends none. */
export interface Asked {
  filter: SessionFilter;
  /** streams: resume after this seq */
  since?: number;
  /** the one session of /api/sessions/:key/heartbeat, decoded */
  key?: string;
}

const PARAMS: Partial<Record<RouteName, readonly string[]>> = {
  batch: ["agent", "problems", "active"],
  one: ["agent"],
  events: ["agent", "problems", "since", "ticket"],
  ws: ["agent", "problems", "since", "ticket"],
};

/** The parameters of a read endpoint (the probes, metrics and tickets take none and ignore any). */
export function askedOf(m: Matched, url: URL, req: IncomingMessage): Asked {
  const q = url.searchParams;
  const allowed = PARAMS[m.name];
  if (!allowed) return { filter: {} };
  onlyParams(q, allowed, url.pathname);
  if (allowed.includes("ticket")) queryTicket(q);
  const filter: SessionFilter = { agent: queryAgent(q), problems: queryBool(q, "problems") ?? false };
  switch (m.name) {
    case "batch":
      return { filter: { ...filter, activeWithinMs: queryAge(q, "active") } };
    case "one":
      try {
        return { filter, key: decodeURIComponent(m.rawKey!) };
      } catch {
        throw new HttpError(400, "bad_request", `the session key in ${url.pathname} is not valid percent-encoding (encode it with encodeURIComponent)`);
      }
    case "events": {
      // EventSource sends Last-Event-ID by itself when it reconnects; ?since= serves the first connect
      const header = req.headers["last-event-id"];
      return { filter, since: querySeq(typeof header === "string" && header.trim() !== "" ? header : querySince(q), "Last-Event-ID / since") };
    }
    default:
      return { filter, since: querySeq(querySince(q), "since") };
  }
}

/**
 * The handshake headers ws checks before it accepts: checked here first, so that a handshake ws
 * would refuse (with its own HTML answer) is refused as JSON before a ticket is spent on it.
 */
export function wellFormedHandshake(req: IncomingMessage): boolean {
  const key = req.headers["sec-websocket-key"];
  const version = req.headers["sec-websocket-version"];
  return typeof key === "string" && /^[+/0-9A-Za-z]{22}==$/.test(key.trim()) && (version === "13" || version === "8");
}

/** An Upgrade this server takes: a WebSocket. Any other (`h2c` from `curl --http2`) is ignored, as HTTP allows. */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? "").split(",").some((p) => p.trim().toLowerCase() === "websocket");
}
