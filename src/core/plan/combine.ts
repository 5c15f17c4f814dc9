// One patch list for `cleanup --finalize-stale` when the same run also prunes: a row that is
// finalized and then removed needs only its removal (finalizing it first would be a wasted
// write and a second expectation to re-check).

import type { EntryPatch } from "../types.js";

export function combinePatches(finalize: readonly EntryPatch[], prune: readonly EntryPatch[]): EntryPatch[] {
  const removed = new Set(prune.filter((p) => p.remove).map((p) => `${p.sessionKey}\u0000${p.expect.sessionId}`));
  return [...finalize.filter((p) => !removed.has(`${p.sessionKey}\u0000${p.expect.sessionId}`)), ...prune];
}
