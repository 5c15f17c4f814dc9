// A state dir whose one session runs for 5 s (no transcript lock: a gateway run), with a live fake
// gateway (src/sim/gateway-ws.ts) behind the gateway singleton lock in a test TMPDIR, and our
// device identity in a temp XDG_STATE_HOME. Every gateway is stopped after each test.
import fs from "node:fs";
import path from "node:path";
import { afterEach } from "vitest";
import { FakeGateway, type FakeGatewayOptions } from "../../../src/sim/gateway-ws.js";
import { format, line, makeStateDir, makeTempDir, transcriptPath, writeGatewayLock, writeIndex, writeTranscript } from "../../fixtures/store-builder.js";
import { procStartTime } from "../../e2e/helpers/cli.js";

export function useFakeGateways(KEY: string, ID: string) {
  const gateways: FakeGateway[] = [];
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
  });

  /** A session running for 5 s (no transcript lock: a gateway run), a live fake gateway behind the lock. */
  async function setup(fake: FakeGatewayOptions = {}, config: Record<string, unknown> = {}, lock = true) {
    const now = Date.now();
    const state = makeStateDir();
    fs.writeFileSync(path.join(state, "openclaw.json"), JSON.stringify(config));
    writeIndex(state, "main", {
      [KEY]: format.indexEntry({ sessionId: ID, updatedAt: now - 5000, status: "running", startedAt: now - 5000, sessionStartedAt: now - 60_000, lastInteractionAt: now - 5000, rich: false, model: "fake-1", modelProvider: "fake" }),
    });
    writeTranscript(transcriptPath(state, ID), [line.header(ID, now - 60_000), line.user(now - 5000, "look around")]);
    const gateway = new FakeGateway({ sessions: [{ key: KEY, sessionId: ID, status: "running", hasActiveRun: true, activeRunIds: ["run-7"] }], ...fake });
    gateways.push(gateway);
    const port = await gateway.start();
    const tmp = makeTempDir("ocs-e2e-tmp-");
    if (lock) writeGatewayLock(tmp, path.join(state, "openclaw.json"), { pid: process.pid, startTime: procStartTime(process.pid), createdAt: now - 60_000, port });
    const env = { TMPDIR: tmp, XDG_STATE_HOME: makeTempDir("ocs-e2e-xdg-") };
    return { state, gateway, env };
  }
  return { setup };
}
