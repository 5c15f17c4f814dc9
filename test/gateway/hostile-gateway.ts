// A gateway that misbehaves the ways QA's fake did (a hello-ok whose tick policy no timer can hold,
// a close before hello, a drop right after hello-ok) on a real WebSocket server, and counts what a
// client does to it: every connection's arrival and how many of its sockets are open at once.
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export interface Plan {
  /** answer connect with hello-ok (else no answer: the connection ends before hello) */
  hello: boolean;
  /** policy.tickIntervalMs in that hello-ok */
  tickIntervalMs?: number;
  /** close the socket (1011) this long after the connect request; undefined: leave it open */
  closeAfterMs?: number;
}

export class HostileGateway {
  /** when each connection arrived (performance.now()), in order */
  readonly arrivals: number[] = [];
  open = 0;
  maxOpen = 0;
  private server: WebSocketServer | undefined;
  private waiters: { n: number; resolve(): void }[] = [];

  /** `plan(n)`: what to do with the n-th connection (1-based). */
  constructor(private readonly plan: (n: number) => Plan) {}

  async start(): Promise<number> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("listening", () => resolve());
      server.once("error", reject);
    });
    server.on("connection", (ws) => this.accept(ws));
    return (server.address() as AddressInfo).port;
  }

  /** Resolves once `n` connections have arrived. */
  connections(n: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.arrivals.length >= n) return resolve();
      this.waiters.push({ n, resolve });
    });
  }

  /** Resolves once none of the client's sockets is open here any more. */
  async drained(): Promise<void> {
    while (this.open > 0) await new Promise((r) => setTimeout(r, 5));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const ws of server.clients) ws.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    this.arrivals.push(performance.now());
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    const plan = this.plan(this.arrivals.length);
    ws.on("close", () => (this.open -= 1));
    ws.on("error", () => {});
    ws.on("message", (data) => this.answer(ws, plan, data.toString()));
    ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: `n-${this.arrivals.length}`, ts: Date.now() } }));
    for (const w of this.waiters.filter((w) => this.arrivals.length >= w.n)) w.resolve();
  }

  private answer(ws: WebSocket, plan: Plan, text: string): void {
    const req = JSON.parse(text) as { id: string; method: string };
    const res = (payload: unknown): void => ws.send(JSON.stringify({ type: "res", id: req.id, ok: true, payload }));
    if (req.method !== "connect") return res(req.method === "sessions.list" ? { sessions: [] } : { subscribed: true });
    if (plan.hello) res({ type: "hello-ok", protocol: 4, server: { version: "hostile", connId: `c${this.arrivals.length}` }, policy: { tickIntervalMs: plan.tickIntervalMs } });
    if (plan.closeAfterMs !== undefined) setTimeout(() => ws.close(1011, "hostile"), plan.closeAfterMs);
  }
}
