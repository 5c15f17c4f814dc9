// Every session in `status`'s default order, kept as sessions change one at a time: a change moves
// one heartbeat (a binary search and an array splice) instead of sorting 10,000 again, which cost
// more than the change itself and happened after every refresh.
import { compareHeartbeats, sortHeartbeats } from "../core/order.js";
import type { Heartbeat } from "../core/types.js";

/** Past this many changes at once, sorting the whole list again is cheaper than moving each. */
const RESORT_OVER = 512;

export class SortedHeartbeats {
  private list: Heartbeat[] = [];
  /** set once more than RESORT_OVER moves came between two reads: the next read sorts it all */
  private stale = false;
  private moves = 0;

  constructor(private readonly source: () => Iterable<Heartbeat>) {}

  /** The whole list again from the source (a baseline, or a change too large to apply one by one). */
  reset(): void {
    this.stale = false;
    this.moves = 0;
    this.list = sortHeartbeats([...this.source()]);
  }

  /** `old` left (or was replaced by `next`); `next` arrived. Either may be undefined. */
  move(old: Heartbeat | undefined, next: Heartbeat | undefined): void {
    if (this.stale) return; // a full sort is due anyway
    // most changes keep a session's place (its reasons' ages re-worded, a field the order does not
    // read): replaced where it stands, not two splices of a 10,000-entry array, and no step
    // towards a full sort
    if (old !== undefined && next !== undefined && this.replaceInPlace(old, next)) return;
    if (++this.moves > RESORT_OVER) {
      this.stale = true;
      return;
    }
    if (old !== undefined) {
      const at = this.indexOf(old);
      if (at >= 0) this.list.splice(at, 1);
    }
    if (next !== undefined) this.list.splice(this.insertAt(next), 0, next);
  }

  /** Sorted; changed in place by the next move, so read it in the same turn and do not change it. */
  all(): Heartbeat[] {
    if (this.stale) this.reset();
    this.moves = 0;
    return this.list;
  }

  private replaceInPlace(old: Heartbeat, next: Heartbeat): boolean {
    const at = this.indexOf(old);
    if (at < 0) return false;
    const before = this.list[at - 1];
    const after = this.list[at + 1];
    if ((before !== undefined && compareHeartbeats(before, next) >= 0) || (after !== undefined && compareHeartbeats(next, after) >= 0)) return false;
    this.list[at] = next;
    return true;
  }

  private insertAt(hb: Heartbeat): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareHeartbeats(this.list[mid], hb) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(hb: Heartbeat): number {
    // identities are unique in the list, so the comparator ties only with the object itself
    const at = this.insertAt(hb);
    if (this.list[at] === hb) return at;
    // a heartbeat compared equal to a neighbour (the same identity listed twice by two stores)
    return this.list.indexOf(hb);
  }
}
