// The floor: the least any "show every session" command must do. Parse every agent's
// sessions.json and stat each session's transcript and trajectory, nothing else. `npm run bench`
// times it as a whole process, exactly like the commands, and quotes each command against it.
//
// Choices, so the ratio is fair and easy to read:
// - the index is read the way the product reads it (readFileSync + JSON.parse, one store after
//   the other); stats are async with at most 32 in flight (src/store/pool.ts's
//   DEFAULT_CONCURRENCY), the same bounded parallelism the product uses per store;
// - the files stat'ed are OpenClaw's default names beside the index (<sessionId>.jsonl and
//   <sessionId>.trajectory.jsonl): no pointer files, no lock files, no reading of contents.
//
// Usage: node dist/bench/floor.js <stateDir> [--concurrency N]
// Prints one JSON line: what it saw (so a run that did nothing is visible).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FLOOR_CONCURRENCY = 32;

export interface FloorResult {
  indexes: number;
  sessions: number;
  transcripts: number;
  trajectories: number;
  /** bytes of the transcripts and trajectories found (a stat's size) */
  bytes: number;
}

/** agents/<id>/sessions/sessions.json under the state dir, sorted by agent id. */
export function findIndexes(stateDir: string): string[] {
  const agentsDir = path.join(stateDir, "agents");
  let ids: string[];
  try {
    ids = fs.readdirSync(agentsDir);
  } catch {
    return [];
  }
  return ids
    .sort()
    .map((id) => path.join(agentsDir, id, "sessions", "sessions.json"))
    .filter((p) => fs.existsSync(p));
}

export async function runFloor(stateDir: string, concurrency = FLOOR_CONCURRENCY): Promise<FloorResult> {
  const result: FloorResult = { indexes: 0, sessions: 0, transcripts: 0, trajectories: 0, bytes: 0 };
  for (const indexPath of findIndexes(stateDir)) {
    const index = JSON.parse(fs.readFileSync(indexPath, "utf8")) as Record<string, { sessionId?: unknown }>;
    result.indexes++;
    const dir = path.dirname(indexPath);
    const ids = Object.values(index)
      .map((e) => e?.sessionId)
      .filter((id): id is string => typeof id === "string" && id !== "");
    result.sessions += ids.length;
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const [t, j] = await Promise.all([statOrUndefined(path.join(dir, `${id}.jsonl`)), statOrUndefined(path.join(dir, `${id}.trajectory.jsonl`))]);
        if (t) {
          result.transcripts++;
          result.bytes += t.size;
        }
        if (j) {
          result.trajectories++;
          result.bytes += j.size;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ids.length)) }, worker));
  }
  return result;
}

async function statOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.stat(p);
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<void> {
  const stateDir = argv[0];
  if (!stateDir) {
    process.stderr.write("usage: node dist/bench/floor.js <stateDir> [--concurrency N]\n");
    process.exitCode = 2;
    return;
  }
  const c = argv.indexOf("--concurrency");
  const concurrency = c >= 0 ? Number(argv[c + 1]) : FLOOR_CONCURRENCY;
  process.stdout.write(`${JSON.stringify(await runFloor(stateDir, concurrency))}\n`);
}

// run only as a script: run.ts imports findIndexes
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
