import { createHash, createPublicKey, verify } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadOrCreateIdentity, signaturePayload, signDevice, toolStateDir } from "../../src/gateway/identity.js";
import { makeTempDir } from "../fixtures/store-builder.js";

describe("our device identity", () => {
  it("lives under XDG_STATE_HOME, else ~/.local/state", () => {
    expect(toolStateDir({ XDG_STATE_HOME: "/x/state", HOME: "/h" })).toBe("/x/state/openclaw-sessions");
    expect(toolStateDir({ HOME: "/h" })).toBe("/h/.local/state/openclaw-sessions");
  });

  it("id = sha256 of the raw public key; the same key on the next load; file mode 0600", () => {
    const dir = path.join(makeTempDir(), "openclaw-sessions");
    const a = loadOrCreateIdentity(dir, undefined, 1);
    expect(a.created).toBe(true);
    expect(a.deviceId).toBe(createHash("sha256").update(Buffer.from(a.publicKey, "base64url")).digest("hex"));
    expect(Buffer.from(a.publicKey, "base64url")).toHaveLength(32);
    expect(fs.statSync(a.path).mode & 0o777).toBe(0o600);
    const b = loadOrCreateIdentity(dir, undefined, 2);
    expect(b).toMatchObject({ created: false, deviceId: a.deviceId, createdAt: 1 });
  });

  it("refuses to live inside OpenClaw's state dir", () => {
    const openclaw = makeTempDir();
    expect(() => loadOrCreateIdentity(path.join(openclaw, "x", "openclaw-sessions"), openclaw, 1)).toThrow(/inside OpenClaw's state dir/);
    expect(fs.existsSync(path.join(openclaw, "x"))).toBe(false);
  });

  it("refuses to live inside OpenClaw's state dir reached through a symlink, on either side (a link to the state dir is the state dir)", () => {
    const openclaw = makeTempDir();
    const link = path.join(makeTempDir(), "link");
    fs.symlinkSync(openclaw, link);
    expect(() => loadOrCreateIdentity(path.join(link, "openclaw-sessions"), openclaw, 1)).toThrow(/inside OpenClaw's state dir/);
    expect(() => loadOrCreateIdentity(path.join(openclaw, "openclaw-sessions"), link, 1)).toThrow(/inside OpenClaw's state dir/);
    expect(fs.existsSync(path.join(openclaw, "openclaw-sessions"))).toBe(false);
  });

  it("an unreadable identity file is one clear error, not a silent new key", () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, "gateway-device.json"), "{broken");
    expect(() => loadOrCreateIdentity(dir, undefined, 1)).toThrow(/unreadable: remove it/);
  });

  it("signs the v3 payload, platform lower-cased", () => {
    const id = loadOrCreateIdentity(makeTempDir(), undefined, 1);
    const input = { clientId: "cli", clientMode: "cli", role: "operator", scopes: ["operator.read"], signedAt: 1700000000000, token: "tok", nonce: "n-1", platform: "Linux" };
    const payload = signaturePayload(id.deviceId, input);
    expect(payload).toBe(`v3|${id.deviceId}|cli|cli|operator|operator.read|1700000000000|tok|n-1|linux|`);
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: id.publicKey }, format: "jwk" });
    expect(verify(null, Buffer.from(payload), key, Buffer.from(signDevice(id, input), "base64url"))).toBe(true);
  });
});
