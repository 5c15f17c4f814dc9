import { describe, expect, it } from "vitest";
import { connectAuth, resolveGatewayAuth } from "../../src/gateway/auth.js";

describe("resolveGatewayAuth: the secret as OpenClaw resolves it", () => {
  const cases: { name: string; config: Record<string, unknown>; env?: Record<string, string>; expected: Record<string, unknown> }[] = [
    { name: "nothing configured: mode none", config: {}, expected: { mode: "none" } },
    { name: "a config token", config: { gateway: { auth: { token: "t1" } } }, expected: { mode: "token", token: "t1", from: "openclaw.json gateway.auth.token" } },
    { name: "the config token wins over the env", config: { gateway: { auth: { token: "t1" } } }, env: { OPENCLAW_GATEWAY_TOKEN: "t2" }, expected: { token: "t1" } },
    { name: "OPENCLAW_GATEWAY_TOKEN when the config has none", config: {}, env: { OPENCLAW_GATEWAY_TOKEN: "t2" }, expected: { mode: "token", token: "t2", from: "OPENCLAW_GATEWAY_TOKEN" } },
    { name: "a ${VAR} config value is substituted", config: { gateway: { auth: { token: "${MY_TOKEN}" } } }, env: { MY_TOKEN: "t3" }, expected: { token: "t3" } },
    { name: "a password implies password mode", config: {}, env: { OPENCLAW_GATEWAY_PASSWORD: "pw" }, expected: { mode: "password", password: "pw" } },
    { name: "mode password with a token around sends the password", config: { gateway: { auth: { mode: "password", password: "pw", token: "t" } } }, expected: { mode: "password", password: "pw" } },
    { name: "mode none ignores a stray secret", config: { gateway: { auth: { mode: "none", token: "t" } } }, expected: { mode: "none" } },
    { name: "mode token with no token anywhere", config: { gateway: { auth: { mode: "token" } } }, expected: { mode: "token", token: undefined } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(resolveGatewayAuth(c.config, c.env ?? {})).toMatchObject(c.expected);
    });
  }
});

describe("connectAuth: what the connect frame carries", () => {
  it("the shared secret; a stored deviceToken only for token mode without one; nothing for none", () => {
    expect(connectAuth({ mode: "token", token: "t" }, "dt")).toEqual({ token: "t" });
    expect(connectAuth({ mode: "token" }, "dt")).toEqual({ deviceToken: "dt" });
    expect(connectAuth({ mode: "password", password: "p" })).toEqual({ password: "p" });
    expect(connectAuth({ mode: "none" }, "dt")).toBeUndefined();
  });
});
