// The gateway's three frame shapes (docs/gateway-overlay.md), parsed defensively: a frame that is
// not JSON or not one of them is reported as malformed and skipped, never thrown.

export interface ReqFrame {
  type: "req";
  id: string;
  method: string;
  params?: unknown;
}

export interface GatewayErrorShape {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
}

export interface ResFrame {
  type: "res";
  id: string;
  ok: boolean;
  payload?: unknown;
  error?: GatewayErrorShape;
}

export interface EventFrame {
  type: "event";
  event: string;
  payload?: unknown;
  seq?: number;
}

export type InboundFrame = ResFrame | EventFrame;

export type Parsed = { ok: true; frame: InboundFrame } | { ok: false; why: string };

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function parseFrame(text: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, why: "not JSON" };
  }
  const f = rec(raw);
  if (!f) return { ok: false, why: "not an object" };
  if (f.type === "event") {
    if (typeof f.event !== "string") return { ok: false, why: "event frame without an event name" };
    const seq = typeof f.seq === "number" && Number.isSafeInteger(f.seq) ? f.seq : undefined;
    return { ok: true, frame: { type: "event", event: f.event, payload: f.payload, seq } };
  }
  if (f.type === "res") {
    if (typeof f.id !== "string" || typeof f.ok !== "boolean") return { ok: false, why: "res frame without id/ok" };
    return { ok: true, frame: { type: "res", id: f.id, ok: f.ok, payload: f.payload, error: errorShape(f.error) } };
  }
  return { ok: false, why: `unknown frame type ${JSON.stringify(f.type)}` };
}

function errorShape(v: unknown): GatewayErrorShape | undefined {
  const e = rec(v);
  if (!e) return undefined;
  return {
    code: typeof e.code === "string" ? e.code : "UNKNOWN",
    message: typeof e.message === "string" ? e.message : "",
    details: rec(e.details),
    retryable: typeof e.retryable === "boolean" ? e.retryable : undefined,
    retryAfterMs: typeof e.retryAfterMs === "number" && e.retryAfterMs >= 0 ? e.retryAfterMs : undefined,
  };
}

/** What hello-ok tells a client (fields it does not send are undefined). */
export interface HelloOk {
  protocol: number;
  connId?: string;
  serverVersion?: string;
  deviceToken?: string;
  scopes?: string[];
  tickIntervalMs?: number;
  methods?: string[];
}

export function parseHello(payload: unknown): HelloOk | undefined {
  const p = rec(payload);
  if (!p || typeof p.protocol !== "number") return undefined;
  const server = rec(p.server);
  const auth = rec(p.auth);
  const policy = rec(p.policy);
  const features = rec(p.features);
  const tick = policy?.tickIntervalMs;
  return {
    protocol: p.protocol,
    connId: typeof server?.connId === "string" ? server.connId : undefined,
    serverVersion: typeof server?.version === "string" ? server.version : undefined,
    deviceToken: typeof auth?.deviceToken === "string" && auth.deviceToken ? auth.deviceToken : undefined,
    scopes: Array.isArray(auth?.scopes) ? auth.scopes.filter((s): s is string => typeof s === "string") : undefined,
    tickIntervalMs: typeof tick === "number" && tick > 0 ? tick : undefined,
    methods: Array.isArray(features?.methods) ? features.methods.filter((s): s is string => typeof s === "string") : undefined,
  };
}
