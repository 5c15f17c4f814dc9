// Issue 14: records the frames a real gateway sends a read-only operator client during a scripted
// turn that streams slowly and calls a tool, then a clean stop. Saved to .interop/frames/<version>.json
// (gitignored); with INTEROP_RECORD_FRAMES=1 they replace the CI fake gateway's fixtures,
// test/fixtures/gateway-frames/<version>.json, whose recorded run ids the replay tests name (so a
// plain interop run never changes what CI replays). Run with `npm run test:interop`.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Driver } from "./drive.js";
import { startModelServer, type ModelServer } from "./model-server.js";
import { OperatorRecorder, redact, type RecordedFrame } from "./operator-client.js";
import { ensureInterop, OPENCLAW_VERSIONS, REPO_ROOT } from "./support.js";

const FIXTURES = process.env.INTEROP_RECORD_FRAMES === "1" ? path.join(REPO_ROOT, "test", "fixtures", "gateway-frames") : path.join(REPO_ROOT, ".interop", "frames");
const VERSIONS = process.env.INTEROP_VERSIONS?.split(",") ?? [OPENCLAW_VERSIONS.fileEra, OPENCLAW_VERSIONS.eraC];
const KEY = "agent:main:frames";

type Frame = Record<string, unknown> & { payload?: Record<string, unknown> };

describe.each(VERSIONS)("gateway frames of OpenClaw %s", (version) => {
  let model: ModelServer;
  let d: Driver;
  let frames: RecordedFrame[] = [];
  let hello: Frame;
  let agentExit: { code: number | null } | undefined;

  beforeAll(async () => {
    const entry = ensureInterop(version);
    model = await startModelServer();
    d = await Driver.create(version, entry, `frames-${version}`, model.baseUrl);
    const client = new OperatorRecorder();
    try {
      await d.startGateway(20 * 60_000);
      hello = await client.connect(d.port);
      await client.request("sessions.subscribe", {});
      await client.request("sessions.list", {});
      const turn = d.turn("frames", "TAG=frames MODE=slowtool:6x400:sleep 2");
      agentExit = await turn.exited;
      await client.waitFor((f) => f.type === "event" && f.event === "sessions.changed" && JSON.stringify(f.payload).includes(KEY));
      // one tick (every 30 s) so the fake can replay the watchdog's food
      await client.waitFor((f) => f.type === "event" && f.event === "tick", 70_000);
      await client.request("sessions.list", {});
      await d.stopGateway("SIGTERM"); // `shutdown`, then close 1012
      await client.closed;
    } finally {
      client.close();
      d.killAll();
      frames = redact(client.frames);
    }
    fs.mkdirSync(FIXTURES, { recursive: true });
    fs.writeFileSync(
      path.join(FIXTURES, `${version}.json`),
      `${JSON.stringify(
        {
          openclawVersion: version,
          capturedAt: new Date().toISOString(),
          how: "test/interop/gateway-frames.test.ts: read-only operator (cli/cli, operator.read, fresh Ed25519 device), auth none, loopback; sessions.subscribe + sessions.list, one turn streaming 6 deltas 400 ms apart then exec `sleep 2`, then a reply; wait for a tick; SIGTERM the gateway",
          sessionKey: KEY,
          frames,
        },
        null,
        1,
      )}\n`,
    );
  }, 30 * 60_000);

  afterAll(async () => {
    d?.killAll();
    await model?.close();
    if (d) fs.rmSync(d.box.root, { recursive: true, force: true });
  });

  const events = (name: string) =>
    frames.filter((f) => f.dir === "in" && (f.frame as Frame).type === "event" && (f.frame as Frame).event === name).map((f) => f.frame as Frame);
  const agentStream = (stream: string) => events("agent").filter((f) => f.payload?.stream === stream);

  it("the turn completed through the gateway", () => {
    expect(agentExit?.code, d.gatewayLog.slice(-3000)).toBe(0);
  });

  it("handshake: connect.challenge first, then hello-ok with a protocol of 3..4 and the read scope", () => {
    expect((frames[0]!.frame as Frame).event).toBe("connect.challenge");
    expect(hello).toMatchObject({ type: "res", ok: true });
    const payload = hello.payload as { type?: string; protocol: number; auth?: { scopes?: string[] } };
    expect([3, 4]).toContain(payload.protocol);
  });

  it("agent events: lifecycle start before assistant deltas, a tool item named exec, lifecycle end last", () => {
    const agent = events("agent");
    const idx = (pred: (f: Frame) => boolean) => agent.findIndex(pred);
    const start = idx((f) => f.payload?.stream === "lifecycle" && (f.payload?.data as { phase?: string })?.phase === "start");
    const delta = idx((f) => f.payload?.stream === "assistant");
    const tool = idx((f) => f.payload?.stream === "item" && JSON.stringify(f.payload?.data).includes('"exec"'));
    const end = agent.findLastIndex((f) => f.payload?.stream === "lifecycle" && (f.payload?.data as { phase?: string })?.phase === "end");
    expect(start, JSON.stringify(agent.slice(0, 5))).toBeGreaterThanOrEqual(0);
    expect(delta).toBeGreaterThan(start);
    expect(tool).toBeGreaterThan(delta);
    expect(end).toBeGreaterThan(tool);
    expect(agentStream("assistant").length).toBeGreaterThanOrEqual(6);
  });

  it("tick, sessions.changed, shutdown and the close are recorded", () => {
    expect(events("tick").length).toBeGreaterThan(0);
    expect(events("sessions.changed").length).toBeGreaterThan(0);
    expect(events("shutdown").length).toBeGreaterThan(0);
    expect(frames.at(-1)!.dir).toBe("close");
  });
});
