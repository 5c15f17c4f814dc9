// A scripted OpenAI-compatible model (POST /v1/chat/completions, SSE streaming) on 127.0.0.1.
// Each turn carries its script in the user message as `MODE=<mode>` (the last user message
// that names one wins), so one server serves every session of a test without shared state:
//   quick                 one short streamed answer
//   slow:<n>x<ms>         n text deltas, <ms> apart
//   tool:<command>        an `exec` tool call running <command>; after the tool result, quick
//   slowtool:<n>x<ms>:<command>  n slow deltas, then the tool call (issue 14: both streams)
//   hang                  headers sent, then nothing until the client goes away
//   delay:<ms>            nothing at all (not even headers) for <ms>, then the quick answer
//   http500               HTTP 500 with an OpenAI error body, every time
//   malformed             a 200 SSE stream of garbage
// A conversation whose last message is a tool result always gets the quick answer, and so
// does OpenClaw's own restart-recovery turn ("[System] Your previous turn was interrupted"),
// unless a user message says `RESUME=<mode>` (written before `MODE=`, which reads to the end of
// its line): then the recovery turn plays that mode (e.g. a slow one, to keep recovery busy).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { EventEmitter } from "node:events";

export type ModelMode =
  | { kind: "quick" }
  | { kind: "slow"; deltas: number; everyMs: number }
  | { kind: "tool"; command: string; deltas: number; everyMs: number }
  | { kind: "hang" }
  | { kind: "delay"; ms: number }
  | { kind: "http500" }
  | { kind: "malformed" };

export interface ModelRequest {
  n: number;
  at: number;
  mode: ModelMode["kind"];
  tag: string | null;
  /** the role of the conversation's last message (`tool` after a tool ran) */
  lastRole: string;
  /** OpenClaw's restart recovery re-running an interrupted turn ("[System] ... interrupted") */
  resumeTurn: boolean;
  /** true once the answer is fully written or the client left */
  finished: boolean;
  clientClosed: boolean;
}

export interface ModelServer {
  port: number;
  baseUrl: string;
  requests: ModelRequest[];
  events: EventEmitter;
  /** resolves at the first request matching `pred` (already seen ones count) */
  waitForRequest(pred: (r: ModelRequest) => boolean, boundMs?: number): Promise<ModelRequest>;
  close(): Promise<void>;
}

interface ChatMessage {
  role: string;
  content?: unknown;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === "object" && typeof (p as { text?: unknown }).text === "string" ? (p as { text: string }).text : ""))
      .join("\n");
  }
  return "";
}

export function parseMode(text: string): ModelMode | null {
  const m = /MODE=(\S+(?: [^\n]*)?)/.exec(text);
  if (!m) return null;
  const spec = m[1]!.trim();
  if (spec === "quick") return { kind: "quick" };
  if (spec === "hang") return { kind: "hang" };
  if (spec === "http500") return { kind: "http500" };
  if (spec === "malformed") return { kind: "malformed" };
  let s = /^delay:(\d+)$/.exec(spec);
  if (s) return { kind: "delay", ms: Number(s[1]) };
  s = /^slow:(\d+)x(\d+)$/.exec(spec);
  if (s) return { kind: "slow", deltas: Number(s[1]), everyMs: Number(s[2]) };
  s = /^slowtool:(\d+)x(\d+):(.+)$/.exec(spec);
  if (s) return { kind: "tool", deltas: Number(s[1]), everyMs: Number(s[2]), command: s[3]! };
  s = /^tool:(.+)$/.exec(spec);
  if (s) return { kind: "tool", command: s[1]!, deltas: 0, everyMs: 0 };
  return null;
}

interface Script {
  mode: ModelMode;
  tag: string | null;
  lastRole: string;
  resumeTurn: boolean;
}

function scriptFor(messages: ChatMessage[]): Script {
  const lastRole = messages.at(-1)?.role ?? "none";
  const users = messages.filter((m) => m.role === "user").map((m) => textOf(m.content));
  const tag = users.map((t) => /TAG=(\S+)/.exec(t)?.[1]).filter(Boolean).at(-1) ?? null;
  // 2026.9.6 stores the recovery note as a user message but may send it in another role
  const resumeTurn = messages.some((m) => textOf(m.content).includes("previous turn was interrupted"));
  const base = { tag, lastRole, resumeTurn };
  if (resumeTurn && lastRole !== "tool") {
    const spec = users.map((t) => /RESUME=(\S+)/.exec(t)?.[1]).filter(Boolean).at(-1);
    const mode = spec ? parseMode(`MODE=${spec}`) : null;
    if (mode && mode.kind !== "tool") return { mode, ...base };
  }
  if (lastRole === "tool" || resumeTurn) return { mode: { kind: "quick" }, ...base };
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    // the scripted tool already ran in this turn: 2026.9.6 may append other messages after the
    // tool result, so "last message is a tool result" is not enough to end the turn
    if (m.role === "tool") return { mode: { kind: "quick" }, ...base };
    const mode = m.role === "user" ? parseMode(textOf(m.content)) : null;
    if (mode) return { mode, ...base };
  }
  return { mode: { kind: "quick" }, ...base };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ModelServerOptions {
  /** the `exec` argument naming its timeout: 2026.9.6 rejects `timeout` ("use timeoutSeconds instead") */
  execTimeoutArg?: "timeout" | "timeoutSeconds";
}

export async function startModelServer(port = 0, opts: ModelServerOptions = {}): Promise<ModelServer> {
  const requests: ModelRequest[] = [];
  const events = new EventEmitter();
  const sockets = new Set<import("node:net").Socket>();
  let n = 0;

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      void answer(req, res, body).catch(() => res.destroy());
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    if (req.method === "GET" && req.url?.endsWith("/models")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: "fake-1", object: "model" }] }));
      return;
    }
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    let parsed: { messages?: ChatMessage[]; stream?: boolean };
    try {
      parsed = JSON.parse(body);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const { mode, tag, lastRole, resumeTurn } = scriptFor(parsed.messages ?? []);
    const record: ModelRequest = {
      n: ++n,
      at: Date.now(),
      mode: mode.kind,
      tag,
      lastRole,
      resumeTurn,
      finished: false,
      clientClosed: false,
    };
    requests.push(record);
    res.on("close", () => {
      if (!record.finished) record.clientClosed = true;
      record.finished = true;
      events.emit("change", record);
    });
    events.emit("request", record);
    const id = `chatcmpl-fake-${record.n}`;

    if (mode.kind === "delay") {
      // no byte at all until the delay has passed (a model slow to its first byte)
      await sleep(mode.ms);
      if (res.destroyed) return;
    }
    if (mode.kind === "http500") {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "scripted failure", type: "server_error", code: "internal_error" } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    if (mode.kind === "hang") {
      res.flushHeaders();
      return; // never answers; the socket closes when the client (or the test) goes away
    }
    if (mode.kind === "malformed") {
      res.write("data: {this is not json\n\n");
      res.write("data: \u0000\u0001garbage\n\n");
      res.end("event: ???\ndata: [DONE\n\n");
      return;
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created: Math.floor(Date.now() / 1000),
        model: "fake-1",
        choices: [{ index: 0, delta, finish_reason: finish }],
      })}\n\n`;
    const alive = () => !res.destroyed && !res.writableEnded;
    res.write(chunk({ role: "assistant", content: "" }));

    if (mode.kind === "slow" || (mode.kind === "tool" && mode.deltas > 0)) {
      for (let i = 0; i < mode.deltas && alive(); i++) {
        res.write(chunk({ content: `part ${i + 1}. ` }));
        await sleep(mode.everyMs);
      }
    }
    if (!alive()) return;
    if (mode.kind === "tool") {
      const args = JSON.stringify({ command: mode.command, yieldMs: 120000, [opts.execTimeoutArg ?? "timeout"]: 300 });
      res.write(chunk({ tool_calls: [{ index: 0, id: `call_fake_${record.n}`, type: "function", function: { name: "exec", arguments: args } }] }));
      res.write(chunk({}, "tool_calls"));
    } else {
      if (mode.kind === "quick" || mode.kind === "delay") res.write(chunk({ content: `ok ${tag ?? ""}`.trim() }));
      res.write(chunk({}, "stop"));
    }
    res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62 } })}\n\n`);
    record.finished = true;
    res.end("data: [DONE]\n\n");
  }

  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    baseUrl: `http://127.0.0.1:${actual}/v1`,
    requests,
    events,
    waitForRequest(pred, boundMs = 15 * 60_000) {
      const seen = requests.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off("request", on);
          reject(new Error(`model server: no matching request within ${boundMs} ms (saw ${JSON.stringify(requests)})`));
        }, boundMs);
        const on = (r: ModelRequest) => {
          if (!pred(r)) return;
          clearTimeout(timer);
          events.off("request", on);
          resolve(r);
        };
        events.on("request", on);
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
