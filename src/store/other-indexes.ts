// Files another session index names. A prune archives an evicted session's transcript only when
// no entry that stays names it; "stays" must include the entries of every other index beside it:
// `cleanup --store sessions.json.bak.<ts>` (a backup, or a copy, in the live sessions dir) would
// otherwise archive the live index's transcripts, and a copied agent's absolute sessionFile names
// the original agent's files. Only the directories the candidate files lie in are looked at, so
// the usual store (the dir's own sessions.json, its files beside it) costs no extra read.
import path from "node:path";
import type { NamedElsewhere } from "../core/plan/prune.js";
import type { Evidence } from "../core/types.js";
import { readIndexSummary } from "./read-index.js";
import { sessionFilesOf } from "./archive.js";
import { safeRealpath } from "./contain.js";

/**
 * What other indexes name in the directories `files` lie in: each dir's `sessions.json` and the
 * `alsoIndexes` (the other stores of this run) that sit in it, never `storePath` itself.
 */
export function namedByOtherIndexes(storePath: string, files: Iterable<string>, alsoIndexes: readonly string[] = []): NamedElsewhere {
  const self = safeRealpath(storePath) ?? path.resolve(storePath);
  const dirs = new Set<string>();
  for (const f of files) dirs.add(path.dirname(f));
  const named = new Map<string, string>();
  const unreadDirs = new Map<string, string>();
  for (const dir of dirs) {
    const indexes = new Set([path.join(dir, "sessions.json"), ...alsoIndexes.filter((p) => path.dirname(path.resolve(p)) === dir)]);
    for (const index of indexes) {
      const real = safeRealpath(index);
      if (!real || real === self) continue;
      let entries;
      try {
        entries = readIndexSummary(index).entries;
      } catch (err) {
        unreadDirs.set(dir, `${index}, another index beside it, cannot be read (${(err as Error).message})`);
        continue;
      }
      for (const [key, entry] of Object.entries(entries)) {
        if (typeof entry.sessionId !== "string") continue;
        for (const file of sessionFilesOf({ sessionId: entry.sessionId, sessionFile: entry.sessionFile }, dir)) {
          if (!named.has(file)) named.set(file, `${key} in ${index}`);
        }
      }
    }
  }
  return { files: named, unreadDirs };
}

/** Every transcript and trajectory file the evidence names: what a prune could archive. */
export function evidenceFiles(evidence: readonly Evidence[]): string[] {
  const out: string[] = [];
  for (const ev of evidence) for (const p of [ev.transcriptPath, ev.transcript?.path, ev.trajectory?.path]) if (p) out.push(p);
  return out;
}
