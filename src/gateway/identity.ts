// This tool's own device identity for the gateway: an Ed25519 key pair and the deviceTokens the
// gateways handed it, in this tool's state dir ($XDG_STATE_HOME/openclaw-sessions, else
// ~/.local/state/openclaw-sessions), mode 0600. Never inside an OpenClaw state dir: reusing the
// OpenClaw CLI's identity once made `openclaw agent` silently run embedded (docs/gateway-overlay.md).
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { UnavailableError } from "../core/errors.js";
import { realAsFarAsItExists } from "../store/contain.js";
import type { Env } from "../store/locate.js";

export const IDENTITY_FILE = "gateway-device.json";

export function toolStateDir(env: Env = process.env): string {
  const xdg = env.XDG_STATE_HOME?.trim();
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, "openclaw-sessions");
  const home = env.HOME?.trim() || os.homedir();
  return path.join(home, ".local", "state", "openclaw-sessions");
}

export interface PairedGateway {
  deviceToken?: string;
  /** epoch ms of the first hello-ok from this gateway */
  firstConnectedAt: number;
  port?: number;
}

export interface DeviceIdentity {
  deviceId: string;
  /** raw 32-byte Ed25519 public key, base64url */
  publicKey: string;
  privateKey: KeyObject;
  createdAt: number;
  /** file that holds it */
  path: string;
  /** keyed by the OpenClaw config path the gateway serves */
  gateways: Record<string, PairedGateway>;
  /** made by this call (no file existed) */
  created: boolean;
}

interface StoredIdentity {
  version: 1;
  deviceId: string;
  publicKey: string;
  privateKeyPem: string;
  createdAt: number;
  gateways: Record<string, PairedGateway>;
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  const jwk = privateKey.export({ format: "jwk" }) as { x?: string };
  if (!jwk.x) throw new Error("not an Ed25519 key");
  return Buffer.from(jwk.x, "base64url");
}

export function deviceIdOf(rawPublic: Buffer): string {
  return createHash("sha256").update(rawPublic).digest("hex");
}

/** Refuses a state dir inside the OpenClaw state dir: OpenClaw's files are not ours to add to. */
export function loadOrCreateIdentity(dir: string, openclawStateDir: string | undefined, now: number): DeviceIdentity {
  if (openclawStateDir) {
    // compared through symlinks: a link to the state dir (on either side) is the state dir
    const rel = path.relative(realAsFarAsItExists(openclawStateDir), realAsFarAsItExists(dir));
    if (rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel))) {
      throw new UnavailableError(`our device identity would live in ${dir}, inside OpenClaw's state dir ${openclawStateDir}: set XDG_STATE_HOME elsewhere`);
    }
  }
  const file = path.join(dir, IDENTITY_FILE);
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new UnavailableError(`cannot read our device identity ${file}: ${(err as Error).message}`);
  }
  if (text !== undefined) {
    let stored: StoredIdentity;
    let privateKey: KeyObject;
    try {
      stored = JSON.parse(text) as StoredIdentity;
      privateKey = createPrivateKey(stored.privateKeyPem);
    } catch {
      throw new UnavailableError(`our device identity ${file} is unreadable: remove it to make a new one (and remove the old pairing with \`openclaw devices\`)`);
    }
    const publicKey = rawPublicKey(privateKey);
    return {
      deviceId: deviceIdOf(publicKey),
      publicKey: publicKey.toString("base64url"),
      privateKey,
      createdAt: stored.createdAt,
      path: file,
      gateways: stored.gateways ?? {},
      created: false,
    };
  }
  const { privateKey } = generateKeyPairSync("ed25519");
  const publicKey = rawPublicKey(privateKey);
  const identity: DeviceIdentity = {
    deviceId: deviceIdOf(publicKey),
    publicKey: publicKey.toString("base64url"),
    privateKey,
    createdAt: now,
    path: file,
    gateways: {},
    created: true,
  };
  saveIdentity(identity);
  return identity;
}

/** Written whole to a 0600 temp file and renamed: a reader never sees half a key. */
export function saveIdentity(identity: DeviceIdentity): void {
  const stored: StoredIdentity = {
    version: 1,
    deviceId: identity.deviceId,
    publicKey: identity.publicKey,
    privateKeyPem: identity.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    createdAt: identity.createdAt,
    gateways: identity.gateways,
  };
  const dir = path.dirname(identity.path);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${identity.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, identity.path);
  } catch (err) {
    throw new UnavailableError(`cannot write our device identity ${identity.path}: ${(err as Error).message}`);
  }
}

export interface SignatureInput {
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAt: number;
  /** auth.token, else auth.deviceToken, else "" */
  token: string;
  nonce: string;
  platform?: string;
  deviceFamily?: string;
}

/** v3|id|client.id|client.mode|role|scopes|signedAt|token|nonce|platform|deviceFamily */
export function signaturePayload(deviceId: string, s: SignatureInput): string {
  return [
    "v3",
    deviceId,
    s.clientId,
    s.clientMode,
    s.role,
    s.scopes.join(","),
    String(s.signedAt),
    s.token,
    s.nonce,
    (s.platform ?? "").toLowerCase(),
    (s.deviceFamily ?? "").toLowerCase(),
  ].join("|");
}

export function signDevice(identity: Pick<DeviceIdentity, "deviceId" | "privateKey">, s: SignatureInput): string {
  return sign(null, Buffer.from(signaturePayload(identity.deviceId, s), "utf8"), identity.privateKey).toString("base64url");
}
