// serve's HTTP app in-process. First, the path Nodes before 24.9 take for an Upgrade other than
// websocket (`curl --http2` offers h2c): Node hands over the raw socket and the app answers as
// HTTP on it. That path must survive a client's reset, close each socket once answered, let an
// event stream's close run its cleanup, and let shutdown finish. (Node 24.9+ routes such requests
// to the request handler itself; the built CLI's answer there is in test/e2e/serve-api.test.ts.)
// Then what its metrics count and its log says of refused requests and client resets, and Host.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startServe, type RunningServe } from "../../src/commands/serve.js";
import { makeStateDir } from "../fixtures/store-builder.js";
import { idleStore } from "../e2e/watch-fixture.js";

const running: RunningServe[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function serveFallback(): Promise<{ url: URL; log: string[]; stop: () => Promise<void> }> {
  const state = makeStateDir();
  idleStore(state);
  const log: string[] = [];
  const srv = await startServe({ stateDir: state, port: "0", probe: false, upgradeCallback: false, log: (l) => void log.push(l) });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await srv.stop();
  };
  running.push({ url: srv.url, stop });
  return { url: new URL(srv.url), log, stop };
}

const h2c = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`;

/** Connects and sends `bytes`; resolves with the socket and a promise of all it receives until the server closes. */
function send(url: URL, bytes: string): Promise<{ socket: net.Socket; text: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let out = "";
    const socket = net.connect({ host: url.hostname, port: Number(url.port), allowHalfOpen: true }, () => {
      socket.write(bytes);
      resolve({ socket, text: () => out, ended: new Promise((r) => socket.on("end", () => r())) });
    });
    socket.setEncoding("utf8").on("data", (d: string) => (out += d));
    socket.on("error", reject);
  });
}

async function ready(url: URL): Promise<void> {
  for (;;) {
    if ((await fetch(new URL("/readyz", url))).status === 200) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("serve on a Node that raises 'upgrade' for h2c", () => {
  it("answers a probe and the batch as plain HTTP, then closes the socket itself", async () => {
    const { url } = await serveFallback();
    await ready(url);
    for (const path of ["/livez", "/api/sessions/heartbeat"]) {
      const c = await send(url, h2c(path));
      await c.ended;
      expect(c.text(), path).toMatch(/^HTTP\/1\.1 200 /);
      expect(JSON.parse(c.text().slice(c.text().indexOf("\r\n\r\n") + 4)), path).toBeTypeOf("object");
      c.socket.destroy();
    }
  });

  it("a client that resets its socket right after asking costs nothing: the server answers the next one", async () => {
    const { url } = await serveFallback();
    for (let i = 0; i < 5; i++) {
      const c = await send(url, h2c("/livez"));
      c.socket.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(new URL("/livez", url))).status).toBe(200);
  });

  it("a client that keeps its side open after the answer holds up neither its socket nor shutdown", async () => {
    const { url, stop } = await serveFallback();
    const c = await send(url, h2c("/livez"));
    // the server ends its side once answered, although the client never ends its own
    await c.ended;
    await stop();
  });

  it("an event stream whose client closes its side is let go at once (no socket left in CLOSE-WAIT, the stream's end logged)", async () => {
    const { url, log } = await serveFallback();
    await ready(url);
    for (let i = 0; i < 3; i++) {
      const c = await send(url, h2c("/api/sessions/events"));
      while (!c.text().includes("event: snapshot")) await new Promise((r) => setTimeout(r, 10));
      c.socket.end();
      await c.ended;
    }
    for (;;) {
      if (log.filter((l) => / stream .*path=\/api\/sessions\/events/.test(l)).length === 3) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const metrics = await (await fetch(new URL("/metrics", url))).text();
    expect(metrics).toMatch(/^openclaw_sessions_stream_clients\{transport="sse"\} 0$/m);
  });

  it("an event stream over this path: shutdown ends it and finishes, and the stream's end is logged", async () => {
    const { url, log, stop } = await serveFallback();
    await ready(url);
    const c = await send(url, h2c("/api/sessions/events"));
    while (!c.text().includes("event: snapshot")) await new Promise((r) => setTimeout(r, 10));
    await stop();
    await c.ended;
    expect(log.some((l) => / stream .*path=\/api\/sessions\/events/.test(l))).toBe(true);
    expect(log.at(-1)).toMatch(/ stopped /);
  });
});

describe("serve's request accounting and Host", () => {
  async function serveIdle(): Promise<{ url: URL; log: string[] }> {
    const state = makeStateDir();
    idleStore(state);
    const log: string[] = [];
    const srv = await startServe({ stateDir: state, port: "0", probe: false, log: (l) => void log.push(l) });
    running.push(srv);
    const url = new URL(srv.url);
    await ready(url);
    return { url, log };
  }
  const metricLines = async (url: URL) => (await (await fetch(new URL("/metrics", url))).text()).split("\n").filter((l) => l.startsWith("openclaw_sessions_http_requests_total"));

  it("a client that resets its connection after its answer is not counted or logged as a 400 it never got", async () => {
    const { url, log } = await serveIdle();
    const c = await send(url, "GET /api/sessions/heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    while (!c.text().includes("\r\n\r\n")) await new Promise((r) => setTimeout(r, 10));
    c.socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await metricLines(url)).not.toContainEqual(expect.stringContaining('route="unparsed"'));
    expect(log.filter((l) => /status=400|ECONNRESET/.test(l))).toEqual([]);
    expect(log.filter((l) => l.includes("/api/sessions/heartbeat"))).toHaveLength(1);
  });

  it("a client whose headers never finish gets a 408, counted and logged as one, not a 400", async () => {
    const state = makeStateDir();
    idleStore(state);
    const log: string[] = [];
    const srv = await startServe({ stateDir: state, port: "0", probe: false, headersTimeoutMs: 200, log: (l) => void log.push(l) });
    running.push(srv);
    const url = new URL(srv.url);
    await ready(url);
    const c = await send(url, "GET /api/sessions/heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    await c.ended;
    c.socket.destroy();
    expect(c.text()).toMatch(/^HTTP\/1\.1 408 /);
    expect(c.text()).toContain('"error":"request_timeout"');
    const lines = await metricLines(url);
    expect(lines).toContain('openclaw_sessions_http_requests_total{route="unparsed",status="408"} 1');
    expect(lines).not.toContainEqual(expect.stringContaining('status="400"'));
    expect(log.filter((l) => /status=4/.test(l))).toEqual([expect.stringMatching(/status=408 error=ERR_HTTP_REQUEST_TIMEOUT/)]);
  });

  it("a client that hangs up in the middle of its headers is no request: nothing counted or logged", async () => {
    const { url, log } = await serveIdle();
    const c = await send(url, "GET /api/sessions/heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    await new Promise((r) => setTimeout(r, 100));
    c.socket.end();
    await new Promise((r) => setTimeout(r, 150));
    expect((await metricLines(url)).filter((l) => l.includes('route="unparsed"'))).toEqual([]);
    expect(log.filter((l) => /status=4/.test(l))).toEqual([]);
  });

  it("a malformed request is answered, counted and logged once, and its client's close adds nothing", async () => {
    const { url, log } = await serveIdle();
    const c = await send(url, "GET /api/sessions/heartbeat HTTP/1.1\r\nHost 127.0.0.1\r\n");
    await c.ended;
    c.socket.end();
    await new Promise((r) => setTimeout(r, 100));
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 /);
    expect((await metricLines(url)).filter((l) => l.includes('route="unparsed"'))).toEqual(['openclaw_sessions_http_requests_total{route="unparsed",status="400"} 1']);
    expect(log.filter((l) => /status=4/.test(l))).toHaveLength(1);
  });

  it("a refused request is counted under the endpoint it asked for; only a path no endpoint has is 'unknown'", async () => {
    const { url } = await serveIdle();
    expect((await fetch(new URL("/api/sessions/heartbeat?active=abc", url))).status).toBe(400);
    expect((await fetch(new URL("/api/sessions/heartbeat", url), { method: "POST" })).status).toBe(405);
    expect((await fetch(new URL("/api/sessions/agent%3Amain%3Anope/heartbeat", url))).status).toBe(404);
    expect((await fetch(new URL("/no/such/path", url))).status).toBe(404);
    const lines = await metricLines(url);
    expect(lines).toContain('openclaw_sessions_http_requests_total{route="batch",status="400"} 1');
    expect(lines).toContain('openclaw_sessions_http_requests_total{route="batch",status="405"} 1');
    expect(lines).toContain('openclaw_sessions_http_requests_total{route="one",status="404"} 1');
    expect(lines).toContain('openclaw_sessions_http_requests_total{route="unknown",status="404"} 1');
  });

  it.each([
    ["loopback first", ["127.0.0.1", "evil.example"]],
    ["foreign first", ["evil.example", "127.0.0.1"]],
  ])("two Host headers (%s): 400, whichever comes first", async (_order, hosts) => {
    const { url } = await serveIdle();
    const c = await send(url, `GET /api/sessions/heartbeat HTTP/1.1\r\n${hosts.map((h) => `Host: ${h}\r\n`).join("")}Connection: close\r\n\r\n`);
    await c.ended;
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 /);
    expect(c.text()).toContain("more than one Host header");
    c.socket.destroy();
  });
});
