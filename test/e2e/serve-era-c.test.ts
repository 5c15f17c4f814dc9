// `serve` on an era C (SQLite) store: ready once the store is read, and a row that OpenClaw's
// maintenance archives (archived_at set, committed by another connection) while serve runs is
// pushed as `socket.drain` reason `archived`, found through PRAGMA data_version polling. The
// store is a simulated one: the test's own connection stands in for the gateway writing it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eraCStoreWithWriter, quiescentEraCStore } from "../fixtures/era-c-writer.js";
import { loadSchema, validate } from "./helpers/schema.js";
import { connectWs, consecutive, eventSeqs, serveEnv, startServe, useServeCleanup, waitReady, wsUrl } from "./helpers/serve.js";

useServeCleanup();
const SERVE = loadSchema("serve.schema.json");
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe("serve on era C", () => {
  it("an archived row is drained as archived; a deleted one as deleted; the batch no longer lists either", async () => {
    // the writer holds -wal/-shm as a running gateway does: serve opens the store plainly and sees commits
    const { m, writer } = await eraCStoreWithWriter(cleanups, 4, 11);

    const srv = await startServe(["--state-dir", m.stateDir, "--no-probe"], serveEnv());
    await waitReady(srv.url);
    const ws = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const snap = await ws.next((x) => x.type === "snapshot", "the snapshot");
    expect(snap.sessions.map((s: any) => s.sessionKey).sort()).toEqual(m.sessions.map((s) => s.sessionKey).sort());
    expect(snap.sessions[0]).toMatchObject({ era: "C", source: "db" });

    const [archived, deleted] = m.sessions;
    writer.prepare("UPDATE session_nodes SET archived_at = ? WHERE session_key = ?").run(Date.now(), archived!.sessionKey);
    const a = await ws.next((x) => x.type === "socket.drain" && x.sessionKey === archived!.sessionKey, "the archived drain");
    expect(a).toMatchObject({ sessionId: archived!.sessionId, reason: "archived", agentId: "main" });

    writer.prepare("DELETE FROM session_nodes WHERE session_key = ?").run(deleted!.sessionKey);
    const d = await ws.next((x) => x.type === "socket.drain" && x.sessionKey === deleted!.sessionKey, "the deleted drain");
    expect(d).toMatchObject({ sessionId: deleted!.sessionId, reason: "deleted" });

    expect(ws.messages.filter((x) => x.type === "socket.drain").map((x) => x.reason)).toEqual(["archived", "deleted"]);
    const seqs = eventSeqs(ws.messages);
    expect(seqs).toEqual(consecutive(snap.seq + 1, seqs.length));
    for (const x of ws.messages) expect(validate(SERVE.$defs.event, x, "$", SERVE)).toEqual([]);
    const batch = (await (await fetch(`${srv.url}/api/sessions/heartbeat`)).json()) as { sessions: Array<Record<string, unknown>> };
    expect(batch.sessions.map((s: any) => s.sessionKey).sort()).toEqual(m.sessions.slice(2).map((s) => s.sessionKey).sort());
  });

  it("a store a stopped gateway left (no -wal/-shm, read immutable): a run its gateway ends after starting shows in the per-session heartbeat", async () => {
    const { m, openWriter } = await quiescentEraCStore(cleanups, 6, 11);
    const running = m.sessions.find((s) => s.kind === "running-dead")!;
    const srv = await startServe(["--state-dir", m.stateDir, "--no-probe"], serveEnv());
    await waitReady(srv.url);
    const url = `${srv.url}/api/sessions/${encodeURIComponent(running.sessionKey)}/heartbeat`;
    const health = async () => ((await (await fetch(url)).json()) as { health: string; storeStatus: string });
    expect(await health()).toMatchObject({ health: "unresponsive", storeStatus: "running" });
    const writer = openWriter();
    const t = Date.now();
    writer.prepare("UPDATE session_nodes SET status = 'done', updated_at = ? WHERE session_key = ?").run(t, running.sessionKey);
    writer.prepare("UPDATE session_windows SET status = 'done', ended_at = ?, updated_at = ? WHERE session_id = ?").run(t, t, running.sessionId);
    const end = Date.now() + 10_000;
    let last = await health();
    while (last.storeStatus !== "done" && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      last = await health();
    }
    expect(last).toMatchObject({ health: "idle", storeStatus: "done" });
  });

  it("its log says ready counting the era C stores; with only an unreadable one it says not-ready with why, as /readyz does", async () => {
    const { m } = await eraCStoreWithWriter(cleanups, 4, 11);
    const srv = await startServe(["--state-dir", m.stateDir, "--no-probe", "--log-format", "json"], serveEnv());
    await waitReady(srv.url);
    const logged = async (event: string, served: typeof srv) => {
      const end = Date.now() + 10_000;
      for (;;) {
        const line = served.stderr().trim().split("\n").map((l) => JSON.parse(l)).find((l) => l.event === event);
        if (line || Date.now() > end) return line;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    expect(await logged("ready", srv)).toMatchObject({ stateDir: m.stateDir, stores: 1, sessions: 4 });

    const broken = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-serve-broken-"));
    cleanups.push(() => fs.rmSync(broken, { recursive: true, force: true }));
    const db = path.join(broken, "agents", "main", "agent", "openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.writeFileSync(db, "garbage\n");
    const bad = await startServe(["--state-dir", broken, "--no-probe", "--log-format", "json"], serveEnv());
    const line = await logged("not-ready", bad);
    expect(line).toMatchObject({ stores: 1, unread: 1, sessions: 0, reason: expect.stringContaining("not an SQLite database") });
    const readyz = await fetch(`${bad.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toContain("not an SQLite database");
    // a good store put in its place: read, and the log says ready once it is
    fs.copyFileSync(m.dbPaths[0]!, `${db}.new`);
    fs.renameSync(`${db}.new`, db);
    expect(await logged("ready", bad)).toMatchObject({ stores: 1, sessions: 4 });
    expect((await fetch(`${bad.url}/readyz`)).status).toBe(200);
  });

  it("a store that goes bad while served (replaced by garbage): no session is drained, its last good read stays, /metrics counts it unreadable; put back, it is read again", async () => {
    const { m, dbPath } = await eraCStoreWithWriter(cleanups, 4, 11);
    const good = fs.readFileSync(dbPath);
    const srv = await startServe(["--state-dir", m.stateDir, "--no-probe"], serveEnv());
    await waitReady(srv.url);
    const ws = connectWs(wsUrl(srv.url, "/api/sessions/ws"));
    const snap = await ws.next((x) => x.type === "snapshot", "the snapshot");
    const unreadable = async () => Number(/^openclaw_sessions_stores_unreadable\{era="C"\} (\d+)$/m.exec(await (await fetch(`${srv.url}/metrics`)).text())?.[1]);
    const until = async (probe: () => Promise<boolean>, what: string) => {
      const end = Date.now() + 10_000;
      while (!(await probe())) {
        if (Date.now() > end) throw new Error(`${what}: not seen`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    expect(await unreadable()).toBe(0);
    const swap = (bytes: Buffer | string) => {
      fs.writeFileSync(`${dbPath}.new`, bytes);
      fs.renameSync(`${dbPath}.new`, dbPath);
    };
    swap("garbage\n");
    await until(async () => (await unreadable()) === 1, "the store counted unreadable");
    const batch = (await (await fetch(`${srv.url}/api/sessions/heartbeat`)).json()) as { sessions: Array<{ sessionKey: string }> };
    expect(batch.sessions.map((x) => x.sessionKey).sort()).toEqual(snap.sessions.map((x: { sessionKey: string }) => x.sessionKey).sort());
    swap(good);
    await until(async () => (await unreadable()) === 0, "the store read again");
    expect(ws.messages.filter((x) => x.type === "socket.drain")).toEqual([]);
  });
});
