// The read endpoints, the probes and the metrics of the built `serve`, and what it does with
// malformed requests: answered with a JSON error (or a close with a reason), others served on.
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { makeStateDir, makeTempDir } from "../fixtures/store-builder.js";
import { runJson } from "../commands/helpers/run.js";
import { useOwners } from "./helpers/cli.js";
import { loadSchema, validate } from "./helpers/schema.js";
import { connectWs, serveEnv, serveIdle, startServe, until, useServeCleanup, waitReady, wsUrl } from "./helpers/serve.js";
import { idleStore, KEY, OTHER_KEY, readEntries, startRun, writeIndexAtomic } from "./watch-fixture.js";

useServeCleanup();
const { live } = useOwners();
const NOW = Date.parse("2026-07-01T12:00:00.000Z");
const SERVE = loadSchema("serve.schema.json");
const ODD_KEY = "agent:ops:slack/thread 1?x=%";

/**
 * Two agents: main with a stalled run (10 min in; past the whole-run timeout when `timeoutSeconds`
 * sets it under that) and an idle session, ops with idle ones (one under an odd key).
 */
function twoAgentStore(timeoutSeconds?: number): string {
  const state = makeStateDir();
  if (timeoutSeconds !== undefined) fs.writeFileSync(`${state}/openclaw.json`, JSON.stringify({ agents: { defaults: { timeoutSeconds } } }));
  idleStore(state, NOW - 20 * 60_000);
  idleStore(state, NOW - 20 * 60_000, "ops");
  startRun(state, live, NOW - 10 * 60_000);
  const ops = readEntries(state, "ops");
  ops[ODD_KEY] = { ...ops["agent:ops:other"], sessionId: "odd-session" };
  writeIndexAtomic(state, ops, "ops");
  return state;
}

const get = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text.startsWith("{") ? JSON.parse(text) : undefined };
};

/** Sends raw bytes and returns what came back before the server closed the socket. */
function raw(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), "127.0.0.1", () => s.write(bytes));
    let out = "";
    s.setEncoding("utf8").on("data", (d: string) => (out += d));
    s.on("close", () => resolve(out));
    s.on("error", reject);
  });
}

/** A GET offering HTTP/2 by Upgrade, as `curl --http2 http://...` does (fetch refuses to send it). */
function h2cGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, headers: { Connection: "Upgrade, HTTP2-Settings", Upgrade: "h2c", "HTTP2-Settings": "AAMAAABkAAQAAP__" } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("upgrade", () => reject(new Error("the server switched protocols")));
    req.on("error", reject);
    req.end();
  });
}

/**
 * serve (ready) on twoAgentStore(300) at NOW, and status --json on the same store and clock, run
 * in-process (runProgram): what is compared is its answer, the built CLI's own status runs are in
 * test/e2e/status.test.ts.
 */
async function serveTwoAgents() {
  const state = twoAgentStore(300);
  const env = serveEnv({ OPENCLAW_SESSIONS_NOW: String(NOW) });
  const srv = await startServe(["--state-dir", state, "--no-probe"], env);
  await waitReady(srv.url);
  const status = (args: string[] = []) => runJson(["status", "--state-dir", state, "--no-probe", ...args], { env: { OPENCLAW_SESSIONS_NOW: String(NOW), TMPDIR: env.TMPDIR! } });
  return { srv, status };
}

describe("serve: the read endpoints", () => {
  it("the batch and per-key answers equal status --json's sessions, for the same store, config and clock", async () => {
    const { srv, status } = await serveTwoAgents();

    const { doc } = await status();
    expect(doc.sessions).toHaveLength(5);
    const batch = await get(`${srv.url}/api/sessions/heartbeat`);
    expect(batch.status).toBe(200);
    expect(batch.headers.get("content-type")).toMatch(/^application\/json/);
    expect(batch.json).toMatchObject({ schemaVersion: 1, generatedAt: NOW });
    expect(Number.isInteger(batch.json.seq)).toBe(true);
    expect(batch.json.sessions).toEqual(doc.sessions);
    expect(validate(SERVE.$defs.batch, batch.json, "$", SERVE)).toEqual([]);
    // judged with the config's timeout by both (serve once used OpenClaw's default of 48h: stalled)
    const run = doc.sessions.find((s: any) => s.sessionKey === KEY);
    expect(run).toMatchObject({ health: "unresponsive" });
    expect(run.reasons.join("\n")).toContain("past the whole-run timeout of 5m00s");

    for (const s of doc.sessions) {
      const one = await get(`${srv.url}/api/sessions/${encodeURIComponent(s.sessionKey)}/heartbeat`);
      expect(one.status, s.sessionKey).toBe(200);
      expect(one.json).toEqual(s);
    }
    // ':' needs no encoding in a path; '/' in a key does, and is found either way
    expect((await get(`${srv.url}/api/sessions/${KEY}/heartbeat`)).json.sessionKey).toBe(KEY);

    expect((await get(`${srv.url}/api/sessions/heartbeat?problems=true`)).json.sessions).toEqual((await status(["--problems"])).doc.sessions);
    expect((await get(`${srv.url}/api/sessions/heartbeat?active=5`)).json.sessions).toEqual((await status(["--active", "5"])).doc.sessions);
    expect((await get(`${srv.url}/api/sessions/heartbeat?agent=ops`)).json.sessions).toEqual((await status(["--agent", "ops"])).doc.sessions);
    expect((await get(`${srv.url}/api/sessions/${encodeURIComponent(OTHER_KEY)}/heartbeat?agent=ops`)).status).toBe(404);
  });

  it("a key two agents hold (a legacy key without the agent: prefix) is a 400 naming both, unless ?agent= says which", async () => {
    const state = makeStateDir();
    idleStore(state, NOW - 20 * 60_000);
    idleStore(state, NOW - 20 * 60_000, "ops");
    for (const agent of ["main", "ops"]) {
      const entries = readEntries(state, agent);
      entries["legacy-key"] = { ...Object.values(entries)[0], sessionId: `legacy-${agent}` };
      writeIndexAtomic(state, entries, agent);
    }
    const srv = await startServe(["--state-dir", state, "--no-probe"], serveEnv({ OPENCLAW_SESSIONS_NOW: String(NOW) }));
    await waitReady(srv.url);
    const both = await get(`${srv.url}/api/sessions/legacy-key/heartbeat`);
    expect(both.status).toBe(400);
    expect(both.json.message).toMatch(/held by agents (main, ops|ops, main): add \?agent=/);
    const one = await get(`${srv.url}/api/sessions/legacy-key/heartbeat?agent=ops`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ agentId: "ops", sessionId: "legacy-ops" });
  });

  it("an unknown key is a 404 with a JSON error body", async () => {
    const { srv } = await serveIdle();
    const r = await get(`${srv.url}/api/sessions/${encodeURIComponent("agent:main:nobody")}/heartbeat`);
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: "not_found", message: 'no session "agent:main:nobody" in the stores served' });
    expect(validate(SERVE.$defs.error, r.json, "$", SERVE)).toEqual([]);
  });

  it("/readyz is 503 while no store can be read, 200 once one can; /livez is 200 throughout", async () => {
    const state = makeTempDir("ocs-serve-empty-");
    const srv = await startServe(["--state-dir", state, "--no-probe"]);
    expect((await get(`${srv.url}/livez`)).json).toEqual({ status: "ok" });
    const notYet = await get(`${srv.url}/readyz`);
    expect(notYet.status).toBe(503);
    expect(notYet.json.ready).toBe(false);
    expect(notYet.json.reason).toMatch(/store/);
    expect((await get(`${srv.url}/api/sessions/heartbeat`)).json.error).toBe("not_ready");
    idleStore(state);
    await waitReady(srv.url);
    const ready = await get(`${srv.url}/readyz`);
    expect(ready.json).toMatchObject({ ready: true });
    await until(async () => (await get(`${srv.url}/api/sessions/heartbeat`)).json?.sessions?.length === 2, () => "the two sessions");
  });

  it("/metrics: aggregates under the openclaw_sessions_ prefix (process defaults too); per-session series only when asked, capped", async () => {
    const state = twoAgentStore();
    const srv = await startServe(["--state-dir", state, "--no-probe"], serveEnv({ OPENCLAW_SESSIONS_NOW: String(NOW) }));
    await waitReady(srv.url);
    expect((await get(`${srv.url}/api/sessions/heartbeat`)).status).toBe(200);
    const m = await get(`${srv.url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.headers.get("content-type")).toMatch(/^text\/plain/);
    const names = m.text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(/[{ ]/)[0]);
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect(n).toMatch(/^openclaw_sessions_/);
    expect(m.text).toContain("openclaw_sessions_process_cpu_seconds_total");
    expect(m.text).toContain('openclaw_sessions_sessions{agent="main",health="stalled",state="awaiting_model"} 1');
    expect(m.text).toContain('openclaw_sessions_sessions{agent="ops",health="idle",state="complete"} 3');
    expect(m.text).toContain('openclaw_sessions_oldest_running_turn_seconds{agent="main"} 600');
    expect(m.text).toContain('openclaw_sessions_stores{era="AB"} 2');
    // every era's series is there, 0 included, so a dashboard's lines never vanish
    for (const era of ["A", "B", "C"]) expect(m.text).toContain(`openclaw_sessions_stores{era="${era}"} 0`);
    for (const era of ["A", "AB", "B", "C"]) expect(m.text).toContain(`openclaw_sessions_stores_unreadable{era="${era}"} 0`);
    expect(m.text).toMatch(/^openclaw_sessions_read_duration_seconds_count\{endpoint="batch"\} 1$/m);
    expect(m.text).toContain("# TYPE openclaw_sessions_push_latency_seconds histogram");
    expect(m.text).toContain('openclaw_sessions_http_requests_total{route="batch",status="200"} 1');
    expect(m.text).not.toContain("session_key=");

    const per = await startServe(["--state-dir", state, "--no-probe", "--metrics-per-session", "2"], serveEnv({ OPENCLAW_SESSIONS_NOW: String(NOW) }));
    await waitReady(per.url);
    const pm = (await get(`${per.url}/metrics`)).text;
    const series = pm.split("\n").filter((l) => l.startsWith("openclaw_sessions_session_turn_elapsed_seconds{"));
    expect(series).toHaveLength(2);
    expect(series[0]).toContain(`session_key="${KEY}"`);
    expect(series[0]).toMatch(/ 600$/);
    expect(pm).toContain("openclaw_sessions_session_series_dropped 3");
  });

  it("/metrics: push latency counts the changes written to clients, not the timer heartbeats", async () => {
    const state = twoAgentStore();
    const srv = await startServe(["--state-dir", state, "--no-probe", "--heartbeat-interval", "200ms"], serveEnv({ OPENCLAW_SESSIONS_NOW: String(NOW) }));
    await waitReady(srv.url);
    const ws = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    await ws.next((m) => m.type === "heartbeat" && m.periodic, "a timer heartbeat for the stalled run");
    await ws.next((m) => m.type === "heartbeat" && m.periodic, "a second one", ws.messages.findIndex((m) => m.periodic) + 1);
    const m = (await get(`${srv.url}/metrics`)).text;
    expect(Number(/^openclaw_sessions_events_total\{type="heartbeat_timer"\} (\d+)$/m.exec(m)?.[1])).toBeGreaterThanOrEqual(2);
    expect(m).not.toMatch(/^openclaw_sessions_push_latency_seconds_count\{transport="ws"\} [1-9]/m);
  });
});

describe("serve: the batch filters read their values as status reads its flags", () => {
  it("?active= takes status --active's durations (5m, 90s, 1h30m; a bare number is minutes), ?problems= true/1/yes/empty and false/0/no", async () => {
    const { srv, status } = await serveTwoAgents();
    const batch = async (query: string) => {
      const res = await get(`${srv.url}/api/sessions/heartbeat?${query}`);
      expect(res.status, `${query}: ${res.text}`).toBe(200);
      return res.json.sessions;
    };

    for (const active of ["5m", "90s", "1h30m", "30", "0.5"]) {
      expect(await batch(`active=${active}`), active).toEqual((await status(["--active", active])).doc.sessions);
    }
    expect(await batch("active=5m")).toEqual(await batch("active=5"));
    // the idle sessions (20 minutes ago) are in the 1h30m answer, not the 90s one
    expect((await batch("active=1h30m")).length).toBeGreaterThan((await batch("active=90s")).length);
    const refused = await get(`${srv.url}/api/sessions/heartbeat?active=5x`);
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ error: "bad_request", message: 'active must be a duration like 10, 90s, 10m or 1h30m (a bare number is minutes) (got "5x")' });

    const problems = (await status(["--problems"])).doc.sessions;
    const all = (await status()).doc.sessions;
    expect(problems.length).toBeLessThan(all.length);
    for (const yes of ["true", "1", "yes", "", "YES"]) expect(await batch(`problems=${yes}`), yes).toEqual(problems);
    for (const no of ["false", "0", "no"]) expect(await batch(`problems=${no}`), no).toEqual(all);
  });
});

describe("serve: malformed requests", () => {
  it("each gets a JSON error or a close with a reason, and the server serves everyone else on", async () => {
    const { state, srv } = await serveIdle();
    const bystander = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    await bystander.next((m) => m.type === "snapshot");

    const cases: Array<[string, RequestInit, number, string]> = [
      ["/api/sessions/%E0%A4%A/heartbeat", {}, 400, "bad_request"],
      ["/nothing/here", {}, 404, "not_found"],
      ["/api/sessions/heartbeat", { method: "POST" }, 405, "method_not_allowed"],
      ["/api/sessions/heartbeat?problems=maybe", {}, 400, "bad_request"],
      ["/api/sessions/heartbeat?active=-1", {}, 400, "bad_request"],
      ["/api/sessions/heartbeat?agent=", {}, 400, "bad_request"],
      ["/api/sessions/heartbeat?active=0x10", {}, 400, "bad_request"],
      ["/api/sessions/heartbeat?active=1e3", {}, 400, "bad_request"],
      ["/api/sessions/heartbeat?agent=main&agent=ops", {}, 400, "bad_request"],
      ["/api/sessions/heartbeat?agent=%ZZ", {}, 400, "bad_request"],
      ["/api/sessions/heartbeat?agent=Main", {}, 400, "bad_request"],
      ["/api/sessions/heartbeat?problem=true", {}, 400, "bad_request"],
      ["/api/sessions/events?since=1&since=2", {}, 400, "bad_request"],
      ["/api/sessions/ws", {}, 426, "upgrade_required"],
      ["/api/sessions/events?since=abc", {}, 400, "bad_request"],
      ["/api/sessions/heartbeat", { headers: { "x-filler": "y".repeat(20_000) } }, 431, "headers_too_large"],
    ];
    for (const [path, init, status, error] of cases) {
      const r = await get(`${srv.url}${path}`, init);
      expect(r.status, path).toBe(status);
      expect(r.json?.error, path).toBe(error);
      expect(r.json.message.length, path).toBeGreaterThan(10);
    }
    expect((await get(`${srv.url}/api/sessions/heartbeat`, { method: "PUT" })).headers.get("allow")).toBe("GET, HEAD");

    // a path that starts with // is that path, not a host: no such endpoint
    const doubled = await raw(srv.url, "GET //livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(doubled).toMatch(/^HTTP\/1\.1 404 /);
    expect(doubled).toContain("//livez");
    // the absolute form HTTP says servers must take: its authority stands for the Host
    const port = new URL(srv.url).port;
    const absolute = await raw(srv.url, `GET http://127.0.0.1:${port}/livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(absolute).toMatch(/^HTTP\/1\.1 200 /);
    const foreign = await raw(srv.url, "GET http://evil.example/livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(foreign).toMatch(/^HTTP\/1\.1 403 /);
    expect(await raw(srv.url, "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    // CONNECT is a proxy's method: answered and closed, not dropped
    const connect = await raw(srv.url, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    expect(connect).toMatch(/^HTTP\/1\.1 405 /);
    expect(JSON.parse(connect.slice(connect.indexOf("\r\n\r\n") + 4)).error).toBe("method_not_allowed");

    // an Upgrade other than websocket (curl --http2 sends h2c) is ignored: a plain answer
    for (const path of ["/livez", "/api/sessions/heartbeat"]) {
      const h2c = await h2cGet(`${srv.url}${path}`);
      expect(h2c.status, path).toBe(200);
      expect(JSON.parse(h2c.body), path).toBeTypeOf("object");
    }

    const garbage = await raw(srv.url, "THIS IS NOT HTTP\r\n\r\n");
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbage.slice(garbage.indexOf("\r\n\r\n") + 4)).error).toBe("bad_request");

    // a WebSocket client that talks: closed with a reason
    const talker = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    await talker.next((m) => m.type === "snapshot");
    talker.ws.send("hello?");
    expect(await talker.closed).toEqual({ code: 1003, reason: "this stream takes no messages" });
    // one that sends a broken frame (opcode 0xF does not exist): closed with a protocol error
    const breaker = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    await breaker.next((m) => m.type === "snapshot");
    (breaker.ws as unknown as { _socket: net.Socket })._socket.write(Buffer.from([0x8f, 0x80, 1, 2, 3, 4]));
    expect((await breaker.closed).code).toBe(1002);

    // everyone else is still served
    expect((await get(`${srv.url}/livez`)).status).toBe(200);
    const entries = readEntries(state);
    entries[KEY] = { ...entries[KEY], label: "still here" };
    writeIndexAtomic(state, entries);
    await bystander.next((m) => m.type === "heartbeat" && m.heartbeat.label === "still here", "the bystander's event");
    // one log line per request or connection, and no ticket or query in them
    const lines = srv.stderr().trim().split("\n");
    expect(lines.filter((l) => / (request|stream) /.test(l)).length).toBeGreaterThanOrEqual(cases.length + 2);
    expect(srv.stderr()).not.toContain("problems=maybe");
    expect(fs.existsSync(state)).toBe(true);
  });
});
