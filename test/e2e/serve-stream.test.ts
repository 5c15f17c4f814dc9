// The push stream against the built CLI: what a dashboard sees when a run starts, calls a tool,
// stalls with no file changing, and when sessions are reset, deleted or pruned by our cleanup;
// in order, with no gap in seq; and the same over SSE.
import { describe, expect, it } from "vitest";
import { makeStateDir } from "../fixtures/store-builder.js";
import { runCli, useOwners } from "./helpers/cli.js";
import { loadSchema, validate } from "./helpers/schema.js";
import { connectSse, connectWs, consecutive, eventSeqs, serveEnv, serveIdle, startServe, useServeCleanup, waitReady, wsUrl } from "./helpers/serve.js";
import { callTool, ID, idleStore, KEY, OTHER_ID, OTHER_KEY, readEntries, startRun, writeIndexAtomic } from "./watch-fixture.js";

useServeCleanup();
const { live } = useOwners();
const SERVE = loadSchema("serve.schema.json");
const EVENT = SERVE.$defs.event;

const isHb = (key: string, pred: (h: any) => boolean) => (m: any) => m.type === "heartbeat" && !m.periodic && m.heartbeat.sessionKey === key && pred(m.heartbeat);

describe("serve: transitions, a stall and drains", () => {
  it("arrive in order over WebSocket and SSE alike, with no gap in seq", async () => {
    const { state, srv } = await serveIdle(["--stall-after", "3s", "--heartbeat-interval", "500ms"]);
    const ws = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const sse = connectSse(`${srv.url}/api/sessions/events`);
    expect(await sse.status).toBe(200);
    const snap = await ws.next((m) => m.type === "snapshot", "the snapshot");
    expect(ws.messages[0]).toBe(snap);
    expect(snap.sessions.map((s: any) => s.sessionKey).sort()).toEqual([KEY, OTHER_KEY].sort());

    startRun(state, live);
    await ws.next(isHb(KEY, (h) => h.state === "awaiting_model" && h.health === "waiting"), "the run starting");
    callTool(state, "exec");
    await ws.next(isHb(KEY, (h) => h.state === "tool_exec" && h.health === "active" && h.toolName === "exec"), "the tool call");
    // nothing is written from here on: the stall comes from the clock alone
    const stalled = await ws.next(isHb(KEY, (h) => h.health === "stalled"), "the stall");
    expect(stalled.heartbeat).toMatchObject({ state: "tool_exec", toolName: "exec", sessionId: ID, source: "files" });
    // timer heartbeats for the running turn, at the current seq
    const timer = await ws.next((m) => m.type === "heartbeat" && m.periodic && m.heartbeat.health === "stalled", "a timer heartbeat after the stall");
    expect(timer.seq).toBe(stalled.seq);

    const entries = readEntries(state);
    entries[OTHER_KEY] = { ...entries[OTHER_KEY], sessionId: "fresh-after-reset" };
    writeIndexAtomic(state, entries);
    const reset = await ws.next((m) => m.type === "socket.drain" && m.reason === "reset", "the reset drain");
    expect(reset).toMatchObject({ sessionKey: OTHER_KEY, agentId: "main", sessionId: OTHER_ID, newSessionId: "fresh-after-reset" });
    await ws.next(isHb(OTHER_KEY, (h) => h.sessionId === "fresh-after-reset"), "the new session's heartbeat");

    delete entries[OTHER_KEY];
    writeIndexAtomic(state, entries);
    const deleted = await ws.next((m) => m.type === "socket.drain" && m.reason === "deleted", "the deleted drain");
    expect(deleted).toMatchObject({ sessionKey: OTHER_KEY, sessionId: "fresh-after-reset" });

    const seqs = eventSeqs(ws.messages);
    expect(seqs).toEqual(consecutive(snap.seq + 1, seqs.length));
    const kinds = ws.messages.filter((m) => m.type === "socket.drain").map((m) => m.reason);
    expect(kinds).toEqual(["reset", "deleted"]);
    for (const m of ws.messages) expect(validate(EVENT, m, "$", SERVE)).toEqual([]);

    // SSE carried the same events with the same seqs, as ids and event names
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (sse.events.some((e) => e.event === "socket.drain" && e.data.reason === "deleted")) {
          clearInterval(t);
          resolve();
        }
      }, 20);
      setTimeout(() => reject(new Error("SSE never got the deleted drain")), 10_000);
    });
    expect(sse.events[0]).toMatchObject({ event: "snapshot", id: String(snap.seq) });
    const sseEvents = sse.events.filter((e) => e.event === "socket.drain" || (e.event === "heartbeat" && !e.data.periodic));
    expect(sseEvents.map((e) => Number(e.id))).toEqual(seqs.slice(0, sseEvents.length));
    for (const e of sse.events) expect(e.event).toBe(e.data.type);
    sse.close();
  });

  it("a session our own cleanup prunes is drained as pruned", async () => {
    const state = makeStateDir();
    idleStore(state, Date.now() - 3 * 60 * 60_000);
    const env = serveEnv();
    const srv = await startServe(["--state-dir", state, "--no-probe"], env);
    await waitReady(srv.url);
    const ws = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const snap = await ws.next((m) => m.type === "snapshot");
    const r = await runCli(["cleanup", "--prune", "--prune-after", "1h", "--enforce", "--state-dir", state, "--no-probe"], { env: { TMPDIR: env.TMPDIR, XDG_STATE_HOME: env.XDG_STATE_HOME } });
    expect(r.code, r.stderr).toBe(0);
    const left = Object.keys(readEntries(state));
    const pruned = [KEY, OTHER_KEY].filter((k) => !left.includes(k));
    expect(pruned.length).toBeGreaterThan(0);
    for (const key of pruned) {
      const d = await ws.next((m) => m.type === "socket.drain" && m.sessionKey === key, `the drain of ${key}`);
      expect(d.reason).toBe("pruned");
    }
    expect(eventSeqs(ws.messages)).toEqual(consecutive(snap.seq + 1, pruned.length));
  });
});
