// A minimal read-only operator client of the OpenClaw gateway WebSocket (OPENCLAW.md section 10),
// used to RECORD real frames for the CI fake gateway (issue 14). Node 24's global WebSocket,
// a throwaway Ed25519 device identity per run, auth mode none, scope operator.read unless the
// caller asks for more: era-c-chat-and-restart.test.ts drives a webchat-like turn with
// `chat.send`, which needs operator.write (2026.9.6 method-scopes: "chat.send" -> operator.write;
// on loopback a new device is approved silently with the scopes it asks).
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

export interface RecordedFrame {
  /** ms since the client was created */
  t: number;
  dir: "in" | "out" | "close";
  frame: unknown;
}

interface Identity {
  id: string;
  publicKey: string;
  privateKey: KeyObject;
}

function newIdentity(): Identity {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  // the raw 32-byte key is the tail of its SPKI DER encoding
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { id: createHash("sha256").update(raw).digest("hex"), publicKey: raw.toString("base64url"), privateKey };
}

const CLIENT = { id: "cli", mode: "cli", version: "0.1.0", platform: "linux" } as const;

export class OperatorRecorder {
  readonly frames: RecordedFrame[] = [];
  private readonly t0 = Date.now();
  private ws!: WebSocket;
  private nextId = 1;
  private waiters: Array<{ pred: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }> = [];
  private readonly identity = newIdentity();
  closed: Promise<{ code: number; reason: string }> = Promise.resolve({ code: 0, reason: "" });

  constructor(readonly scopes: readonly string[] = ["operator.read"]) {}

  private record(dir: RecordedFrame["dir"], frame: unknown): void {
    this.frames.push({ t: Date.now() - this.t0, dir, frame });
  }

  /** Connects, answers the challenge and resolves with the hello-ok response frame. */
  async connect(port: number): Promise<Record<string, unknown>> {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    this.closed = new Promise((resolve) =>
      this.ws.addEventListener("close", (e) => {
        this.record("close", { code: e.code, reason: e.reason });
        resolve({ code: e.code, reason: e.reason });
      }),
    );
    this.ws.addEventListener("message", (e) => {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(String(e.data));
      } catch {
        this.record("in", { unparsed: String(e.data) });
        return;
      }
      this.record("in", frame);
      for (const w of [...this.waiters]) {
        if (w.pred(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    const challenge = await this.waitFor((f) => f.type === "event" && f.event === "connect.challenge");
    const nonce = String((challenge.payload as { nonce: string }).nonce);
    const signedAt = Date.now();
    const payload = ["v3", this.identity.id, CLIENT.id, CLIENT.mode, "operator", this.scopes.join(","), String(signedAt), "", nonce, CLIENT.platform, ""].join("|");
    const signature = sign(null, Buffer.from(payload), this.identity.privateKey).toString("base64url");
    return this.request("connect", {
      minProtocol: 3,
      maxProtocol: 4,
      role: "operator",
      scopes: [...this.scopes],
      client: CLIENT,
      device: { id: this.identity.id, publicKey: this.identity.publicKey, signature, signedAt, nonce },
    });
  }

  async request(method: string, params: unknown): Promise<Record<string, unknown>> {
    const id = `r${this.nextId++}`;
    const frame = { type: "req", id, method, params };
    const answer = this.waitFor((f) => f.type === "res" && f.id === id);
    this.record("out", frame);
    this.ws.send(JSON.stringify(frame));
    return answer;
  }

  waitFor(pred: (f: Record<string, unknown>) => boolean, boundMs = 120_000): Promise<Record<string, unknown>> {
    const seen = this.frames.find((r) => r.dir === "in" && pred(r.frame as Record<string, unknown>));
    if (seen) return Promise.resolve(seen.frame as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: (f: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`operator client: no matching frame within ${boundMs} ms`));
      }, boundMs);
      this.waiters.push(w);
    });
  }

  close(): void {
    this.ws?.close();
  }
}

/** Frames as saved in a fixture: credentials (deviceToken) replaced, nothing else touched. */
export function redact(frames: RecordedFrame[]): RecordedFrame[] {
  return JSON.parse(
    JSON.stringify(frames, (k, v) => (k === "deviceToken" && typeof v === "string" ? "<redacted>" : v)),
  ) as RecordedFrame[];
}
