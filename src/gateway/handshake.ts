// The connect request of a read-only operator and how its answer is read: hello-ok, or a refusal
// classified by whether another attempt can help (docs/gateway-overlay.md).
import type { GatewayAuth } from "./auth.js";
import { parseHello, type GatewayErrorShape, type HelloOk, type ResFrame } from "./frames.js";
import { signDevice, type DeviceIdentity } from "./identity.js";

export const MIN_PROTOCOL = 3;
export const MAX_PROTOCOL = 4;
export const CLIENT_ID = "cli";
export const CLIENT_MODE = "cli";
export const ROLE = "operator";
export const SCOPES: readonly string[] = ["operator.read"];

/** Thrown inside an attempt: whether another attempt can help. */
export class AttemptError extends Error {
  constructor(
    message: string,
    readonly retry: "backoff" | "after" | "never",
    readonly afterMs?: number,
    readonly blocked?: "refused" | "not_paired",
  ) {
    super(message);
  }
}

export interface ConnectInput {
  /** the connect.challenge payload ({nonce, ts}) */
  challenge: unknown;
  identity: Pick<DeviceIdentity, "deviceId" | "publicKey" | "privateKey">;
  /** what `auth` carries (undefined: omitted, auth mode none) */
  auth: Record<string, string> | undefined;
  signedAt: number;
  platform: string;
  clientVersion: string;
}

/** Protocol 3..4, role operator, scope operator.read, client cli, our own signed device. Never gateway-client/backend. */
export function connectParams(c: ConnectInput): Record<string, unknown> {
  const ch = (typeof c.challenge === "object" && c.challenge !== null ? c.challenge : {}) as { nonce?: unknown };
  const nonce = typeof ch.nonce === "string" ? ch.nonce : "";
  const signature = signDevice(c.identity, {
    clientId: CLIENT_ID,
    clientMode: CLIENT_MODE,
    role: ROLE,
    scopes: SCOPES,
    signedAt: c.signedAt,
    token: c.auth?.token ?? c.auth?.deviceToken ?? "",
    nonce,
    platform: c.platform,
  });
  return {
    minProtocol: MIN_PROTOCOL,
    maxProtocol: MAX_PROTOCOL,
    role: ROLE,
    scopes: SCOPES,
    client: { id: CLIENT_ID, version: c.clientVersion, platform: c.platform, mode: CLIENT_MODE },
    ...(c.auth ? { auth: c.auth } : {}),
    device: { id: c.identity.deviceId, publicKey: c.identity.publicKey, signature, signedAt: c.signedAt, nonce },
  };
}

/** hello-ok with a protocol we speak, else an AttemptError saying whether to retry. */
export function helloOf(res: ResFrame, label: string, auth: GatewayAuth, notPairedRetryMs: number): HelloOk {
  if (!res.ok) throw refusal(res.error, label, auth, notPairedRetryMs);
  const hello = parseHello(res.payload);
  if (!hello) throw new AttemptError(`${label}: the gateway's hello-ok has no protocol`, "never");
  if (hello.protocol < MIN_PROTOCOL || hello.protocol > MAX_PROTOCOL) {
    throw new AttemptError(`${label}: the gateway chose protocol ${hello.protocol}; this tool speaks ${MIN_PROTOCOL} to ${MAX_PROTOCOL}`, "never");
  }
  return hello;
}

/** NOT_PAIRED names the approval; UNAVAILABLE waits; anything else (our secret, the protocol) stops. */
export function refusal(error: GatewayErrorShape | undefined, label: string, auth: GatewayAuth, notPairedRetryMs: number): AttemptError {
  const code = error?.code ?? "UNKNOWN";
  const msg = error?.message ? `: ${error.message}` : "";
  if (code === "NOT_PAIRED") {
    const requestId = typeof error?.details?.requestId === "string" ? error.details.requestId : undefined;
    const how = requestId ? `run \`openclaw devices approve ${requestId}\` on the gateway host` : "approve it with `openclaw devices list` / `openclaw devices approve`";
    return new AttemptError(`${label} has not paired this tool yet: ${how}`, notPairedRetryMs > 0 ? "after" : "never", notPairedRetryMs, "not_paired");
  }
  if (code === "UNAVAILABLE") return new AttemptError(`${label} is starting (UNAVAILABLE${msg})`, "after", error?.retryAfterMs ?? 500);
  return new AttemptError(`${label} refused our connect: ${code}${msg}${secretNote(auth)}`, "never");
}

function secretNote(auth: GatewayAuth): string {
  if (auth.from) return ` (we sent the ${auth.mode} from ${auth.from})`;
  if (auth.mode === "none") return " (we sent no secret: gateway.auth.mode is none or unset)";
  return ` (no ${auth.mode} found: set gateway.auth.${auth.mode} or OPENCLAW_GATEWAY_${auth.mode.toUpperCase()})`;
}
