// The live view's ordering: core/order.ts decides (problems first, then the chosen field, ties
// by identity, so rows never swap places between two identical updates); this file only adds
// the view's own notion of cycling through fields.
import type { Heartbeat } from "../../core/types.js";
import { arrangesAlike, filterHeartbeats, parseSort, sortHeartbeats, SORT_FIELDS, type SortField, type SortSpec } from "../../core/order.js";

export type SortState = SortSpec;
export { SORT_FIELDS, type SortField };

export interface ArrangeView {
  sort: SortState;
  problemsOnly: boolean;
  text: string;
  now: number;
}

export type Arrange = (list: readonly Heartbeat[], view: ArrangeView) => Heartbeat[];

/** The next field in the cycle, in the direction that field reads naturally (newest, longest, A-Z). */
export function nextSort(sort: SortState): SortState {
  const next = SORT_FIELDS[(SORT_FIELDS.indexOf(sort.field) + 1) % SORT_FIELDS.length];
  return parseSort(next);
}

export const arrangeHeartbeats: Arrange = (list, view) =>
  sortHeartbeats(filterHeartbeats(list, { problemsOnly: view.problemsOnly, text: view.text, now: view.now }), view.sort);

/** Whether `b` takes `a`'s place in a list arrangeHeartbeats arranged, without moving or leaving it. */
export function arrangedAlike(a: Heartbeat, b: Heartbeat, view: ArrangeView): boolean {
  return arrangesAlike(a, b, view.sort, { problemsOnly: view.problemsOnly, text: view.text, now: view.now });
}
