// Where `status`'s time goes, phase by phase, in one process: the same store functions the
// snapshot calls (src/store/snapshot.ts readSessionEvidence), each run alone over every session
// of every store, so a profile's native frames (open, lstat, close) can be pinned to a step.
// Usage: node dist/bench/breakdown.js <stateDir> [repeats]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { existsInside } from "../src/store/contain.js";
import { readLock } from "../src/store/locks.js";
import { mapPool } from "../src/store/pool.js";
import { readIndex } from "../src/store/read-index.js";
import { resolveTranscriptPath } from "../src/store/session-file.js";
import { locateTrajectory, readTrajectoryTail } from "../src/store/trajectory.js";
import { readTranscriptTail } from "../src/store/transcript.js";
import { findIndexes } from "./floor.js";
import { median } from "./stats.js";

export interface Phase {
  name: string;
  ms: number;
  /** what it did, to check that two phases did the same work */
  count: number;
}

interface Session {
  sessionsDir: string;
  roots: string[];
  entry: { sessionId: string; sessionFile?: string };
  transcript?: string;
  trajectory?: string;
}

async function timed(name: string, fn: () => Promise<number> | number): Promise<Phase> {
  const t0 = process.hrtime.bigint();
  const count = await fn();
  return { name, ms: Number(process.hrtime.bigint() - t0) / 1e6, count };
}

export async function breakdown(stateDir: string): Promise<Phase[]> {
  const phases: Phase[] = [];
  const sessions: Session[] = [];
  phases.push(
    await timed("read + parse every sessions.json (readIndex)", () => {
      for (const p of findIndexes(stateDir)) {
        const idx = readIndex(p);
        const sessionsDir = path.dirname(p);
        const roots = [path.join(stateDir, "agents"), sessionsDir];
        for (const e of Object.values(idx.entries)) sessions.push({ sessionsDir, roots, entry: e });
      }
      return sessions.length;
    }),
  );
  phases.push(
    await timed("resolveTranscriptPath (sync: existsSync + realpathSync x roots)", () => {
      let n = 0;
      for (const s of sessions) {
        s.transcript = resolveTranscriptPath(s.entry, { sessionsDir: s.sessionsDir, roots: s.roots }).path;
        if (s.transcript) n++;
      }
      return n;
    }),
  );
  phases.push(
    await timed("locateTrajectory (sync: pointer read + realpathSync x roots)", () => {
      let n = 0;
      for (const s of sessions) {
        s.trajectory = locateTrajectory({ sessionId: s.entry.sessionId, transcriptPath: s.transcript, roots: s.roots, env: {} }).path;
        if (s.trajectory) n++;
      }
      return n;
    }),
  );
  phases.push(
    await timed("  of which: existsInside alone, one per session (realpathSync of file + root)", () => {
      let n = 0;
      for (const s of sessions) if (s.transcript && existsInside(s.transcript, s.roots)) n++;
      return n;
    }),
  );
  phases.push(
    await timed("  for comparison: one lstatSync per session", () => {
      let n = 0;
      for (const s of sessions) if (s.transcript && fs.lstatSync(s.transcript, { throwIfNoEntry: false })) n++;
      return n;
    }),
  );
  phases.push(
    await timed("readTranscriptTail, pool of 32", async () => (await mapPool(sessions, async (s) => (s.transcript ? await readTranscriptTail(s.transcript) : undefined))).filter(Boolean).length),
  );
  phases.push(
    await timed("readTrajectoryTail, pool of 32", async () => (await mapPool(sessions, async (s) => (s.trajectory ? await readTrajectoryTail(s.trajectory) : undefined))).filter(Boolean).length),
  );
  phases.push(
    await timed("readLock (mostly ENOENT), pool of 32", async () => (await mapPool(sessions, async (s) => (s.transcript ? await readLock(`${s.transcript}.lock`) : undefined))).filter(Boolean).length),
  );
  phases.push(
    await timed("  for comparison: fs.promises.stat of the lock path, pool of 32", async () => {
      const r = await mapPool(sessions, async (s) => (s.transcript ? await fs.promises.stat(`${s.transcript}.lock`).catch(() => undefined) : undefined));
      return r.filter(Boolean).length;
    }),
  );
  phases.push(
    await timed("  for comparison: one readdir per sessions dir, then a Set lookup", () => {
      const dirs = new Map<string, Set<string>>();
      let n = 0;
      for (const s of sessions) {
        if (!s.transcript) continue;
        const d = path.dirname(s.transcript);
        let names = dirs.get(d);
        if (!names) dirs.set(d, (names = new Set(fs.readdirSync(d))));
        if (names.has(`${path.basename(s.transcript)}.lock`)) n++;
      }
      return n;
    }),
  );
  // only files that exist: these comparisons time reading, not ENOENT
  const files = sessions.flatMap((s) => [s.transcript, s.trajectory].filter((f): f is string => f !== undefined && fs.existsSync(f)));
  phases.push(
    await timed("  for comparison: transcript + trajectory last 64 KiB, SYNC (open, fstat, read, close)", () => {
      let n = 0;
      const buf = Buffer.allocUnsafe(64 * 1024);
      for (const f of files) {
        const fd = fs.openSync(f, "r");
        try {
          const size = fs.fstatSync(fd).size;
          const len = Math.min(size, buf.length);
          n += fs.readSync(fd, buf, 0, len, size - len) > 0 ? 1 : 0;
        } finally {
          fs.closeSync(fd);
        }
      }
      return n;
    }),
  );
  phases.push(
    await timed("  for comparison: the same with the callback API (no FileHandle), pool of 32", async () => {
      const r = await mapPool(files, (f) => tailCallback(f));
      return r.filter((x) => x > 0).length;
    }),
  );
  return phases;
}

/** open, fstat, read the last 64 KiB, close: fs callbacks, no FileHandle objects. */
function tailCallback(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.open(file, "r", (err, fd) => {
      if (err) return reject(err);
      fs.fstat(fd, (err2, st) => {
        if (err2) return fs.close(fd, () => reject(err2));
        const len = Math.min(st.size, 64 * 1024);
        const buf = Buffer.allocUnsafe(len);
        fs.read(fd, buf, 0, len, st.size - len, (err3, n) => fs.close(fd, () => (err3 ? reject(err3) : resolve(n))));
      });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stateDir = process.argv[2];
  const repeats = Number(process.argv[3] ?? 3);
  if (!stateDir) {
    process.stderr.write("usage: node dist/bench/breakdown.js <stateDir> [repeats]\n");
    process.exitCode = 2;
  } else {
    const all: Phase[][] = [];
    for (let i = 0; i < repeats; i++) all.push(await breakdown(stateDir));
    for (let p = 0; p < all[0]!.length; p++) {
      const { name, count } = all[0]![p]!;
      process.stdout.write(`${median(all.map((r) => r[p]!.ms)).toFixed(0).padStart(7)} ms  ${String(count).padStart(6)}  ${name}\n`);
    }
  }
}
