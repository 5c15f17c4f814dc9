import { describe, expect, it } from "vitest";
import { connectParams, helloOf, refusal } from "../../src/gateway/handshake.js";
import { loadOrCreateIdentity } from "../../src/gateway/identity.js";
import { verifyDevice } from "../../src/sim/gateway-ws.js";
import { makeTempDir } from "../fixtures/store-builder.js";

const LABEL = "gateway at 127.0.0.1:18789";

describe("connectParams", () => {
  it("a read-only cli operator offering protocols 3 to 4, signed over the challenge's nonce", () => {
    const identity = loadOrCreateIdentity(makeTempDir(), undefined, 1);
    const p = connectParams({ challenge: { nonce: "n-7", ts: 1 }, identity, auth: { token: "t" }, signedAt: Date.now(), platform: "linux", clientVersion: "0.1.0" });
    expect(p).toMatchObject({ minProtocol: 3, maxProtocol: 4, role: "operator", scopes: ["operator.read"], client: { id: "cli", mode: "cli", version: "0.1.0", platform: "linux" }, auth: { token: "t" } });
    expect(verifyDevice(p, "n-7")).toBe(true);
    expect(verifyDevice(p, "another-nonce")).toBe(false);
  });

  it("mode none: no auth key at all", () => {
    const identity = loadOrCreateIdentity(makeTempDir(), undefined, 1);
    expect(connectParams({ challenge: {}, identity, auth: undefined, signedAt: Date.now(), platform: "linux", clientVersion: "x" })).not.toHaveProperty("auth");
  });
});

describe("helloOf / refusal: whether another attempt can help", () => {
  const none = { mode: "none" as const };
  it("hello-ok with protocol 3 or 4 is accepted", () => {
    for (const protocol of [3, 4]) expect(helloOf({ type: "res", id: "1", ok: true, payload: { type: "hello-ok", protocol, policy: { tickIntervalMs: 30000 } } }, LABEL, none, 1).protocol).toBe(protocol);
  });
  it("a protocol outside 3..4 stops", () => {
    expect(() => helloOf({ type: "res", id: "1", ok: true, payload: { protocol: 5 } }, LABEL, none, 1)).toThrow(/chose protocol 5/);
  });
  it("NOT_PAIRED with a requestId names the approval and waits", () => {
    const e = refusal({ code: "NOT_PAIRED", message: "pairing required", details: { requestId: "r-1" } }, LABEL, none, 60_000);
    expect(e).toMatchObject({ retry: "after", afterMs: 60_000, blocked: "not_paired" });
    expect(e.message).toBe(`${LABEL} has not paired this tool yet: run \`openclaw devices approve r-1\` on the gateway host`);
  });
  it("UNAVAILABLE waits retryAfterMs", () => {
    expect(refusal({ code: "UNAVAILABLE", message: "starting", retryAfterMs: 500 }, LABEL, none, 1)).toMatchObject({ retry: "after", afterMs: 500 });
  });
  it("any other refusal stops, naming where our secret came from", () => {
    const e = refusal({ code: "INVALID_REQUEST", message: "unauthorized" }, LABEL, { mode: "token", token: "x", from: "OPENCLAW_GATEWAY_TOKEN" }, 1);
    expect(e).toMatchObject({ retry: "never" });
    expect(e.message).toBe(`${LABEL} refused our connect: INVALID_REQUEST: unauthorized (we sent the token from OPENCLAW_GATEWAY_TOKEN)`);
    expect(refusal({ code: "INVALID_REQUEST", message: "" }, LABEL, { mode: "password" }, 1).message).toContain("set gateway.auth.password or OPENCLAW_GATEWAY_PASSWORD");
  });
});
