// Which cached session each file belongs to: a file event names a path, and only the sessions
// reading that path are read again. A sidecar at a path not seen before is matched by the session
// id in its name. The dirs holding these paths are counted as paths come and go: the watchers are
// synced after every refresh, and re-deriving the dirs of 40,000 paths each time cost more than
// the refresh itself.
import path from "node:path";
import type { Evidence } from "../../core/types.js";
import { safeSessionFileName } from "../trajectory.js";

export interface Tracked {
  ev: Evidence;
  /** files whose change means this session must be re-read (set by SessionFiles.add) */
  paths: string[];
}

export class SessionFiles<T extends Tracked> {
  private readonly byPath = new Map<string, Set<T>>();
  private readonly byId = new Map<string, Set<T>>();
  private readonly dirCount = new Map<string, number>();

  /** `trajectoryDir`: $OPENCLAW_TRAJECTORY_DIR, where every session's trajectory may be written */
  constructor(private readonly trajectoryDir: string | undefined) {}

  add(c: T): void {
    c.paths = this.pathsOf(c.ev);
    for (const p of c.paths) {
      if (!this.byPath.has(p)) {
        const dir = path.dirname(p);
        this.dirCount.set(dir, (this.dirCount.get(dir) ?? 0) + 1);
      }
      addTo(this.byPath, p, c);
    }
    for (const id of idsOf(c.ev)) addTo(this.byId, id, c);
  }

  remove(c: T): void {
    for (const p of c.paths) {
      const had = this.byPath.has(p);
      removeFrom(this.byPath, p, c);
      if (!had || this.byPath.has(p)) continue;
      const dir = path.dirname(p);
      const n = (this.dirCount.get(dir) ?? 1) - 1;
      if (n > 0) this.dirCount.set(dir, n);
      else this.dirCount.delete(dir);
    }
    for (const id of idsOf(c.ev)) removeFrom(this.byId, id, c);
  }

  /** the sessions reading this file */
  atPath(file: string): ReadonlySet<T> | undefined {
    return this.byPath.get(file);
  }

  /** the sessions with this id (or its file-name form) */
  withId(id: string): ReadonlySet<T> | undefined {
    return this.byId.get(id);
  }

  /** every dir holding a file some session reads */
  dirs(): Iterable<string> {
    return this.dirCount.keys();
  }

  private pathsOf(ev: Evidence): string[] {
    const out: string[] = [];
    const tp = ev.transcriptPath;
    if (tp) {
      const stem = tp.endsWith(".jsonl") ? tp.slice(0, -6) : tp;
      out.push(tp, `${tp}.lock`, `${stem}.trajectory.jsonl`, `${stem}.trajectory-path.json`);
    }
    if (ev.trajectory?.path) out.push(ev.trajectory.path);
    if (this.trajectoryDir) out.push(path.join(this.trajectoryDir, `${safeSessionFileName(ev.entry.sessionId)}.jsonl`));
    return [...new Set(out)];
  }
}

const idsOf = (ev: Evidence): string[] => [ev.entry.sessionId, safeSessionFileName(ev.entry.sessionId)];

function addTo<T>(m: Map<string, Set<T>>, k: string, c: T): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(c);
}

function removeFrom<T>(m: Map<string, Set<T>>, k: string, c: T): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(c);
  if (s.size === 0) m.delete(k);
}
