// GET /metrics: Prometheus text from prom-client, every name prefixed openclaw_sessions_ (the
// process defaults too). Aggregates by default, as OpenClaw's own exporter does: label sets are
// bounded by agents x health x state. Per-session series only with --metrics-per-session, capped.
import client from "prom-client";
import type { Era, Heartbeat, StoreRef } from "../core/types.js";
import { isTurnInProgress } from "../ui/format.js";
import type { Frame } from "./event-log.js";

export const METRIC_PREFIX = "openclaw_sessions_";
/** How often the process defaults' event-loop lag (`nodejs_eventloop_lag_*`) is sampled. */
export const EVENT_LOOP_SAMPLE_MS = 100;
export { DEFAULT_SESSION_SERIES_CAP } from "./series-cap.js";

export interface MetricsSource {
  /** every session, in status order */
  heartbeats(): Heartbeat[];
  stores(): StoreRef[];
  /** stores found that cannot be read now (status --json's unreadableStores) */
  unread(): StoreRef[];
  seq(): number;
  clients(): Record<"ws" | "sse", number>;
  now(): number;
  /** with --gateway: the overlay's connection */
  gateway?: () => { connected: boolean; protocol: number | null };
}

export interface Metrics {
  readonly contentType: string;
  text(): Promise<string>;
  observeRead(endpoint: string, seconds: number): void;
  observePush(transport: "ws" | "sse", seconds: number): void;
  countFrame(frame: Frame): void;
  countResync(reason: "history" | "overflow"): void;
  countRequest(route: string, status: number): void;
}

export function createMetrics(src: MetricsSource, opts: { perSession: number } = { perSession: 0 }): Metrics {
  const registry = new client.Registry();
  // the event-loop lag is sampled every 100 ms: prom-client's 10 ms default wakes an idle serve a
  // hundred times a second (measured: 0.7% of a core, most of an idle serve's CPU)
  client.collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const registers = [registry];
  const name = (n: string) => `${METRIC_PREFIX}${n}`;

  new client.Gauge({
    name: name("sessions"),
    help: "Sessions by agent, health and state",
    labelNames: ["agent", "health", "state"],
    registers,
    collect() {
      this.reset();
      const counts = new Map<string, { agent: string; health: string; state: string; n: number }>();
      for (const hb of src.heartbeats()) {
        const k = `${hb.agentId}\u0000${hb.health}\u0000${hb.state}`;
        const c = counts.get(k);
        if (c) c.n++;
        else counts.set(k, { agent: hb.agentId, health: hb.health, state: hb.state, n: 1 });
      }
      for (const c of counts.values()) this.set({ agent: c.agent, health: c.health, state: c.state }, c.n);
    },
  });
  new client.Gauge({
    name: name("oldest_running_turn_seconds"),
    help: "How long the oldest turn in progress has run, per agent (0 when none runs)",
    labelNames: ["agent"],
    registers,
    collect() {
      this.reset();
      const now = src.now();
      const oldest = new Map<string, number>();
      for (const hb of src.heartbeats()) {
        const age = isTurnInProgress(hb.state) && hb.startedAt !== undefined ? Math.max(0, now - hb.startedAt) / 1000 : 0;
        oldest.set(hb.agentId, Math.max(oldest.get(hb.agentId) ?? 0, age));
      }
      for (const [agent, s] of oldest) this.set({ agent }, s);
    },
  });
  // stores by era: every era labelled, 0 included, so a dashboard's series never vanish
  const storesByEra = (metric: string, help: string, stores: () => StoreRef[]) =>
    new client.Gauge({
      name: name(metric),
      help,
      labelNames: ["era"],
      registers,
      collect() {
        this.reset();
        const byEra: Record<Era, number> = { A: 0, AB: 0, B: 0, C: 0 };
        for (const s of stores()) byEra[s.era] = (byEra[s.era] ?? 0) + 1;
        for (const [era, n] of Object.entries(byEra)) this.set({ era }, n);
      },
    });
  storesByEra("stores", "Stores found, by era (A, B: sessions.json; AB: a sessions.json of either; C: SQLite)", () => src.stores());
  storesByEra(
    "stores_unreadable",
    "Stores found that cannot be read now, by era (their sessions are their last good read, or none): what status --check reports as 3",
    () => src.unread(),
  );
  new client.Gauge({
    name: name("event_seq"),
    help: "The seq of the newest event (transitions and drains)",
    registers,
    collect() {
      this.set(src.seq());
    },
  });
  new client.Gauge({
    name: name("stream_clients"),
    help: "Connected stream clients, by transport",
    labelNames: ["transport"],
    registers,
    collect() {
      for (const [transport, n] of Object.entries(src.clients())) this.set({ transport }, n);
    },
  });
  const gateway = src.gateway;
  if (gateway) {
    new client.Gauge({
      name: name("gateway_connected"),
      help: "1 while the gateway overlay (--gateway) is connected, else 0; protocol: the one the gateway picked, empty while not connected",
      labelNames: ["protocol"],
      registers,
      collect() {
        this.reset();
        const g = gateway();
        this.set({ protocol: g.connected && g.protocol !== null ? String(g.protocol) : "" }, g.connected ? 1 : 0);
      },
    });
  }
  const events = new client.Counter({ name: name("events_total"), help: "Events made, by type (timer heartbeats: type heartbeat_timer)", labelNames: ["type"], registers });
  const resyncs = new client.Counter({ name: name("resyncs_total"), help: "Resyncs sent, by reason (history: since too old; overflow: a slow client)", labelNames: ["reason"], registers });
  const requests = new client.Counter({ name: name("http_requests_total"), help: "HTTP requests answered, by route and status", labelNames: ["route", "status"], registers });
  const histogram = (n: string, help: string, label: string, buckets: number[]) => new client.Histogram({ name: name(n), help, labelNames: [label], buckets, registers });
  const read = histogram("read_duration_seconds", "Time to answer a heartbeat read (batch or one session), from memory", "endpoint", [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
  const push = histogram("push_latency_seconds", "From a change reaching the server to its event written to a client", "transport", [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);

  if (opts.perSession > 0) {
    const cap = opts.perSession;
    new client.Gauge({
      name: name("session_turn_elapsed_seconds"),
      help: `Per session (at most ${cap}, problems first): how long its turn in progress has run, 0 when none`,
      labelNames: ["agent", "session_key", "health", "state"],
      registers,
      collect() {
        this.reset();
        const now = src.now();
        for (const hb of src.heartbeats().slice(0, cap)) {
          const s = isTurnInProgress(hb.state) && hb.startedAt !== undefined ? Math.max(0, now - hb.startedAt) / 1000 : 0;
          this.set({ agent: hb.agentId, session_key: hb.sessionKey, health: hb.health, state: hb.state }, s);
        }
      },
    });
    new client.Gauge({
      name: name("session_series_dropped"),
      help: "Sessions left out of the per-session series by the cap",
      registers,
      collect() {
        this.set(Math.max(0, src.heartbeats().length - cap));
      },
    });
  }

  return {
    contentType: registry.contentType,
    text: () => registry.metrics(),
    observeRead: (endpoint, seconds) => read.observe({ endpoint }, seconds),
    observePush: (transport, seconds) => push.observe({ transport }, seconds),
    countFrame: (frame) => events.inc({ type: frame.periodic ? "heartbeat_timer" : frame.type }),
    countResync: (reason) => resyncs.inc({ reason }),
    countRequest: (route, status) => requests.inc({ route, status: String(status) }),
  };
}
