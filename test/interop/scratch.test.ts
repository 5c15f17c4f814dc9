import fs from "node:fs";
import { it } from "vitest";
import { Driver, sleep } from "./drive.js";
import { startModelServer } from "./model-server.js";
import { ensureInterop } from "./support.js";

it("explore", async () => {
  const version = process.env.V ?? "2026.7.1";
  const entry = ensureInterop(version);
  const model = await startModelServer();
  const d = await Driver.create(version, entry, "explore", model.baseUrl);
  try {
    const t0 = Date.now();
    await d.startGateway();
    console.log("gateway up after", Date.now() - t0);
    const a = d.agent("agent:main:q1", "TAG=q1 MODE=quick");
    const e = await a.exited;
    console.log("agent exit", e, a.output().slice(-1500));
    console.log(JSON.stringify(model.requests));
    const a2 = d.agent("agent:main:t1", "TAG=t1 MODE=tool:sleep 2");
    console.log("agent2 exit", await a2.exited, a2.output().slice(-800));
    console.log(JSON.stringify(model.requests));
    await d.stopGateway();
    console.log(fs.readdirSync(d.box.stateDir, { recursive: true }));
    console.log(d.gatewayLog.slice(-3000));
  } finally {
    d.killAll();
    await model.close();
  }
}, 600_000);
