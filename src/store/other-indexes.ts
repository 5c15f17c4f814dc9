// Files another session index names. A prune archives an evicted session's transcript only when
// no entry that stays names it; "stays" must include the entries of every other index:
// `cleanup --store sessions.json.bak.<ts>` (a backup, or a copy, in the live sessions dir) would
// otherwise archive the live index's transcripts, and a copied agent's entries name the original
// agent's files by absolute path (OpenClaw resolves those into the sibling agent's sessions dir).
// Looked up only for a file a prune is about to archive, and each index is read once a run.
import fs from "node:fs";
import path from "node:path";
import type { NamedElsewhere } from "../core/plan/prune.js";
import { readIndexSummary } from "./read-index.js";
import { sessionFilesOf } from "./archive.js";
import { RealPaths, safeRealpath } from "./contain.js";
import { sessionFileCandidate } from "./session-file.js";

/** A file's name with its directory resolved: an index may name it through a symlinked dir. */
function realName(file: string, paths: RealPaths): string {
  const dir = path.dirname(file);
  return path.join(paths.realDir(dir) ?? path.resolve(dir), path.basename(file));
}

/** `"sessionFile": "<json string>"` anywhere in an index: only an absolute one can name another dir's file. */
const SESSION_FILE = /"sessionFile"\s*:\s*("(?:[^"\\]|\\.)*")/g;

/**
 * Every index of the run that could name a file: `indexes` (the stores of the run) and each
 * `<agentsRoot>/<id>/sessions/sessions.json` (an agent not selected with --agent still has its
 * sessions). A lookup for the index `storePath` being cleaned: what another index names.
 */
export class OtherIndexes {
  private readonly paths = new RealPaths();
  /** dir (real) -> the files its own indexes name, by index; read on first need */
  private readonly sameDir = new Map<string, { files: Map<string, string>; unread?: string }>();
  /** files named across directories (absolute sessionFile): real file -> every index naming it */
  private crossDir?: Map<string, Array<{ index: string; real: string }>>;
  private readonly all: string[];

  constructor(indexes: readonly string[], agentsRoot?: string) {
    const found = new Set(indexes.map((p) => path.resolve(p)));
    if (agentsRoot) {
      let ids: string[] = [];
      try {
        ids = fs.readdirSync(agentsRoot);
      } catch {
        /* no agents dir: nothing more to look at */
      }
      for (const id of ids) {
        const p = path.join(agentsRoot, id, "sessions", "sessions.json");
        if (fs.existsSync(p)) found.add(p);
      }
    }
    this.all = [...found];
  }

  /** What indexes other than `storePath` name, answered per file as a prune asks. */
  for(storePath: string): NamedElsewhere {
    const self = safeRealpath(storePath) ?? path.resolve(storePath);
    return { whoNames: (file) => this.whoNames(file, self) };
  }

  private whoNames(file: string, self: string): string | undefined {
    const real = realName(file, this.paths);
    // a relative sessionFile names a file at any depth below its index's dir
    // (`archive/2026/x.jsonl`): the indexes of the dirs above it count too
    for (const dir of ancestors(path.dirname(real))) {
      const local = this.localNames(dir, self);
      const named = local.files.get(real);
      if (named) return `still named by ${named}`;
      if (local.unread) return local.unread;
    }
    const cross = this.crossNames().get(real)?.find((c) => c.real !== self);
    return cross ? `still named by ${cross.index}` : undefined;
  }

  /** The indexes in `dir` (its sessions.json and the run's stores there) other than `self`, parsed. */
  private localNames(dir: string, self: string): { files: Map<string, string>; unread?: string } {
    const key = `${self}\u0000${dir}`;
    let got = this.sameDir.get(key);
    if (got) return got;
    got = { files: new Map() };
    this.sameDir.set(key, got);
    const here = new Set([path.join(dir, "sessions.json"), ...this.all.filter((p) => path.dirname(realName(p, this.paths)) === dir)]);
    for (const index of here) {
      const real = safeRealpath(index);
      if (!real || real === self) continue;
      let entries;
      try {
        entries = readIndexSummary(index).entries;
      } catch (err) {
        got.unread = `${index}, another index beside it, cannot be read (${(err as Error).message})`;
        continue;
      }
      for (const [key, entry] of Object.entries(entries)) {
        if (typeof entry.sessionId !== "string") continue;
        for (const f of sessionFilesOf({ sessionId: entry.sessionId, sessionFile: entry.sessionFile }, dir)) {
          const name = realName(f, this.paths);
          if (!got.files.has(name)) got.files.set(name, `${key} in ${index}`);
        }
      }
    }
    return got;
  }

  /** Files any index names by an absolute sessionFile in another directory than its own: scanned, not parsed. */
  private crossNames(): Map<string, Array<{ index: string; real: string }>> {
    if (this.crossDir) return this.crossDir;
    this.crossDir = new Map();
    for (const index of this.all) {
      let text: string;
      try {
        text = fs.readFileSync(index, "utf8");
      } catch {
        continue;
      }
      const own = path.dirname(realName(index, this.paths));
      const real = safeRealpath(index) ?? path.resolve(index);
      for (const m of text.matchAll(SESSION_FILE)) {
        let value: unknown;
        try {
          value = JSON.parse(m[1]!);
        } catch {
          continue;
        }
        if (typeof value !== "string" || !path.isAbsolute(value.trim())) continue;
        // OpenClaw resolves an absolute name through symlinks before it places it
        const named = sessionFileCandidate(realName(value.trim(), this.paths), path.dirname(index));
        if (!named) continue;
        for (const f of [named, `${named.endsWith(".jsonl") ? named.slice(0, -6) : named}.trajectory.jsonl`]) {
          const name = realName(f, this.paths);
          if (path.dirname(name) === own) continue;
          const by = this.crossDir.get(name) ?? [];
          if (!by.some((b) => b.real === real)) by.push({ index, real });
          this.crossDir.set(name, by);
        }
      }
    }
    return this.crossDir;
  }
}

/** How far up from a file's dir an index that names it may sit (sessions/<year>/<month>/<day>/). */
const MAX_DEPTH = 4;

/** `dir` and the dirs above it, at most MAX_DEPTH of them. */
function ancestors(dir: string): string[] {
  const out = [dir];
  for (let d = dir; out.length < MAX_DEPTH && path.dirname(d) !== d; ) out.push((d = path.dirname(d)));
  return out;
}
