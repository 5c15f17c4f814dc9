// The secret a client presents to the gateway, resolved as OpenClaw resolves it: the config's
// gateway.auth.token / password, else OPENCLAW_GATEWAY_TOKEN / OPENCLAW_GATEWAY_PASSWORD; the
// mode from gateway.auth.mode, else implied by which secret exists. Mode none sends no auth.
import { getPath, type OpenClawConfig } from "../store/config.js";
import type { Env } from "../store/locate.js";

export type GatewayAuthMode = "none" | "token" | "password" | "trusted-proxy";

export interface GatewayAuth {
  mode: GatewayAuthMode;
  token?: string;
  password?: string;
  /** where the secret came from, for messages (never the secret itself) */
  from?: string;
}

/** A config string, with OpenClaw's `${VAR}` substitution of the whole value. */
function secret(v: unknown, env: Env): string | undefined {
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(t);
  const value = ref ? env[ref[1]]?.trim() : t;
  return value ? value : undefined;
}

export function resolveGatewayAuth(config: OpenClawConfig, env: Env = process.env): GatewayAuth {
  const cfgToken = secret(getPath(config, "gateway.auth.token"), env);
  const cfgPassword = secret(getPath(config, "gateway.auth.password"), env);
  const token = cfgToken ?? (env.OPENCLAW_GATEWAY_TOKEN?.trim() || undefined);
  const password = cfgPassword ?? (env.OPENCLAW_GATEWAY_PASSWORD?.trim() || undefined);
  const tokenFrom = cfgToken ? "openclaw.json gateway.auth.token" : "OPENCLAW_GATEWAY_TOKEN";
  const passwordFrom = cfgPassword ? "openclaw.json gateway.auth.password" : "OPENCLAW_GATEWAY_PASSWORD";
  const mode = getPath(config, "gateway.auth.mode");
  switch (mode) {
    case "none":
    case "trusted-proxy":
      return { mode };
    case "token":
      return { mode, token, from: token ? tokenFrom : undefined };
    case "password":
      return { mode, password, from: password ? passwordFrom : undefined };
  }
  if (password) return { mode: "password", password, from: passwordFrom };
  if (token) return { mode: "token", token, from: tokenFrom };
  return { mode: "none" };
}

/** The connect frame's `auth` (undefined: omitted). A stored deviceToken stands in for a missing shared token. */
export function connectAuth(auth: GatewayAuth, deviceToken?: string): Record<string, string> | undefined {
  if (auth.mode === "password" && auth.password) return { password: auth.password };
  if (auth.mode === "token" && auth.token) return { token: auth.token };
  if (auth.mode === "token" && deviceToken) return { deviceToken };
  return undefined;
}
