// The era C floor: a minimal Node 24 node:sqlite reader, as a whole process. For every agent
// database: every session's key, id, status and updatedAt; for the `running` ones their window
// and last 3 transcript events (zstd rows decoded). Nothing the product's health model needs
// beyond that (no owner, no trajectory, no tasks): the least a "show every session" command on
// era C must do. Opened with immutable=1: the bench stores are quiescent copies.
//
// Usage: node dist/bench/floor-era-c.js <stateDir>
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

interface Db {
  prepare(sql: string): { all(...p: unknown[]): Array<Record<string, unknown>> };
  close(): void;
}

export function runEraCFloor(stateDir: string): { sessions: number; running: number; events: number } {
  const require = createRequire(import.meta.url);
  const { DatabaseSync } = require("node:sqlite") as { DatabaseSync: new (p: string, o?: object) => Db };
  const { zstdDecompressSync } = require("node:zlib") as { zstdDecompressSync: (b: Uint8Array) => Buffer };
  const out = { sessions: 0, running: 0, events: 0 };
  const agents = path.join(stateDir, "agents");
  for (const id of fs.readdirSync(agents).sort()) {
    const file = path.join(agents, id, "agent", "openclaw-agent.sqlite");
    if (!fs.existsSync(file)) continue;
    const db = new DatabaseSync(`${pathToFileURL(file).href}?mode=ro&immutable=1`, { readOnly: true });
    try {
      const rows = db.prepare("SELECT session_key, current_session_id, status, updated_at FROM session_nodes").all();
      out.sessions += rows.length;
      const windows = db.prepare(
        "SELECT w.session_id, w.started_at, w.ended_at, w.status FROM session_nodes n JOIN session_windows w ON w.session_id = n.current_session_id WHERE n.status = 'running'",
      );
      const tail = db.prepare("SELECT event_json, event_zstd FROM transcript_events WHERE session_id = ? ORDER BY seq DESC LIMIT 3");
      for (const w of windows.all()) {
        out.running++;
        for (const e of tail.all(w.session_id)) {
          const text = typeof e.event_json === "string" ? e.event_json : zstdDecompressSync(e.event_zstd as Uint8Array).toString("utf8");
          if (JSON.parse(text)) out.events++;
        }
      }
    } finally {
      db.close();
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stateDir = process.argv[2];
  if (!stateDir) {
    process.stderr.write("usage: node dist/bench/floor-era-c.js <stateDir>\n");
    process.exit(64);
  }
  process.stdout.write(`${JSON.stringify(runEraCFloor(stateDir))}\n`);
}
