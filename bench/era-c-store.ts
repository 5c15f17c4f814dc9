// The era C bench stores: generated once by the simulator into bench/out/era-c-<N>/state
// (3 agents, seed 20261204, the real 2026.9.6 schema), shared by era-c.ts and watch-era-c.ts.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateEraCStore } from "../src/sim/era-c/generate.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const ERA_C_NOW = Date.parse("2026-12-04T12:00:00Z");
export const ERA_C_AGENTS = ["main", "ops", "research"] as const;

/** The state dir of the N-session bench store, generated on first use. */
export async function eraCStore(n: number): Promise<string> {
  const dir = path.join(ROOT, "bench", "out", `era-c-${n}`);
  const done = path.join(dir, "bench-store.json");
  if (fs.existsSync(done)) return path.join(dir, "state");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await generateEraCStore({ outDir: path.join(dir, "state"), sessions: n, seed: 20261204, now: ERA_C_NOW, agents: [...ERA_C_AGENTS] });
  fs.writeFileSync(done, JSON.stringify({ sessions: n, now: ERA_C_NOW }));
  return path.join(dir, "state");
}
