// A second era C floor: what any `status --json` must do at least, whatever its health model.
// floor-era-c.ts reads four columns and prints a line; `status --json` prints a 22-field object
// with its reasons for every session (9.7 MB at 10,000 sessions). This floor reads the columns
// those fields come from (one statement per agent, the window joined, rows as arrays), the last 3
// transcript events of `running` rows, and writes one pretty-printed object per session with
// four template reasons, in 32 KB writes to stdout: no health model, no thresholds, no owner.
// It bounds from below what the 2x target leaves for everything else.
//
// Usage: node dist/bench/floor-era-c-json.js <stateDir> > /dev/null (or a pipe)
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

interface Db {
  prepare(sql: string): { all(...p: unknown[]): unknown[]; iterate(...p: unknown[]): IterableIterator<unknown[]>; setReturnArrays(on: boolean): void };
  close(): void;
}

const ROWS = `SELECT n.session_key, n.current_session_id, n.status, n.updated_at, n.label, w.started_at, w.ended_at, w.model
FROM session_nodes n LEFT JOIN session_windows w ON w.session_id = n.current_session_id WHERE n.archived_at IS NULL`;

export async function runEraCJsonFloor(stateDir: string, now: number, out: NodeJS.WritableStream): Promise<number> {
  const require = createRequire(import.meta.url);
  const { DatabaseSync } = require("node:sqlite") as { DatabaseSync: new (p: string, o?: object) => Db };
  const { zstdDecompressSync } = require("node:zlib") as { zstdDecompressSync: (b: Uint8Array) => Buffer };
  let sessions = 0;
  let buf = `{\n  "schemaVersion": 1,\n  "generatedAt": ${now},\n  "sessions": [`;
  const flush = async (): Promise<void> => {
    if (!out.write(buf)) await new Promise((r) => out.once("drain", r));
    buf = "";
  };
  const agents = path.join(stateDir, "agents");
  for (const id of fs.readdirSync(agents).sort()) {
    const file = path.join(agents, id, "agent", "openclaw-agent.sqlite");
    if (!fs.existsSync(file)) continue;
    const db = new DatabaseSync(`${pathToFileURL(file).href}?mode=ro&immutable=1`, { readOnly: true });
    try {
      const tail = db.prepare("SELECT event_json, event_zstd FROM transcript_events WHERE session_id = ? ORDER BY seq DESC LIMIT 3");
      tail.setReturnArrays(true);
      const rows = db.prepare(ROWS);
      rows.setReturnArrays(true);
      for (const [key, sid, status, updatedAt, label, startedAt, endedAt, model] of rows.iterate() as IterableIterator<unknown[]>) {
        let last: unknown;
        if (status === "running") {
          for (const [json, zstd] of tail.all(sid) as unknown[][]) {
            last = JSON.parse(typeof json === "string" ? json : zstdDecompressSync(zstd as Uint8Array).toString("utf8"));
          }
        }
        const at = typeof endedAt === "number" ? new Date(endedAt).toISOString() : "?";
        const item = {
          sessionKey: key,
          agentId: id,
          sessionId: sid,
          label: label ?? null,
          health: status === "running" ? "unresponsive" : "idle",
          state: status === "running" ? "awaiting_model" : "complete",
          turnId: null,
          model: model ?? null,
          modelSource: model ? "run" : null,
          toolName: null,
          startedAt: startedAt ?? null,
          turnElapsedMs: status === "running" && typeof startedAt === "number" ? now - startedAt : null,
          lastActivityAt: endedAt ?? startedAt ?? null,
          lastTokenAt: null,
          updatedAt,
          storeStatus: status ?? null,
          drift: status === "running" ? "running in index, its owner is dead" : null,
          outcome: status === "running" ? null : status,
          outcomeReason: status === "running" ? null : `the row says ${String(status)}`,
          reasons: [
            `index says ${String(status)}, updated ${Math.round((now - Number(updatedAt)) / 1000)}s ago`,
            `run ended (${String(status)}) at ${at}: the row says so; a finished row's trajectory is not read`,
            last ? "transcript ends with a user message" : `transcript not read: the row is finished (${String(status)})`,
            "the gateway that owned this state dir is dead",
          ],
          era: "C",
          source: "db",
        };
        buf += `${sessions === 0 ? "" : ","}\n    ${JSON.stringify(item, null, 2).replaceAll("\n", "\n    ")}`;
        sessions++;
        if (buf.length >= 32_768) await flush();
      }
    } finally {
      db.close();
    }
  }
  buf += "\n  ]\n}\n";
  await flush();
  return sessions;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stateDir = process.argv[2];
  if (!stateDir) {
    process.stderr.write("usage: node dist/bench/floor-era-c-json.js <stateDir>\n");
    process.exit(64);
  }
  await runEraCJsonFloor(stateDir, Date.parse("2026-12-04T12:00:00Z"), process.stdout);
}
