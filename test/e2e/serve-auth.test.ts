// Who `serve` answers: the token on every request but the probes, one-time tickets for browser
// streams, loopback Host and Origin only (DNS rebinding), CORS only when asked; and how it
// starts and stops: refusals at start (exit 64, 69), SIGTERM/SIGINT closing every client (exit 0).
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeStateDir, makeTempDir } from "../fixtures/store-builder.js";
import { runCli } from "./helpers/cli.js";
import { connectSse, connectWs, refusedUpgrade, serveIdle, startServe, useServeCleanup, waitReady, wsUrl } from "./helpers/serve.js";
import { idleStore } from "./watch-fixture.js";

useServeCleanup();

function tokenFile(text: string): string {
  const f = path.join(makeTempDir("ocs-token-"), "token");
  fs.writeFileSync(f, text, { mode: 0o600 });
  return f;
}

/** A request with any Host header (fetch will not send a made-up one). */
function getWithHost(url: string, p: string, host: string, method = "GET", headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: p, method, headers: { ...headers, Host: host } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: body ? JSON.parse(body) : undefined }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A request written as raw bytes (Host left out or empty, which no HTTP client sends): all that came back before the close. */
function rawAnswer(url: string, request: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write(request));
    let out = "";
    s.setEncoding("utf8").on("data", (d: string) => (out += d));
    s.on("close", () => resolve(out));
    s.on("error", reject);
  });
}

/** The status line of rawAnswer. */
const rawStatus = async (url: string, request: string): Promise<string> => (await rawAnswer(url, request)).split("\r\n")[0];

describe("serve: auth and tickets", () => {
  it("with a token (its file may end with a newline): every request needs it but the probes; tickets open streams once", async () => {
    const { srv } = await serveIdle(["--token-file", tokenFile("s3cret-token\n")]);
    const auth = { Authorization: "Bearer s3cret-token" };
    expect((await fetch(`${srv.url}/livez`)).status).toBe(200);
    for (const p of ["/api/sessions/heartbeat", "/metrics", "/api/sessions/events"]) {
      const none = await fetch(`${srv.url}${p}`);
      expect(none.status, p).toBe(401);
      expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(((await none.json()) as { error: string }).error).toBe("unauthorized");
      expect((await fetch(`${srv.url}${p}`, { headers: { Authorization: "Bearer wrong" } })).status, p).toBe(401);
    }
    expect((await fetch(`${srv.url}/api/sessions/heartbeat`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${srv.url}/metrics`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${srv.url}/api/tickets`, { method: "POST" })).status).toBe(401);
    expect((await refusedUpgrade(wsUrl(srv.url, "/api/sessions/ws"))).status).toBe(401);

    // the WebSocket with the header (a program), then with a ticket (a browser)
    const byHeader = connectWs(wsUrl(srv.url, "/api/sessions/ws"), { headers: auth });
    await byHeader.next((m) => m.type === "snapshot");
    const ticket = async () => {
      const r = await fetch(`${srv.url}/api/tickets`, { method: "POST", headers: auth });
      expect(r.status).toBe(201);
      const body = (await r.json()) as { ticket: string; expiresAt: number };
      expect(body.expiresAt - Date.now()).toBeLessThanOrEqual(30_000);
      return body.ticket as string;
    };
    const t1 = await ticket();
    const byTicket = connectWs(wsUrl(srv.url, `/api/sessions/ws?ticket=${t1}`));
    await byTicket.next((m) => m.type === "snapshot");
    const again = await refusedUpgrade(wsUrl(srv.url, `/api/sessions/ws?ticket=${t1}`));
    expect(again.status).toBe(401);
    expect(again.body.message).toMatch(/ticket/);
    const t2 = await ticket();
    const sse = connectSse(`${srv.url}/api/sessions/events?ticket=${t2}`);
    expect(await sse.status).toBe(200);
    sse.close();
    expect((await fetch(`${srv.url}/api/sessions/events?ticket=${t2}`)).status).toBe(401);
    // a ticket opens streams only (the batch takes no such parameter), and the token never shows in a log
    const misplaced = await fetch(`${srv.url}/api/sessions/heartbeat?ticket=${await ticket()}`);
    expect(misplaced.status).toBe(400);
    expect(((await misplaced.json()) as { message: string }).message).toMatch(/no parameter "ticket"/);
    expect(srv.stderr()).not.toContain("s3cret");
    expect(srv.stderr()).not.toContain(t1);
  });

  it("on loopback: a foreign Host is refused, and a WebSocket from a foreign Origin; CORS only for --cors-origin", async () => {
    const { srv } = await serveIdle(["--cors-origin", "https://dash.example"]);
    const port = new URL(srv.url).port;
    const evil = await getWithHost(srv.url, "/api/sessions/heartbeat", `evil.example:${port}`);
    expect(evil.status).toBe(403);
    expect(evil.body.error).toBe("forbidden");
    expect((await getWithHost(srv.url, "/livez", `evil.example:${port}`)).status).toBe(403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) expect((await getWithHost(srv.url, "/api/sessions/heartbeat", host)).status, host).toBe(200);

    expect((await refusedUpgrade(wsUrl(srv.url, "/api/sessions/ws"), { origin: "https://evil.example" })).status).toBe(403);
    expect((await refusedUpgrade(wsUrl(srv.url, "/api/sessions/ws"), { origin: "null" })).status).toBe(403);
    for (const origin of ["http://localhost:3000", "https://dash.example"]) {
      const ok = connectWs(wsUrl(srv.url, "/api/sessions/ws"), { origin });
      await ok.next((m) => m.type === "snapshot", origin);
    }

    const plain = await fetch(`${srv.url}/api/sessions/heartbeat`, { headers: { Origin: "https://other.example" } });
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    const allowed = await fetch(`${srv.url}/api/sessions/heartbeat`, { headers: { Origin: "https://dash.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://dash.example");
    const preflight = await fetch(`${srv.url}/api/sessions/heartbeat`, { method: "OPTIONS", headers: { Origin: "https://dash.example", "Access-Control-Request-Method": "GET" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Authorization");
    // the preflight is addressed to loopback too
    const foreignPreflight = await getWithHost(srv.url, "/api/sessions/heartbeat", `evil.example:${port}`, "OPTIONS", { Origin: "https://dash.example", "Access-Control-Request-Method": "GET" });
    expect(foreignPreflight.status).toBe(403);
  });

  it("on loopback: an HTTP/1.0 request with no Host (a health check, never a browser) is answered; an empty Host is refused, an HTTP/1.1 one without Host is a JSON 400", async () => {
    const { srv } = await serveIdle();
    // HAProxy's default `option httpchk`: HTTP/1.0, no Host
    expect(await rawStatus(srv.url, "GET /livez HTTP/1.0\r\n\r\n")).toMatch(/^HTTP\/1\.1 200 /);
    expect(await rawStatus(srv.url, "GET /api/sessions/heartbeat HTTP/1.0\r\n\r\n")).toMatch(/^HTTP\/1\.1 200 /);
    expect(await rawStatus(srv.url, "GET /livez HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 403 /);
    // HTTP/1.1 requires a Host: a JSON 400 that says so
    const noHost11 = await rawAnswer(srv.url, "GET /livez HTTP/1.1\r\nConnection: close\r\n\r\n");
    expect(noHost11).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(noHost11.slice(noHost11.indexOf("\r\n\r\n") + 4))).toEqual({ error: "bad_request", message: "HTTP/1.1 needs a Host header" });
  });

  it("a ticket is spent only by a request that is answered: a bad parameter or a typo keeps it for the retry", async () => {
    const { srv } = await serveIdle(["--token-file", tokenFile("tok")]);
    const r = await fetch(`${srv.url}/api/tickets`, { method: "POST", headers: { Authorization: "Bearer tok" } });
    const { ticket } = (await r.json()) as { ticket: string };
    expect((await refusedUpgrade(wsUrl(srv.url, `/api/sessions/ws?ticket=${ticket}&since=abc`))).status).toBe(400);
    expect((await fetch(`${srv.url}/api/sessions/events?ticket=${ticket}&problem=true`)).status).toBe(400);
    expect((await fetch(`${srv.url}/api/sessions/events?ticket=${ticket}&ticket=${ticket}`)).status).toBe(400);
    // a handshake ws would refuse (no key, a version it does not speak): a JSON 400, the ticket kept
    for (const headers of ["Sec-WebSocket-Version: 13\r\n", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n"]) {
      const answer = await rawAnswer(srv.url, `GET /api/sessions/ws?ticket=${ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${headers}\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)).error).toBe("bad_request");
    }
    const ws = connectWs(wsUrl(srv.url, `/api/sessions/ws?ticket=${ticket}`));
    await ws.next((m) => m.type === "snapshot", "the stream the kept ticket opens");
    expect((await refusedUpgrade(wsUrl(srv.url, `/api/sessions/ws?ticket=${ticket}`))).status).toBe(401);
  });
});

describe("serve: start and stop", () => {
  // every other refusal at start (bad flags, token files) is checked in-process in
  // test/commands/serve-refusals.test.ts; this is the built CLI's exit 64 before it listens
  it("refuses at start, one line and exit 64: a non-loopback host without a token", async () => {
    const state = makeStateDir();
    idleStore(state);
    const r = await runCli(["serve", "--state-dir", state, "--no-probe", "--host", "0.0.0.0"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^openclaw-sessions: [^\n]+\n$/);
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0 .*--token-file/);
  });

  it("a port in use is one clear line and exit 69", async () => {
    const state = makeStateDir();
    idleStore(state);
    const first = await startServe(["--state-dir", state, "--no-probe"]);
    const port = new URL(first.url).port;
    const r = await runCli(["serve", "--state-dir", state, "--no-probe", "--port", port]);
    expect(r.code).toBe(69);
    expect(r.stderr).toBe(`openclaw-sessions: port ${port} on 127.0.0.1 is in use (another serve, or another program): pick another with --port\n`);
  });

  it("--gateway whose device identity cannot be kept (inside OpenClaw's state dir) is exit 69 at once, not a retry loop that outlives SIGTERM", async () => {
    const state = makeStateDir();
    idleStore(state);
    const r = await runCli(["serve", "--gateway", "--state-dir", state, "--no-probe", "--port", "0"], { env: { XDG_STATE_HOME: state }, timeoutMs: 15_000 });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/our device identity would live in .* inside OpenClaw's state dir/);
    expect(r.stderr).not.toMatch(/retrying/);
  });

  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    it(`${signal} closes every client cleanly (WebSocket 1001, SSE ended) and exits 0`, async () => {
      const state = makeStateDir();
      idleStore(state);
      const srv = await startServe(["--state-dir", state, "--no-probe", "--log-format", "json"]);
      await waitReady(srv.url);
      const ws = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
      await ws.next((m) => m.type === "snapshot");
      const sse = connectSse(`${srv.url}/api/sessions/events`);
      expect(await sse.status).toBe(200);
      await new Promise<void>((resolve) => {
        const t = setInterval(() => sse.events.length > 0 && (clearInterval(t), resolve()), 20);
      });
      srv.child.kill(signal);
      expect(await ws.closed).toEqual({ code: 1001, reason: "server shutting down" });
      await sse.ended;
      expect(await srv.exited).toEqual({ code: 0, signal: null });
      const lines = srv.stderr().trim().split("\n").map((l) => JSON.parse(l));
      expect(lines.map((l) => l.event)).toEqual(expect.arrayContaining(["listening", "ready", "stream", "stopped"]));
      expect(lines.filter((l) => l.event === "stream").map((l) => l.transport).sort()).toEqual(["sse", "ws"]);
      expect(lines.at(-1).event).toBe("stopped");
    });
  }
});
