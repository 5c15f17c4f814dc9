// The simulator's gateway speaks the WebSocket subset: its steps become the events a real
// gateway sends, so `demo` shows streaming and tools live.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { probeHealthz } from "../../src/store/gateway.js";
import { openGatewayOverlay, type GatewayOverlay } from "../../src/gateway/open-overlay.js";
import { FakeGateway, SimAgentFeed } from "../../src/sim/gateway-ws.js";
import { SimulatedGateway } from "../../src/sim/gateway.js";
import { makeTempDir } from "../fixtures/store-builder.js";
import { baseline, KEY, rig, TH, until } from "../gateway/helpers.js";

const sims: SimulatedGateway[] = [];
const overlays: GatewayOverlay[] = [];
afterEach(async () => {
  for (const o of overlays.splice(0)) o.close();
  for (const g of sims.splice(0)) await g.stop();
});

const session = { sessionKey: KEY, sessionId: "s-1" };
const tool = { name: "exec", arguments: { command: "make test" } };

describe("SimAgentFeed: the simulator's steps as gateway events", () => {
  it("a gateway-owned turn: awaiting_model, tool_exec with its name, awaiting_model, streaming, end", async () => {
    const r = await rig();
    const overlay = r.open();
    await until(overlay, () => overlay.status().connected && r.gateway.methods.includes("sessions.list"));
    const seen: string[] = [];
    overlay.subscribe(() => {
      const hb = overlay.apply(baseline());
      const label = `${hb.state}${hb.toolName ? `:${hb.toolName}` : ""}`;
      if (seen.at(-1) !== label) seen.push(label);
    });
    const feed = new SimAgentFeed(r.gateway);
    feed.step({ do: "begin-run", prompt: "go", owner: "gateway", writeStatus: true, trigger: "user" }, session);
    feed.step({ do: "assistant", tool, stopReason: "toolUse" }, session);
    feed.step({ do: "tool-result", text: "ok", isError: false }, session);
    feed.step({ do: "assistant", text: "All green.", stopReason: "stop" }, session);
    feed.step({ do: "end-run", status: "success", index: "done" }, session);
    await until(overlay, () => overlay.facts()[KEY]?.ended !== undefined);
    expect(seen).toEqual(["awaiting_model", "tool_exec:exec", "awaiting_model", "streaming", "complete"]);
    expect(r.gateway.sessions).toEqual([{ key: KEY, sessionId: "s-1", status: "done", hasActiveRun: false, activeRunIds: [] }]);
  });

  it("an embedded (child-owned) run sends nothing: the gateway cannot see it", () => {
    const gateway = new FakeGateway();
    const sent: unknown[] = [];
    gateway.agent = (...args: unknown[]) => void sent.push(args);
    const feed = new SimAgentFeed(gateway);
    feed.step({ do: "begin-run", prompt: "go", owner: "child", writeStatus: true, trigger: "user" }, session);
    feed.step({ do: "assistant", tool, stopReason: "toolUse" }, session);
    feed.step({ do: "end-run", status: "success", index: "done" }, session);
    expect(sent).toEqual([]);
  });
});

describe("SimulatedGateway({websocket: true})", () => {
  it("serves the WebSocket and /healthz on the one port its lock names", async () => {
    const stateDir = makeTempDir("ocs-sim-ws-state-");
    const tmpDir = makeTempDir("ocs-sim-ws-tmp-");
    const g = new SimulatedGateway({ stateDir, tmpDir, sessions: 1, scenarios: ["stall"], websocket: true });
    sims.push(g);
    await g.start();
    expect(await probeHealthz(g.port!)).toBe("ok");
    const overlay = openGatewayOverlay({
      configPath: g.configPath,
      config: JSON.parse(fs.readFileSync(g.configPath, "utf8")),
      openclawStateDir: stateDir,
      thresholds: TH,
      tmpDir,
      env: { XDG_STATE_HOME: makeTempDir("ocs-sim-ws-xdg-") },
    });
    overlays.push(overlay);
    await until(overlay, () => overlay.status().connected);
    expect(overlay.status().protocol).toBe(4);
    expect(path.dirname(g.gatewayLockPath!)).toContain(tmpDir);
  });
});
