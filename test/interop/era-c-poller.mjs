// A read-only era C poller following OPENCLAW.md section 9's read protocol, run beside a working
// OpenClaw 2026.9.6 gateway (issue 12): one read-only connection with a busy timeout, one short
// implicit transaction per statement, never BEGIN, never immutable on a live store. Every
// <everyMs> it reads PRAGMA data_version, the promoted columns of every row and the running
// rows' last 3 transcript events; it records the -wal/-shm inodes at each poll.
// Usage: node era-c-poller.mjs <openclaw-agent.sqlite> <everyMs>
// Prints one JSON line per inode change and, on SIGTERM, one summary line; exits 0.
import fs from "node:fs";
import { DatabaseSync } from "node:sqlite";

const [dbPath, everyArg] = process.argv.slice(2);
const everyMs = Number(everyArg ?? 100);
const stats = { polls: 0, errors: 0, errorSamples: [], dataVersionChanges: 0, maxRows: 0, inodeChanges: [] };
let db;
let lastVersion;
let lastInodes;

function inodes() {
  const ino = (p) => {
    try {
      return fs.statSync(p).ino;
    } catch {
      return null;
    }
  };
  return { wal: ino(`${dbPath}-wal`), shm: ino(`${dbPath}-shm`) };
}

function poll() {
  const now = inodes();
  if (lastInodes && (now.wal !== lastInodes.wal || now.shm !== lastInodes.shm)) {
    const change = { at: Date.now(), from: lastInodes, to: now };
    stats.inodeChanges.push(change);
    console.log(JSON.stringify({ inodeChange: change }));
  }
  lastInodes = now;
  // never open before the sidecars exist: a read-only open would create them
  if (!db) {
    if (now.wal === null || now.shm === null) return;
    db = new DatabaseSync(dbPath, { readOnly: true, timeout: 5000 });
  }
  try {
    stats.polls++;
    const v = db.prepare("PRAGMA data_version").get().data_version;
    if (lastVersion !== undefined && v !== lastVersion) stats.dataVersionChanges++;
    lastVersion = v;
    const rows = db.prepare("SELECT session_key, current_session_id, status, updated_at FROM session_nodes").all();
    stats.maxRows = Math.max(stats.maxRows, rows.length);
    const tail = db.prepare("SELECT seq, event_json FROM transcript_events WHERE session_id = ? ORDER BY seq DESC LIMIT 3");
    for (const r of rows) if (r.status === "running") tail.all(r.current_session_id);
  } catch (e) {
    stats.errors++;
    if (stats.errorSamples.length < 5) stats.errorSamples.push(String(e?.message ?? e));
  }
}

const timer = setInterval(poll, everyMs);
poll();
process.on("SIGTERM", () => {
  clearInterval(timer);
  db?.close();
  console.log(JSON.stringify({ summary: stats }));
  process.exit(0);
});
