// Push notifications for `watch` and `serve`: which session files changed, in which store dir.
//
// fs.watch is armed on DIRECTORIES only: a watch on a file follows its inode and goes silent
// after the first atomic replace (write temp + rename), which is how OpenClaw writes
// sessions.json. A trailing debounce coalesces bursts but always delivers the last name of a
// burst (chokidar 4/5 can drop it), and a max wait keeps a steady stream of appends from
// starving the callback. Directories that are missing, vanish or get replaced are re-armed
// from a slow, unref'd check interval and from a watch on their nearest existing ancestor.
import fs from "node:fs";
import path from "node:path";

export interface StoreChange {
  dir: string;
  /** relevant file names (basenames) that changed in `dir` */
  names: Set<string>;
  /** session ids whose files changed: re-derive only these */
  sessionIds: Set<string>;
  /** `sessions.json` changed: reread the index */
  index: boolean;
  /** the directory appeared, vanished or was re-armed: events may be lost, reread all of it */
  rescan: boolean;
}

export interface WatchStoresOptions {
  /** quiet time that ends a burst */
  debounceMs?: number;
  /** longest a change waits while events keep coming */
  maxWaitMs?: number;
  /** how often missing directories are retried and armed ones re-checked */
  retryMs?: number;
  /** a directory could not be watched for a reason other than not existing (EACCES, ENOSPC...) */
  onError?: (err: Error, dir: string) => void;
}

export interface StoreWatcher {
  close(): void;
}

export type NameKind = { kind: "index" } | { kind: "session"; sessionId: string };

// longest suffix first: `x.trajectory.jsonl` must not read as session `x.trajectory`
const SESSION_SUFFIXES = [".trajectory-path.json", ".trajectory.jsonl", ".jsonl.lock", ".jsonl"];

/** What a changed file name means to the caller; null = not a file the health model reads. */
export function classifyName(name: string): NameKind | null {
  if (name === "sessions.json") return { kind: "index" };
  if (name.endsWith(".tmp")) return null;
  for (const suffix of SESSION_SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length) {
      return { kind: "session", sessionId: name.slice(0, -suffix.length) };
    }
  }
  return null;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

interface Target {
  dir: string;
  watcher?: fs.FSWatcher;
  /** inode numbers are reused at once: a re-created directory is told apart by its birth time */
  identity?: { ino: number; birthtimeMs: number };
  ancestor?: fs.FSWatcher;
  lastErrorAt: number;
  reported?: string;
}

interface Pending {
  names: Set<string>;
  rescan: boolean;
}

export function watchStores(
  dirs: string[],
  onChange: (changes: StoreChange[]) => void,
  opts: WatchStoresOptions = {},
): StoreWatcher {
  const debounceMs = opts.debounceMs ?? 75;
  const maxWaitMs = Math.max(debounceMs, opts.maxWaitMs ?? 300);
  const retryMs = opts.retryMs ?? 1_000;
  const targets = [...new Set(dirs.map((d) => path.resolve(d)))].map((dir): Target => ({ dir, lastErrorAt: 0 }));
  const pending = new Map<string, Pending>();
  let timer: NodeJS.Timeout | undefined;
  let burstStartedAt = 0;
  let closed = false;

  const report = (t: Target, err: NodeJS.ErrnoException): void => {
    const code = err.code ?? err.message;
    if (t.reported === code) return; // once per cause, not once per retry
    t.reported = code;
    opts.onError?.(err, t.dir);
  };

  const queue = (dir: string, name?: string, rescan = false): void => {
    if (closed) return;
    let p = pending.get(dir);
    if (!p) pending.set(dir, (p = { names: new Set(), rescan: false }));
    if (name !== undefined) p.names.add(name);
    p.rescan ||= rescan;
    schedule();
  };

  const schedule = (): void => {
    const now = Date.now();
    if (timer === undefined) burstStartedAt = now;
    else clearTimeout(timer);
    const wait = Math.max(0, Math.min(debounceMs, burstStartedAt + maxWaitMs - now));
    timer = setTimeout(flush, wait);
  };

  const flush = (): void => {
    timer = undefined;
    if (closed || pending.size === 0) return;
    const changes: StoreChange[] = [];
    for (const [dir, p] of pending) {
      const change: StoreChange = { dir, names: p.names, sessionIds: new Set(), index: false, rescan: p.rescan };
      for (const name of p.names) {
        const kind = classifyName(name);
        if (kind?.kind === "index") change.index = true;
        else if (kind?.kind === "session") change.sessionIds.add(kind.sessionId);
      }
      if (p.rescan) change.index = true;
      changes.push(change);
    }
    pending.clear();
    try {
      onChange(changes);
    } catch (err) {
      if (!opts.onError) throw err;
      opts.onError(err as Error, changes[0].dir);
    }
  };

  const closeWatchers = (t: Target): void => {
    t.watcher?.close();
    t.ancestor?.close();
    t.watcher = t.ancestor = t.identity = undefined;
  };

  const announce = (t: Target): void => {
    let names: string[] = [];
    try {
      names = fs.readdirSync(t.dir).filter((n) => classifyName(n) !== null);
    } catch {
      // gone again already: the rescan alone tells the caller to look
    }
    if (names.length === 0) queue(t.dir, undefined, true);
    for (const n of names) queue(t.dir, n, true);
  };

  const onEvent = (t: Target, name: string | null): void => {
    if (closed) return;
    if (name === null) {
      // the platform did not say which file: only a full reread is safe
      queue(t.dir, undefined, true);
      verify(t);
      return;
    }
    // deleting the watched directory itself reports its own basename
    if (name === path.basename(t.dir)) verify(t);
    if (classifyName(name) !== null) queue(t.dir, name);
  };

  const arm = (t: Target, isNew: boolean, depth = 0): void => {
    if (closed) return;
    closeWatchers(t);
    try {
      const st = fs.statSync(t.dir);
      if (!st.isDirectory()) throw Object.assign(new Error(`${t.dir} is not a directory`), { code: "ENOTDIR" });
      const w = fs.watch(t.dir, { persistent: true }, (_ev, name) => onEvent(t, name));
      w.on("error", (err) => onWatchError(t, err));
      t.watcher = w;
      t.identity = { ino: st.ino, birthtimeMs: st.birthtimeMs };
      t.reported = undefined;
      if (isNew) announce(t);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== "ENOENT" && e.code !== "ENOTDIR") {
        report(t, e);
        return; // it exists but cannot be watched: the interval retries
      }
      watchAncestor(t);
      // it may have appeared between the failed stat and the ancestor watch (bounded: races only)
      if (depth < 2 && isDirectory(t.dir)) arm(t, true, depth + 1);
    }
  };

  /** Watch the nearest existing ancestor so a directory created later is armed at once. */
  const watchAncestor = (t: Target): void => {
    let child = t.dir;
    let parent = path.dirname(child);
    while (parent !== child) {
      try {
        if (fs.statSync(parent).isDirectory()) break;
      } catch {
        // keep climbing
      }
      child = parent;
      parent = path.dirname(child);
    }
    if (parent === child) return;
    const next = path.basename(child);
    try {
      const w = fs.watch(parent, { persistent: true }, (_ev, name) => {
        if (!closed && (name === null || name === next)) arm(t, true);
      });
      w.on("error", () => {
        w.close();
        if (t.ancestor === w) t.ancestor = undefined; // the interval keeps retrying
      });
      t.ancestor = w;
    } catch {
      // unwatchable ancestor: the interval retries
    }
  };

  const verify = (t: Target): void => {
    if (closed || !t.watcher || !t.identity) return;
    let same = false;
    try {
      const st = fs.statSync(t.dir);
      same = st.isDirectory() && st.ino === t.identity.ino && st.birthtimeMs === t.identity.birthtimeMs;
    } catch {
      same = false;
    }
    if (same) return;
    // vanished, renamed away or replaced: the old watch is deaf now
    queue(t.dir, undefined, true);
    arm(t, true);
  };

  const onWatchError = (t: Target, err: Error): void => {
    if (closed) return;
    report(t, err as NodeJS.ErrnoException);
    closeWatchers(t);
    queue(t.dir, undefined, true);
    const now = Date.now();
    // a watcher that keeps failing is left to the interval instead of spinning
    if (now - t.lastErrorAt > retryMs) arm(t, true);
    t.lastErrorAt = now;
  };

  for (const t of targets) arm(t, false);

  const interval = setInterval(() => {
    for (const t of targets) {
      if (t.watcher) verify(t);
      else if (isDirectory(t.dir) || !t.ancestor) arm(t, true);
    }
  }, retryMs);
  // the check alone must never keep a process alive
  interval.unref();

  return {
    close(): void {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      clearInterval(interval);
      for (const t of targets) closeWatchers(t);
      pending.clear();
    },
  };
}
