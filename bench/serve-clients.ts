// The serve bench's WebSocket clients, in a process of their own (forked by bench/serve.ts): their
// parsing of every event then neither lands in serve's CPU figures nor waits behind the bench's
// own batch reads and file appends in one event loop. Driven over the IPC channel:
//
//   {type: "connect", url, clients}     -> {type: "connected", snapshotBytes}
//   {type: "await", key, stamp, timeoutMs}
//                                       -> {type: "arrived", key, at: (ms since epoch | null)[]}: when each
//                                          client got `key`'s transition with lastActivityAt = stamp
//   {type: "counts"}                    -> {type: "counts", counts}: frames received so far, all clients
//   {type: "close"}                     -> sockets closed, the process exits
//
// Arrival times are Date.now() as each message is handled: the bench takes the same clock just
// before it appends the line (one machine, one clock).
import WebSocket from "ws";

export type ClientRequest =
  | { type: "connect"; url: string; clients: number }
  | { type: "await"; key: string; stamp: number; timeoutMs: number }
  | { type: "counts" }
  | { type: "close" };

export interface FrameCounts {
  snapshots: number;
  /** heartbeats that took a seq (periodic: false) */
  transitions: number;
  /** timer heartbeats (periodic: true) */
  periodic: number;
  drains: number;
  resyncs: number;
  bytes: number;
}

export type ClientReply =
  | { type: "connected"; snapshotBytes: number }
  | { type: "arrived"; key: string; at: Array<number | null> }
  | { type: "counts"; counts: FrameCounts };

interface Waiting {
  key: string;
  stamp: number;
  at: Array<number | null>;
  left: number;
  timer: NodeJS.Timeout;
}

const send = (m: ClientReply) => process.send!(m);

function run(): void {
  const counts: FrameCounts = { snapshots: 0, transitions: 0, periodic: 0, drains: 0, resyncs: 0, bytes: 0 };
  // per client: each session's latest transition as received
  const seen: Array<Map<string, { at: number; lastActivityAt: number | null }>> = [];
  const sockets: WebSocket[] = [];
  let waiting: Waiting | undefined;

  const settle = (w: Waiting) => {
    clearTimeout(w.timer);
    waiting = undefined;
    send({ type: "arrived", key: w.key, at: w.at });
  };

  const connect = (url: string, n: number) => {
    let snapshotBytes = 0;
    let open = 0;
    for (let i = 0; i < n; i++) {
      const got = new Map<string, { at: number; lastActivityAt: number | null }>();
      seen.push(got);
      const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/sessions/ws`);
      sockets.push(ws);
      let first = true;
      ws.on("message", (data: Buffer) => {
        const at = Date.now();
        counts.bytes += data.length;
        // snapshots and resyncs are several MiB: only their type is read
        const head = data.subarray(0, 24).toString("latin1");
        if (head.startsWith('{"type":"snapshot"') || head.startsWith('{"type":"resync"')) {
          if (head.includes("snapshot")) counts.snapshots++;
          else counts.resyncs++;
          if (first) {
            first = false;
            if (i === 0) snapshotBytes = data.length;
            if (++open === n) send({ type: "connected", snapshotBytes });
          }
          return;
        }
        const e = JSON.parse(data.toString("utf8"));
        if (e.type === "socket.drain") counts.drains++;
        if (e.type !== "heartbeat") return;
        if (e.periodic) {
          counts.periodic++;
          return;
        }
        counts.transitions++;
        got.set(e.heartbeat.sessionKey, { at, lastActivityAt: e.heartbeat.lastActivityAt });
        const w = waiting;
        if (w && w.key === e.heartbeat.sessionKey && e.heartbeat.lastActivityAt === w.stamp && w.at[i] === null) {
          w.at[i] = at;
          if (--w.left === 0) settle(w);
        }
      });
      ws.on("error", (err) => {
        process.stderr.write(`bench client ${i}: ${err.message}\n`);
        process.exit(1);
      });
    }
  };

  process.on("message", (m: ClientRequest) => {
    if (m.type === "connect") connect(m.url, m.clients);
    else if (m.type === "counts") send({ type: "counts", counts: { ...counts } });
    else if (m.type === "await") {
      // a client may have got it before this request was read
      const at = seen.map((got) => {
        const s = got.get(m.key);
        return s?.lastActivityAt === m.stamp ? s.at : null;
      });
      const w: Waiting = { key: m.key, stamp: m.stamp, at, left: at.filter((t) => t === null).length, timer: setTimeout(() => settle(w), m.timeoutMs) };
      if (w.left === 0) settle(w);
      else waiting = w;
    } else if (m.type === "close") {
      for (const ws of sockets) ws.terminate();
      process.disconnect();
    }
  });
}

run();
