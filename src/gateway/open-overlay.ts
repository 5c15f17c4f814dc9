// The gateway overlay as the commands (status, watch, and serve after merge) use it: a client
// connected to the gateway this state dir's singleton lock names, the pure reducer of
// src/core/overlay.ts over its frames, and `apply(hb)` to refine a files/DB heartbeat. The
// moment the socket is gone the live facts are dropped: every heartbeat falls back to the files.
import { readFileSync } from "node:fs";
import { EMPTY_OVERLAY, listRows, reduceOverlay, refineHeartbeat, type OverlayInput, type OverlayState } from "../core/overlay.js";
import type { Heartbeat, Thresholds } from "../core/types.js";
import type { OpenClawConfig } from "../store/config.js";
import { lockTarget } from "../store/gateway-target.js";
import type { Env } from "../store/locate.js";
import { resolveGatewayAuth } from "./auth.js";
import { GatewayClient, type ClientPhase, type GatewayClientOptions } from "./client.js";
import type { EventFrame } from "./frames.js";
import { loadOrCreateIdentity, saveIdentity, toolStateDir } from "./identity.js";
import { pairingNotice } from "./notice.js";

export { GATEWAY_ENV, gatewayWanted } from "./wanted.js";

export interface OverlayStatus {
  connected: boolean;
  phase: ClientPhase;
  /** hello-ok.protocol while connected */
  protocol?: number;
  /** why not connected, one line */
  reason?: string;
  /** the gateway will not have us until the operator acts (a refused secret or protocol; a pairing to approve) */
  blocked?: "refused" | "not_paired";
  /** no gateway runs for this state dir (no live singleton lock with a port) */
  noGateway?: boolean;
}

export interface GatewayOverlayOptions {
  configPath: string;
  config: OpenClawConfig;
  /** OpenClaw's state dir: named in the pairing notice, and never a home for our identity */
  openclawStateDir: string;
  thresholds: Thresholds;
  /** where the gateway singleton lock lives (default os.tmpdir()) */
  tmpDir?: string;
  env?: Env;
  now?: () => number;
  /** one-line messages for stderr: the first pairing, a refusal */
  onNotice?: (line: string) => void;
  /** also pass refusals to onNotice (default true; `status` reports them as its error instead) */
  tellRefusals?: boolean;
  /**
   * the gateway evicted a session (sessions.changed reason reset / new / delete), before its live
   * facts are dropped: `sessionId` is the one leaving as the gateway knows it (the event's, else
   * the last list's), undefined when it named none (7.1's delete)
   */
  onEviction?: (e: GatewayEviction) => void;
  /** client tuning (tests: short backoff, relist interval) */
  client?: Pick<GatewayClientOptions, "backoff" | "healthyAfterMs" | "relistMs" | "handshakeTimeoutMs" | "notPairedRetryMs" | "random">;
}

export interface GatewayOverlay {
  /** the heartbeat refined by the gateway's live facts (unchanged when not connected) */
  apply(hb: Heartbeat): Heartbeat;
  /** cb after every change of the live facts or of the connection; returns the unsubscribe */
  subscribe(cb: () => void): () => void;
  status(): OverlayStatus;
  /** the live facts (empty while not connected) */
  facts(): OverlayState;
  /** resolves after `ms`, or sooner once the gateway blocks us (refusal, pairing to approve) or none runs */
  listen(ms: number): Promise<OverlayStatus>;
  close(): void;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

export interface GatewayEviction {
  sessionKey: string;
  reason: "reset" | "new" | "delete";
  sessionId?: string;
  /** when the event arrived (epoch ms) */
  at: number;
}

const EVICTION_REASONS = new Set(["reset", "new", "delete"]);

/** The eviction a sessions.changed payload announces, if it is one (docs/gateway-overlay.md). */
export function evictionOf(payload: unknown, facts: OverlayState, at: number): GatewayEviction | undefined {
  const p = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : undefined;
  const key = typeof p?.key === "string" && p.key !== "" ? p.key : typeof p?.sessionKey === "string" && p.sessionKey !== "" ? p.sessionKey : undefined;
  const reason = p?.reason;
  if (!key || typeof reason !== "string" || !EVICTION_REASONS.has(reason)) return undefined;
  const sessionId = typeof p?.sessionId === "string" && p.sessionId !== "" ? p.sessionId : facts[key]?.sessionId;
  return { sessionKey: key, reason: reason as GatewayEviction["reason"], ...(sessionId !== undefined ? { sessionId } : {}), at };
}

/** sessions.changed reasons after which the list must be read again (docs/gateway-overlay.md). */
const RELIST_REASONS = new Set(["cleanup", "archive", "move"]);

function relistAfter(payload: unknown): boolean {
  const reason = typeof payload === "object" && payload !== null ? (payload as { reason?: unknown }).reason : undefined;
  return typeof reason === "string" && RELIST_REASONS.has(reason);
}

/**
 * The overlay's input an event frame is, if any: `agent` and `sessions.changed` only. `chat`
 * (a delta arrives after lifecycle end), `session.tool`/`session.message`/`task` (duplicates of
 * the agent stream), `health`, `tick` and `shutdown` change no live fact; a close does.
 */
export function overlayInputOf(frame: EventFrame, receivedAt: number): OverlayInput | undefined {
  if (frame.event === "agent") return { kind: "agent", payload: frame.payload, receivedAt };
  if (frame.event === "sessions.changed") return { kind: "sessions.changed", payload: frame.payload, receivedAt };
  return undefined;
}

export function openGatewayOverlay(opts: GatewayOverlayOptions): GatewayOverlay {
  const env = opts.env ?? process.env;
  const now = opts.now ?? Date.now;
  // identity and pairing times are the real clock's, even when verdicts use a fixed one
  const identity = loadOrCreateIdentity(toolStateDir(env), opts.openclawStateDir, Date.now());
  const auth = resolveGatewayAuth(opts.config, env);
  let facts: OverlayState = EMPTY_OVERLAY;
  let label = "gateway";
  let port: number | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const cb of [...listeners]) cb();
  };
  let told: string | undefined;
  let settleWake: (() => void) | undefined;

  const client = new GatewayClient({
    target: () => {
      const t = lockTarget(opts.configPath, opts.tmpDir, opts.openclawStateDir);
      if ("label" in t) ({ label, port } = t);
      return t;
    },
    auth,
    identity,
    deviceToken: () => identity.gateways[opts.configPath]?.deviceToken,
    clientVersion: packageVersion(),
    ...opts.client,
    onStatus: (s) => {
      if (!s.connected) facts = EMPTY_OVERLAY;
      // a refusal is said once, not once per retry (NOT_PAIRED is retried every minute)
      if (s.blocked && s.reason && s.reason !== told && opts.tellRefusals !== false) {
        told = s.reason;
        opts.onNotice?.(`openclaw-sessions: ${s.reason}`);
      }
      if (s.blocked || s.noTarget) settleWake?.();
      notify();
    },
    onHello: (hello) => {
      const known = identity.gateways[opts.configPath];
      identity.gateways[opts.configPath] = { firstConnectedAt: known?.firstConnectedAt ?? Date.now(), deviceToken: hello.deviceToken ?? known?.deviceToken, port };
      if (!known) {
        for (const line of pairingNotice({ gatewayLabel: label, protocol: hello.protocol, deviceId: identity.deviceId, identityPath: identity.path, openclawStateDir: opts.openclawStateDir })) opts.onNotice?.(line);
      }
      if (known && hello.deviceToken === known.deviceToken && port === known.port) return;
      try {
        saveIdentity(identity);
      } catch (err) {
        // the overlay works without it; the next connect pairs by key again
        opts.onNotice?.(`openclaw-sessions: ${(err as Error).message}`);
      }
    },
    onList: (result, receivedAt) => {
      facts = reduceOverlay(facts, { kind: "list", rows: listRows(result) ?? [], receivedAt });
      notify();
    },
    onEvent: (frame, receivedAt) => {
      const input = overlayInputOf(frame, receivedAt);
      if (!input) return;
      if (input.kind === "sessions.changed") {
        const eviction = opts.onEviction ? evictionOf(frame.payload, facts, now()) : undefined;
        if (eviction) opts.onEviction?.(eviction);
      }
      facts = reduceOverlay(facts, input);
      // evictions that name no single key (cleanup) or move sessions: only a fresh list tells
      if (input.kind === "sessions.changed" && relistAfter(frame.payload)) client.relist();
      notify();
    },
  });
  client.start();

  const status = (): OverlayStatus => {
    const s = client.status();
    return { connected: s.connected, phase: s.phase, protocol: s.protocol, reason: s.reason, blocked: s.blocked, noGateway: s.noTarget };
  };

  return {
    apply: (hb) => (client.status().connected ? refineHeartbeat(hb, facts[hb.sessionKey], now(), opts.thresholds) : hb),
    subscribe(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    status,
    facts: () => facts,
    listen(ms) {
      return new Promise((resolve) => {
        const now = status();
        if (now.blocked || now.noGateway) return resolve(now);
        const timer = setTimeout(() => done(), ms);
        const done = (): void => {
          clearTimeout(timer);
          settleWake = undefined;
          resolve(status());
        };
        settleWake = done;
      });
    },
    close: () => client.close(),
  };
}
