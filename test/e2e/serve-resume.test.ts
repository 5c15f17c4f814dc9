// A client that drops and comes back: with since (WebSocket) or Last-Event-ID (SSE) it gets
// exactly the events it missed; with a since the server no longer keeps, a resync. A client that
// stops reading gets its drains and a resync, and never holds up the others.
import net from "node:net";
import { SLOW_AFTER_MS } from "../../src/server/stream-client.js";
import { describe, expect, it } from "vitest";
import { format, makeStateDir, writeIndex } from "../fixtures/store-builder.js";
import { useOwners } from "./helpers/cli.js";
import { connectSse, connectWs, consecutive, eventSeqs, serveIdle, startServe, until, useServeCleanup, waitReady, wsUrl } from "./helpers/serve.js";
import { callTool, KEY, readEntries, startRun, writeIndexAtomic } from "./watch-fixture.js";

useServeCleanup();
const { live } = useOwners();

const transitions = (messages: any[]) => messages.filter((m) => (m.type === "heartbeat" && !m.periodic) || m.type === "socket.drain");

describe("serve: resuming", () => {
  it("WebSocket ?since= and SSE Last-Event-ID replay exactly what was missed, and no snapshot", async () => {
    const { state, srv } = await serveIdle(["--heartbeat-interval", "1h"]);
    const watcher = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const leaver = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const snap = await leaver.next((m) => m.type === "snapshot");
    leaver.ws.close();
    await leaver.closed;

    startRun(state, live);
    callTool(state, "exec");
    await watcher.next((m) => m.type === "heartbeat" && m.heartbeat.state === "tool_exec", "the tool call");
    const missed = transitions(watcher.messages);
    expect(missed.length).toBeGreaterThan(0);

    const back = connectWs(wsUrl(srv.url, `/api/sessions/ws?since=${snap.seq}`));
    await back.next((m) => m.seq === missed.at(-1).seq, "the last missed event");
    expect(back.messages).toEqual(missed);

    const sse = connectSse(`${srv.url}/api/sessions/events`, { "Last-Event-ID": String(snap.seq) });
    await until(() => sse.events.length >= missed.length, () => `SSE replay: ${sse.events.length} of ${missed.length}`);
    expect(sse.events.map((e) => e.data)).toEqual(missed);
    expect(sse.events.map((e) => Number(e.id))).toEqual(missed.map((m) => m.seq));

    // resuming from the newest seq: nothing to replay, then the stream goes on
    const current = connectWs(wsUrl(srv.url, `/api/sessions/ws?since=${missed.at(-1).seq}`));
    await current.opened;
    const entries = readEntries(state);
    entries[KEY] = { ...entries[KEY], label: "renamed" };
    writeIndexAtomic(state, entries);
    const renamed = await current.next((m) => m.type === "heartbeat" && m.heartbeat.label === "renamed", "the rename");
    expect(current.messages).toEqual([renamed]);
    expect(renamed.seq).toBe(missed.at(-1).seq + 1);
    sse.close();
  });

  it("a since older than --history (or from another run) gets a resync with a fresh snapshot", async () => {
    const { state, srv } = await serveIdle(["--history", "1"]);
    const watcher = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const snap = await watcher.next((m) => m.type === "snapshot");
    startRun(state, live);
    await watcher.next((m) => m.type === "heartbeat" && m.heartbeat.state === "awaiting_model");
    callTool(state, "exec");
    await watcher.next((m) => m.type === "heartbeat" && m.heartbeat.state === "tool_exec");
    const last = transitions(watcher.messages).at(-1);
    expect(last.seq).toBeGreaterThan(snap.seq + 1);
    for (const since of [snap.seq, 12]) {
      const c = connectWs(wsUrl(srv.url, `/api/sessions/ws?since=${since}`));
      const first = await c.next(() => true);
      expect(first).toMatchObject({ type: "resync", reason: "history", seq: last.seq });
      expect(first.sessions.find((s: any) => s.sessionKey === KEY)).toMatchObject({ state: "tool_exec" });
    }
    // the one event still kept is replayed as usual
    const kept = connectWs(wsUrl(srv.url, `/api/sessions/ws?since=${last.seq - 1}`));
    expect(await kept.next(() => true)).toEqual(last);
  });
});

describe("serve: a slow client", () => {
  it("never holds up the others: they get every event; it gets its drains, then a resync", async () => {
    const state = makeStateDir();
    const N = 150;
    const at = Date.now() - 60 * 60_000;
    const entries = (round: number, without: string[] = []): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < N; i++) {
        const key = `agent:main:s${i}`;
        if (without.includes(key)) continue;
        // a long label makes every heartbeat 16 KB: the slow socket's buffers fill sooner
        out[key] = format.indexEntry({ sessionId: `sess-${i}`, updatedAt: at, sessionStartedAt: at - 1000, lastInteractionAt: at - 1000, status: "done", startedAt: at - 1000, endedAt: at, label: `round ${round} ${"x".repeat(16_000)}`, rich: false });
      }
      return out;
    };
    writeIndex(state, "main", entries(0));
    const srv = await startServe(["--state-dir", state, "--no-probe", "--client-queue", "100", "--heartbeat-interval", "1h"]);
    await waitReady(srv.url);
    const fast = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const slow = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const snap = await fast.next((m) => m.type === "snapshot");
    await slow.next((m) => m.type === "snapshot");
    // the slow client stops reading: its socket's buffers fill, then its queue. A round is all N
    // sessions changing; the fast client's queue holds part of one round at most (N - what its
    // socket took), under the bound of 100, while the slow one's reaches N and stays there.
    const socket = (slow.ws as unknown as { _socket: net.Socket })._socket;
    socket.pause();
    const ROUNDS = 12;
    for (let r = 1; r <= ROUNDS; r++) {
      writeIndexAtomic(state, entries(r));
      await fast.next((m) => m.type === "heartbeat" && m.heartbeat.sessionKey === `agent:main:s${N - 1}` && m.heartbeat.label.startsWith(`round ${r} `), `round ${r}`);
    }
    // a client is slow once its socket has refused data for SLOW_AFTER_MS, judged as frames are
    // queued: on a fast machine all rounds fit in that second, so the drains are queued after it
    await new Promise((r) => setTimeout(r, SLOW_AFTER_MS + 500));
    const gone = ["agent:main:s3", "agent:main:s7"];
    writeIndexAtomic(state, entries(ROUNDS, gone));
    await fast.next((m) => m.type === "socket.drain" && m.sessionKey === gone[1], "the drains");
    const seqs = eventSeqs(fast.messages);
    expect(seqs).toEqual(consecutive(snap.seq + 1, ROUNDS * N + gone.length));

    socket.resume();
    const resync = await slow.next((m) => m.type === "resync", "the resync");
    expect(resync.reason).toBe("overflow");
    expect(resync.seq).toBe(seqs.at(-1));
    expect(resync.sessions).toHaveLength(N - gone.length);
    const before = slow.messages.slice(0, slow.messages.indexOf(resync));
    expect(before.filter((m) => m.type === "socket.drain").map((m) => m.sessionKey)).toEqual(gone);
    // what it got is in seq order, and less than everything: the rest was folded into the resync
    const got = slow.messages.map((m) => m.seq);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(slow.messages.length).toBeLessThan(fast.messages.length);
  });
});
