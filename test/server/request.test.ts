// What serve reads off a request before answering it: the target, the route's parameters and the
// WebSocket handshake (src/server/request.ts).
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { HttpError } from "../../src/server/http-util.js";
import { askedOf, isWebSocketUpgrade, matchRoute, parseTarget, wellFormedHandshake } from "../../src/server/request.js";

const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;
const status = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    return (e as HttpError).status;
  }
  return 0;
};

describe("parseTarget", () => {
  it("a path stays a path, // included; an absolute URL brings its authority; anything else is a 400", () => {
    expect(parseTarget(req("//livez")).url.pathname).toBe("//livez");
    expect(parseTarget(req("/api/sessions/heartbeat?agent=main")).url.searchParams.get("agent")).toBe("main");
    const abs = parseTarget(req("http://127.0.0.1:18960/livez"));
    expect([abs.url.pathname, abs.authority]).toEqual(["/livez", "127.0.0.1:18960"]);
    expect(status(() => parseTarget(req("*")))).toBe(400);
    expect(status(() => parseTarget(req("example.com:443")))).toBe(400);
  });
});

describe("askedOf", () => {
  const asked = (url: string, headers: Record<string, string> = {}) => askedOf(matchRoute(new URL(`http://x${url}`).pathname)!, new URL(`http://x${url}`), req(url, headers));

  it("reads each read endpoint's own parameters", () => {
    expect(asked("/api/sessions/heartbeat?agent=ops&problems=1&active=2.5").filter).toEqual({ agent: "ops", problems: true, activeWithinMs: 150_000 });
    expect(asked("/api/sessions/a%20b/heartbeat?agent=main")).toEqual({ filter: { agent: "main", problems: false }, key: "a b" });
    expect(asked("/api/sessions/events?since=7", { "last-event-id": "9" }).since).toBe(9);
    expect(asked("/api/sessions/ws?since=7&ticket=t").since).toBe(7);
  });

  it("refuses what it does not take, a repeat, and an agent that is not an agent id; the probes ignore parameters", () => {
    for (const url of ["/api/sessions/heartbeat?problem=true", "/api/sessions/ws?ticket=a&ticket=b", "/api/sessions/heartbeat?agent=%ZZ", "/api/sessions/k/heartbeat?active=5"]) {
      expect(status(() => asked(url)), url).toBe(400);
    }
    expect(asked("/livez?anything=1")).toEqual({ filter: {} });
  });
});

describe("the WebSocket handshake", () => {
  it("takes a websocket Upgrade (in a list too), with a 16-byte key and version 13 or 8", () => {
    expect(isWebSocketUpgrade(req("/", { upgrade: "h2c" }))).toBe(false);
    expect(isWebSocketUpgrade(req("/", { upgrade: "foo, WebSocket" }))).toBe(true);
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    expect(wellFormedHandshake(req("/", { "sec-websocket-key": key, "sec-websocket-version": "13" }))).toBe(true);
    expect(wellFormedHandshake(req("/", { "sec-websocket-key": key, "sec-websocket-version": "99" }))).toBe(false);
    expect(wellFormedHandshake(req("/", { "sec-websocket-version": "13" }))).toBe(false);
    expect(wellFormedHandshake(req("/", { "sec-websocket-key": "short==", "sec-websocket-version": "13" }))).toBe(false);
  });
});
