// `openclaw-sessions serve`: the heartbeat API and push stream OpenClaw's dashboards lack, from
// the same live model as `watch` (one full read, then file events and a clock tick).
import { stopSignals } from "./stop-signals.js";
import type { AddressInfo } from "node:net";
import { Command, Option } from "commander";
import { parseDurationFlag } from "../core/duration.js";
import { CliError, EXIT, UnavailableError, UsageError } from "../core/errors.js";
import { parseStallAfter } from "../core/thresholds.js";
import { openLiveSource, type LiveSource } from "../store/live-source.js";
import type { Env } from "../store/locate.js";
import { collectAfterSessions, collectGarbage } from "../store/heap.js";
import { defaultAuditPath } from "../store/writer/audit.js";
import type { Readiness, ServeApp } from "../server/app.js";
import { Auth, readTokenFile } from "../server/auth.js";
import { archivedIn, judgeDepartures } from "../server/departures.js";
import { isLoopbackAddress } from "../server/guard.js";
import { Hub } from "../server/hub.js";
import { createLogger, parseLogFormat, type Logger } from "../server/log.js";
import { DEFAULT_SESSION_SERIES_CAP } from "../server/series-cap.js";
import { evictionDrain, firstOutcome, GATEWAY_SETTLE_MS, gatewayState } from "../server/gateway.js";
import { gatewayWanted, openGatewayOverlay, type GatewayOverlay } from "../gateway/open-overlay.js";
import { withGatewayOverlay } from "../gateway/with-overlay.js";
import { openState } from "../store/snapshot.js";
import { isTurnInProgress } from "../ui/format.js";
import { thresholdsFor } from "../store/thresholds.js";
import { clockOverride, collect } from "./heartbeats.js";
import { addStoreOptions, pickStoreOptions, wholeNumberFlag } from "./options.js";

/** Outside OpenClaw's own ports (18789 and the ones it derives from it, up to 18899). */
export const DEFAULT_PORT = 18960;
/** Below this a timer heartbeat per live run x every client is a flood, not a heartbeat. */
const MIN_HEARTBEAT_INTERVAL_MS = 100;

export const SERVE_DEFAULTS = { host: "127.0.0.1", heartbeatInterval: "5s", history: 10_000, clientQueue: 1_000 } as const;

const HELP = `
Endpoints (docs/serve.md has the event reference):
  GET  /api/sessions/heartbeat        every session (?agent=ID &problems=true &active=DURATION)
  GET  /api/sessions/<key>/heartbeat  one session (the key URL-encoded); 404 when unknown
  GET  /api/sessions/ws               WebSocket: snapshot, heartbeat, socket.drain, resync (?since=SEQ)
  GET  /api/sessions/events           the same as Server-Sent Events (Last-Event-ID)
  POST /api/tickets                   a one-time ticket (30 s) for a browser's WebSocket/EventSource URL
  GET  /metrics                       Prometheus text, every name prefixed openclaw_sessions_
  GET  /livez, /readyz                probes (no token needed)

Exit codes:
  0   stopped by SIGTERM, SIGINT or SIGHUP
  64  bad usage (also: a non-loopback --host without --token-file)
  69  the port is in use or cannot be bound, or (--gateway) the gateway refused this tool at start
      (its secret, its protocol, a pairing to approve), or our device identity cannot be read or
      written (its dir inside OpenClaw's state dir)
A gateway that is not running is not an error: serve reads the files and connects once it runs;
a state dir, config or store that cannot be read is logged and retried, never an exit.`;

export function register(program: Command): void {
  const cmd = program
    .command("serve")
    .description("HTTP API, WebSocket and SSE push of every session's heartbeat, plus Prometheus metrics (read-only)")
    .option("--host <address>", "address to listen on; anything but loopback needs --token-file", SERVE_DEFAULTS.host)
    .option("--port <n>", `port to listen on, 0 for any free one (default ${DEFAULT_PORT}, clear of OpenClaw's 18789-18899)`)
    .option("--token-file <file>", "require this bearer token (the file's contents, one trailing newline ignored) on every request but the probes")
    .option("--heartbeat-interval <duration>", "timer heartbeat for each session whose run can still move (not a dead one); bare number = seconds, at least 100ms", SERVE_DEFAULTS.heartbeatInterval)
    .option("--metrics-per-session [cap]", `also per-session metric series, at most cap of them (default ${DEFAULT_SESSION_SERIES_CAP}), problems first`)
    .option("--cors-origin <origin>", "allow this browser origin (CORS and WebSocket Origin), e.g. https://dash.example; repeatable", collect, [])
    .option("--log-format <format>", "one line per request or connection: text or json", "text")
    .option("--history <n>", `events kept for clients that resume with since/Last-Event-ID (default ${SERVE_DEFAULTS.history})`)
    .option("--client-queue <n>", `events a slow client may have pending before a resync replaces its heartbeats (default ${SERVE_DEFAULTS.clientQueue})`)
    .option("--stall-after <duration|state=duration>", "stall threshold (default diagnostics.stuckSessionWarnMs, else 2m); repeatable", collect, [])
    .addOption(new Option("--no-probe", "do not probe the gateway's /healthz"))
    .option("--gateway", "live streaming/tool states and evictions from the gateway's own events (read-only operator; pairs this tool on first use; also OPENCLAW_SESSIONS_GATEWAY=1)")
    .addHelpText("after", HELP);
  addStoreOptions(cmd).action(async (opts) => {
    process.exitCode = await runServe(opts);
  });
}

export interface ServeSettings {
  host: string;
  port: number;
  token?: string;
  heartbeatIntervalMs: number;
  perSessionSeries: number;
  corsOrigins: string[];
  logFormat: "text" | "json";
  history: number;
  clientQueue: number;
  stallAfter: string[];
}

/** Every flag checked before anything is bound or read. */
export function serveSettings(opts: Record<string, any>): ServeSettings {
  const host = String(opts.host ?? SERVE_DEFAULTS.host).trim();
  if (host === "") throw new UsageError("--host is empty: give an address, e.g. 127.0.0.1");
  const port = opts.port === undefined ? DEFAULT_PORT : wholeNumberFlag("--port", opts.port, 0, 65_535);
  const heartbeatIntervalMs = parseDurationFlag("--heartbeat-interval", opts.heartbeatInterval ?? SERVE_DEFAULTS.heartbeatInterval, "period", {
    minMs: MIN_HEARTBEAT_INTERVAL_MS,
  });
  let logFormat: "text" | "json";
  try {
    logFormat = parseLogFormat(String(opts.logFormat ?? "text"));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const per = opts.metricsPerSession;
  const perSessionSeries = per === undefined ? 0 : per === true ? DEFAULT_SESSION_SERIES_CAP : wholeNumberFlag("--metrics-per-session", per, 1, 100_000);
  const corsOrigins: string[] = opts.corsOrigin ?? [];
  for (const o of corsOrigins) {
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === "http:" || u.protocol === "https:") && u.origin === o;
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`--cors-origin ${o}: give an origin exactly as browsers send it, e.g. https://dash.example or http://localhost:3000 (no path, no trailing slash)`);
  }
  const stallAfter: string[] = opts.stallAfter ?? [];
  parseStallAfter(stallAfter); // a bad one is a usage error now, not after the port is bound
  const token = opts.tokenFile !== undefined ? readTokenFile(String(opts.tokenFile)) : undefined;
  if (!isLoopbackAddress(host) && token === undefined) {
    throw new UsageError(`--host ${host} is reachable from other machines: serving every session there needs --token-file (or keep the default --host 127.0.0.1)`);
  }
  return {
    host,
    port,
    token,
    heartbeatIntervalMs,
    perSessionSeries,
    corsOrigins,
    logFormat,
    history: opts.history === undefined ? SERVE_DEFAULTS.history : wholeNumberFlag("--history", opts.history, 1, 10_000_000),
    clientQueue: opts.clientQueue === undefined ? SERVE_DEFAULTS.clientQueue : wholeNumberFlag("--client-queue", opts.clientQueue, 1, 10_000_000),
    stallAfter,
  };
}

export interface ServeOptions extends Record<string, any> {
  /** `demo` points serve at its simulated state dir and gateway lock dir */
  stateDir?: string;
  tmpDir?: string;
  env?: Env;
  /** with --gateway: print the first pairing (default true; `demo` pairs with its own simulator) */
  gatewayNotices?: boolean;
  /** where log lines go (default stderr) */
  log?: (line: string) => void;
  /** false: answer non-WebSocket upgrades the way Nodes before 24.9 make serve do (tests) */
  upgradeCallback?: boolean;
  /** tests only: Node's headersTimeout, to see a slow client's 408 without waiting 60 s */
  headersTimeoutMs?: number;
}

export interface RunningServe {
  url: string;
  /** closes every client, stops listening and reading; resolves once all is closed */
  stop(): Promise<void>;
}

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** Binds, answers the probes at once, and serves the sessions once the first read is done. */
export async function startServe(opts: ServeOptions): Promise<RunningServe> {
  const s = serveSettings(opts);
  // ws, prom-client and OpenTelemetry's API (about 100 modules) load only for serve: every other
  // command starts without compiling them
  const [{ createServeApp }, { createMetrics }] = await Promise.all([import("../server/app.js"), import("../server/metrics.js")]);
  const env = opts.env ?? process.env;
  const fixedNow = clockOverride(env);
  const now = fixedNow !== undefined ? () => fixedNow : Date.now;
  const logger: Logger = createLogger(s.logFormat, opts.log ?? ((l) => process.stderr.write(l)));
  let source: LiveSource | undefined;
  let notReady = "the first read of the stores has not finished";
  const hub = new Hub({
    history: s.history,
    firstSeq: Date.now(),
    now,
    judge: (departed) =>
      judgeDepartures(departed, {
        auditPath: defaultAuditPath(env as NodeJS.ProcessEnv),
        storesOf: (agentId) => (source?.stores() ?? []).filter((r) => r.agentId === agentId).map((r) => r.storePath),
        archived: (departed) => archivedIn(source?.eraC() ?? [], departed),
        warn: (message) => logger.line("warning", { message }),
      }),
    onFrame: (f) => metrics.countFrame(f),
    onError: (err) => logger.line("warning", { message: `update failed: ${err.message}` }),
    // the gateway's own events say a run is live; for the files, the health model does
    moving: (hb) => (hb.source === "gateway" ? isTurnInProgress(hb.state) : (source?.moving(hb) ?? isTurnInProgress(hb.state))),
  });
  const useGateway = gatewayWanted(opts.gateway, env);
  let overlay: GatewayOverlay | undefined;
  const gateway = useGateway ? () => gatewayState(overlay?.status()) : undefined;
  const readiness = (): Readiness => ({ ...filesReadiness(), ...(gateway ? { gateway: gateway() } : {}) });
  const filesReadiness = (): Readiness => {
    if (!source || !hub.ready) return { ready: false, reason: notReady };
    if (source.stores().length === 0) {
      const eraC = source.eraC().length;
      const unread = source.unread();
      // era C stores are read live too: ready once one of them can be read, or while a store
      // that went bad keeps its last good read (its sessions are still served, as a JSON index's are)
      if (eraC > unread.length || hub.size > 0) return { ready: true };
      return { ready: false, reason: eraC > 0 ? `no era C store here can be read: ${unread.map((u) => u.why).join("; ")}` : `no session store found in ${source.stateDir}` };
    }
    return { ready: true };
  };
  let app: ServeApp | undefined;
  const metrics = createMetrics(
    {
      heartbeats: () => hub.heartbeats(),
      stores: () => (source ? [...source.stores(), ...source.eraC()] : []),
      unread: () => source?.unread() ?? [],
      seq: () => hub.seq,
      clients: () => app?.clients() ?? { ws: 0, sse: 0 },
      now,
      gateway,
    },
    { perSession: s.perSessionSeries },
  );
  const served = createServeApp({
    hub,
    auth: new Auth(s.token, Date.now),
    loopback: isLoopbackAddress(s.host),
    corsOrigins: s.corsOrigins,
    logger,
    metrics,
    clientQueue: s.clientQueue,
    readiness,
    now,
    upgradeCallback: opts.upgradeCallback,
    headersTimeoutMs: opts.headersTimeoutMs,
  });
  app = served;
  const url = await listen(served.server, s.host, s.port);
  logger.line("listening", { url, auth: s.token ? "token" : "none", loopback: isLoopbackAddress(s.host) });

  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  const beat = setInterval(() => hub.tick(), s.heartbeatIntervalMs);
  const warned = new Set<string>();
  /** The overlay on the gateway this state dir's lock names, connecting in the background. */
  const attachGateway = (stateDir: string): GatewayOverlay => {
    const state = openState({ ...pickStoreOptions(opts), stateDir }, env);
    const o = openGatewayOverlay({
      configPath: state.configPath,
      config: state.config,
      openclawStateDir: state.stateDir,
      thresholds: thresholdsFor(state, s.stallAfter),
      tmpDir: opts.tmpDir,
      env,
      now,
      tellRefusals: false,
      onNotice: (message) => {
        if (opts.gatewayNotices !== false) logger.line("notice", { message });
      },
      onEviction: (e) => void hub.evict(evictionDrain(e)),
    });
    return o;
  };
  /**
   * The overlay's first word, waited for while the files are already served (a gateway that
   * accepts and stays silent holds up nothing). At start a refusal (our secret, its protocol, a
   * pairing to approve) ends serve with exit 69; later, and for a gateway that is not running,
   * serve goes on with the files and the client keeps trying.
   */
  const settleGateway = async (o: GatewayOverlay, atStart: boolean): Promise<void> => {
    const first = await firstOutcome(o, GATEWAY_SETTLE_MS);
    // a refusal at start is said once, by the error line serve exits with
    if (first.blocked && atStart) throw new GatewayRefused(`--gateway: ${first.reason ?? "the gateway refused this tool"}`);
    // the first word, or after the wait still none, then every change: one `gateway` line each
    let shown = "";
    const tell = (): void => {
      const g = gatewayState(o.status());
      const key = `${g.connected}|${g.phase}|${g.protocol}|${g.reason}`;
      if (key === shown) return;
      shown = key;
      logger.line("gateway", { connected: g.connected, phase: g.phase, protocol: g.protocol, reason: g.reason });
    };
    tell();
    o.subscribe(tell);
  };
  let atStart = true;
  const open = async (delayMs: number): Promise<void> => {
    if (stopped) return;
    try {
      const src = await openLiveSource({
        ...pickStoreOptions(opts),
        env,
        tmpDir: opts.tmpDir,
        probe: opts.probe !== false,
        stallAfter: s.stallAfter,
        now,
        onWarning: (message) => logger.line("warning", { message }),
      });
      if (stopped) {
        src.close();
        return;
      }
      if (useGateway) {
        try {
          overlay = attachGateway(src.stateDir);
        } catch (err) {
          // our device identity cannot be kept (exit 69): the source's watchers must not outlive it
          src.close();
          throw err;
        }
        source = withGatewayOverlay(src, overlay);
      } else {
        source = src;
      }
      const live = source;
      hub.baseline(live.get());
      // the first read's garbage is many times what stays alive: give it back before serving
      if (hub.size >= collectAfterSessions(env)) collectGarbage();
      // every store the source reads, of every era; "ready" only when /readyz would say so, and
      // said again whenever that changes (a store that becomes readable, or stops being)
      let loggedReady: boolean | undefined;
      const logReadiness = (): void => {
        const now = filesReadiness();
        if (now.ready === loggedReady) return;
        loggedReady = now.ready;
        const unread = src.unread().length;
        logger.line(now.ready ? "ready" : "not-ready", {
          stateDir: src.stateDir,
          stores: src.stores().length + src.eraC().length,
          ...(unread > 0 ? { unread } : {}),
          sessions: hub.size,
          seq: hub.seq,
          ...(now.ready ? {} : { reason: now.reason }),
        });
      };
      // the overlay refines heartbeats the source's delta does not know: then the whole list is compared
      unsubscribe = live.subscribe((delta) => {
        // said once the hub holds the update, so the line counts its sessions
        void hub.update(live.get(), useGateway ? undefined : delta).then(logReadiness);
      });
      logReadiness();
      if (overlay) {
        try {
          await settleGateway(overlay, atStart);
        } catch (err) {
          unsubscribe?.();
          unsubscribe = undefined;
          live.close();
          source = undefined;
          throw err;
        }
      }
    } catch (err) {
      // a flag the source rejects will not get better by waiting; nor will a gateway refusing us,
      // or a device identity we cannot keep
      if (err instanceof CliError && (err.exitCode === EXIT.usage || err.exitCode === EXIT.unavailable)) throw err;
      notReady = `cannot read the stores: ${(err as Error).message}`;
      if (!warned.has(notReady)) logger.line("warning", { message: `${notReady}; retrying` });
      warned.add(notReady);
      retryTimer = setTimeout(() => void open(Math.min(delayMs * 2, RETRY_MAX_MS)).catch(() => undefined), delayMs);
    }
  };
  try {
    await open(RETRY_FIRST_MS);
    atStart = false;
  } catch (err) {
    clearInterval(beat);
    await served.shutdown(0);
    throw err;
  }

  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(beat);
      if (retryTimer) clearTimeout(retryTimer);
      unsubscribe?.();
      await served.shutdown();
      source?.close();
      logger.line("stopped", { seq: hub.seq });
    },
  };
}

/** The gateway would not have us at start: exit 69, one line, no retrying. */
class GatewayRefused extends UnavailableError {}

/** Binds; a port in use (or not ours to take) is exit 69 with one line saying which. */
function listen(server: import("node:http").Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why =
        err.code === "EADDRINUSE"
          ? `port ${port} on ${host} is in use (another serve, or another program): pick another with --port`
          : err.code === "EACCES"
            ? `port ${port} on ${host} needs privileges this user lacks: pick one above 1023 with --port`
            : err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND"
              ? `--host ${host} is not an address of this machine`
              : `cannot listen on ${host}:${port}: ${err.message}`;
      reject(new UnavailableError(why));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const a = server.address() as AddressInfo;
      const shown = a.family === "IPv6" ? `[${a.address}]` : a.address;
      resolve(`http://${shown}:${a.port}`);
    });
  });
}

/**
 * Runs until SIGTERM, SIGINT or SIGHUP (its terminal, tmux session or SSH connection going away,
 * as for keepalive), then closes every client cleanly: exit 0.
 */
export async function runServe(opts: ServeOptions): Promise<number> {
  const stop = stopSignals();
  try {
    const running = await startServe(opts);
    await new Promise<void>((resolve) => stop.onStop(resolve));
    await running.stop();
    return EXIT.ok;
  } finally {
    stop.dispose();
  }
}
