// Where `status --json`'s time goes, phase by phase, in one process: the same store functions
// readSessionEvidenceSync (src/store/snapshot.ts) calls, each run alone over every session of
// every store, so a profile's native frames (open, lstat, close) can be pinned to a step. A few
// "for comparison" rows time alternatives that were considered and not taken (RESULTS.md).
// Usage: node dist/bench/breakdown.js <stateDir> [repeats]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deriveHeartbeat } from "../src/core/health/index.js";
import { parseStallAfter } from "../src/core/thresholds.js";
import type { Evidence, IndexEntry, LockInfo, TrajectoryTail, TranscriptTail } from "../src/core/types.js";
import { RealPaths } from "../src/store/contain.js";
import { readLockSync } from "../src/store/locks.js";
import { readIndexSummary } from "../src/store/read-index.js";
import { resolveTranscriptPath } from "../src/store/session-file.js";
import { locateTrajectory, readTrajectoryTailSync } from "../src/store/trajectory.js";
import { readTranscriptTailSync } from "../src/store/transcript.js";
import { heartbeatJson, jsonChunks } from "../src/ui/snapshot.js";
import { findIndexes } from "./floor.js";
import { median } from "./stats.js";

export interface Phase {
  name: string;
  ms: number;
  /** what it did (files found, sessions read), to check that two phases did the same work */
  count: number;
}

interface Session {
  agentId: string;
  sessionKey: string;
  sessionsDir: string;
  roots: string[];
  realPaths: RealPaths;
  entry: IndexEntry;
  transcriptPath?: string;
  trajectoryPath?: string;
  transcript?: TranscriptTail;
  trajectory?: TrajectoryTail;
  lock?: LockInfo;
}

function timed(name: string, fn: () => number): Phase {
  const t0 = process.hrtime.bigint();
  const count = fn();
  return { name, ms: Number(process.hrtime.bigint() - t0) / 1e6, count };
}

function countWhere<T>(items: readonly T[], fn: (item: T) => unknown): number {
  let n = 0;
  for (const item of items) if (fn(item)) n++;
  return n;
}

export function breakdown(stateDir: string, now = Date.now()): Phase[] {
  const sessions: Session[] = [];
  const phases: Phase[] = [
    timed("read every sessions.json in 1 MiB windows (readIndexSummary)", () => {
      for (const p of findIndexes(stateDir)) {
        const idx = readIndexSummary(p);
        const sessionsDir = path.dirname(p);
        const agentId = path.basename(path.dirname(sessionsDir));
        // one RealPaths per store, as readStoreEvidence does
        const base = { agentId, sessionsDir, roots: [path.join(stateDir, "agents"), sessionsDir], realPaths: new RealPaths() };
        for (const key of idx.keys) sessions.push({ ...base, sessionKey: key, entry: idx.entries[key]! });
      }
      return sessions.length;
    }),
    timed("resolveTranscriptPath (one lstat; dirs realpath'd once per store)", () =>
      countWhere(sessions, (s) => (s.transcriptPath = resolveTranscriptPath(s.entry, s).path)),
    ),
    timed("locateTrajectory (pointer file stat, sidecar lookup)", () =>
      countWhere(sessions, (s) => (s.trajectoryPath = locateTrajectory({ sessionId: s.entry.sessionId, transcriptPath: s.transcriptPath, roots: s.roots, env: {}, realPaths: s.realPaths }).path)),
    ),
    timed("readTranscriptTailSync (open, fstat, 64 KiB tail, close)", () =>
      countWhere(sessions, (s) => s.transcriptPath && (s.transcript = readTranscriptTailSync(s.transcriptPath))),
    ),
    timed("readTrajectoryTailSync (back to the last run's start)", () =>
      countWhere(sessions, (s) => s.trajectoryPath && (s.trajectory = readTrajectoryTailSync(s.trajectoryPath))),
    ),
    timed("readLockSync (a stat when absent, the usual case)", () => countWhere(sessions, (s) => s.transcriptPath && (s.lock = readLockSync(`${s.transcriptPath}.lock`)))),
  ];
  const evidence: Evidence[] = sessions.map((s) => ({
    agentId: s.agentId,
    sessionKey: s.sessionKey,
    entry: s.entry,
    ...(s.transcriptPath ? { transcriptPath: s.transcriptPath } : {}),
    ...(s.transcript ? { transcript: s.transcript } : {}),
    ...(s.trajectory ? { trajectory: s.trajectory } : {}),
    ...(s.lock ? { lock: s.lock } : {}),
  }));
  const thresholds = parseStallAfter([]);
  let heartbeats: ReturnType<typeof deriveHeartbeat>[] = [];
  phases.push(timed("deriveHeartbeat (the health model)", () => (heartbeats = evidence.map((ev) => deriveHeartbeat(ev, now, thresholds))).length));
  phases.push(
    timed("JSON output text (jsonChunks of every heartbeat)", () => {
      let chars = 0;
      for (const piece of jsonChunks({ sessions: heartbeats.map((hb) => heartbeatJson(hb, now)) })) chars += piece.length;
      return chars > 0 ? heartbeats.length : 0;
    }),
  );
  phases.push(
    timed("  for comparison: one lstatSync per transcript", () => countWhere(sessions, (s) => s.transcriptPath && fs.lstatSync(s.transcriptPath, { throwIfNoEntry: false }))),
    timed("  for comparison: one readdir per sessions dir, then a Set lookup per lock", () => {
      const dirs = new Map<string, Set<string>>();
      return countWhere(sessions, (s) => {
        if (!s.transcriptPath) return false;
        const d = path.dirname(s.transcriptPath);
        let names = dirs.get(d);
        if (!names) dirs.set(d, (names = new Set(fs.readdirSync(d))));
        return names.has(`${path.basename(s.transcriptPath)}.lock`);
      });
    }),
  );
  return phases;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stateDir = process.argv[2];
  const repeats = Number(process.argv[3] ?? 3);
  if (!stateDir || !Number.isInteger(repeats) || repeats < 1) {
    process.stderr.write("usage: node dist/bench/breakdown.js <stateDir> [repeats >= 1]\n");
    process.exitCode = 2;
  } else {
    const all: Phase[][] = [];
    for (let i = 0; i < repeats; i++) all.push(breakdown(stateDir));
    for (let p = 0; p < all[0]!.length; p++) {
      const { name, count } = all[0]![p]!;
      process.stdout.write(`${median(all.map((r) => r[p]!.ms)).toFixed(0).padStart(7)} ms  ${String(count).padStart(6)}  ${name}\n`);
    }
  }
}
