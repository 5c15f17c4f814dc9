// One watcher per directory that holds (or will hold) a file a live source reads. Adding or
// removing a dir never re-arms, and so never deafens, the others. A dir whose watch fails is
// remembered as unwatched, with a warning, so the slow tick re-reads it instead.
import { watchStores, type StoreChange, type StoreWatcher } from "../watcher.js";

export interface DirWatchOptions {
  debounceMs?: number;
  maxWaitMs?: number;
  retryMs?: number;
}

export class DirWatches {
  private readonly watchers = new Map<string, StoreWatcher>();
  /** dirs whose watch failed: re-read on the slow tick until a watch is armed again */
  readonly unwatched = new Set<string>();
  private readonly dirWarnings = new Map<string, string>();

  constructor(
    private readonly watchDir: typeof watchStores,
    private readonly onChanges: (changes: StoreChange[]) => void,
    private readonly onWatchError: () => void,
    private readonly options: DirWatchOptions = {},
  ) {}

  /** Arms a watcher on every wanted dir and closes the rest; returns the dirs armed just now. */
  sync(wanted: Set<string>): string[] {
    for (const [dir, w] of this.watchers) {
      if (wanted.has(dir)) continue;
      w.close();
      this.watchers.delete(dir);
      this.rearmed(dir);
    }
    const added: string[] = [];
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      this.watchers.set(
        dir,
        this.watchDir([dir], this.onChanges, {
          ...this.options,
          onError: (err, d) => {
            this.unwatched.add(d);
            const code = (err as NodeJS.ErrnoException).code ?? err.message;
            this.dirWarnings.set(d, `cannot watch ${d} (${code}): re-reading it every few seconds instead`);
            this.onWatchError();
          },
        }),
      );
      added.push(dir);
    }
    return added;
  }

  /** The dir's watch works again (it reported a rescan): no longer unwatched, its warning cleared. */
  rearmed(dir: string): void {
    this.unwatched.delete(dir);
    this.dirWarnings.delete(dir);
  }

  warnings(): Iterable<string> {
    return this.dirWarnings.values();
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
