import fs from "node:fs";
import { it } from "vitest";
import { Driver } from "./drive.js";
import { startModelServer } from "./model-server.js";
import { ensureInterop, INTEROP_NODE } from "./support.js";
import { spawnSync } from "node:child_process";

it("explore", async () => {
  const version = process.env.V ?? "2026.7.1";
  const entry = ensureInterop(version);
  const model = await startModelServer();
  const d = await Driver.create(version, entry, "explore", model.baseUrl);
  try {
    const t0 = Date.now();
    await d.startGateway(20 * 60_000);
    console.log("gateway up after", Date.now() - t0);
    for (const args of [["--to", "+15550000001"], ["--session-id", "3d9a2c1e-0000-4000-8000-000000000001"]]) {
      const a = (d as any).spawnAgent([...args, "--message", "TAG=x MODE=quick", "--json"]);
      const e = await a.exited;
      console.log(args, "agent exit", e, a.output().slice(0, 300));
    }
    console.log(fs.readFileSync(d.box.storePath(), "utf8").slice(0, 3000));
    await d.stopGateway();
  } finally {
    d.killAll();
    await model.close();
  }
}, 600_000);
