// Which stores a live source follows: those the options select now (--store, --agent, or every
// agent's). Re-resolved when an agent dir or an index appears; stores that vanish leave the cache.
import path from "node:path";
import type { StoreRef } from "../../core/types.js";
import type { StoreTarget } from "../agents.js";
import type { CachedStore, SessionCache } from "./session-cache.js";

export interface Selection {
  /** where each selected store's index is (or will be) */
  targets: StoreTarget[];
  /** JSON-era stores found */
  stores: StoreRef[];
  /** era C stores found (read on their own side, not cached here) */
  eraC: StoreRef[];
  warnings: string[];
}

const REFRESH_FAILED = "refresh failed:";

export class LiveTargets {
  private targets: StoreTarget[] = [];
  eraC: StoreRef[] = [];
  private selectWarnings: string[] = [];
  private failure: string | undefined;

  constructor(
    private readonly cache: SessionCache,
    private readonly select: () => Selection,
  ) {}

  /**
   * Selects the stores again: vanished ones leave the cache, new ones enter it and are returned
   * (they need a full read). When selecting fails (e.g. the --store file vanished) what is on
   * screen stays, with why; at start (`strict`) the error is the answer. `selected` runs once the
   * selection is known, before the cache changes.
   */
  resolve(strict: boolean, selected: () => void = () => {}): CachedStore[] {
    let refs: StoreRef[];
    this.failure = undefined;
    try {
      const s = this.select();
      this.targets = s.targets;
      refs = s.stores;
      this.eraC = s.eraC;
      this.selectWarnings = s.warnings;
      // e.g. reopening the era C side: a failure there leaves the cache as it was, like one here
      selected();
    } catch (err) {
      if (strict) throw err;
      this.selectWarnings = [(err as Error).message];
      return [];
    }
    const fresh: CachedStore[] = [];
    const wanted = new Set(refs.map((r) => r.storePath));
    for (const storePath of [...this.cache.stores.keys()]) if (!wanted.has(storePath)) this.cache.dropStore(storePath);
    for (const ref of refs) {
      const known = this.cache.stores.get(ref.storePath);
      if (known) known.ref = ref; // its era may have changed
      else fresh.push(this.cache.addStore(ref));
    }
    return fresh;
  }

  /** The dirs that hold (or will hold) a selected index. */
  indexDirs(): string[] {
    return this.targets.map((t) => path.dirname(path.resolve(t.storePath)));
  }

  /** Selected stores whose index is not cached yet (an index that appeared in a dir just watched). */
  uncached(): StoreTarget[] {
    return this.targets.filter((t) => !this.cache.stores.has(t.storePath));
  }

  /** A refresh run failed: said until the stores are selected again (a run never takes the feed down). */
  refreshFailed(err: Error): void {
    this.failure = `${REFRESH_FAILED} ${err.message}`;
  }

  warnings(): string[] {
    return this.failure ? [...this.selectWarnings, this.failure] : this.selectWarnings;
  }
}
