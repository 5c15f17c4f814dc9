// A store of one session per kind, for `status --check`: the waiting ones wait on the model under
// a live or a dead lock owner.
import { format, line, makeStateDir, transcriptPath, writeIndex, writeLock, writeTranscript } from "../../fixtures/store-builder.js";
import type { OwnerProcess } from "../../e2e/helpers/cli.js";

const M = 60_000;

export type Kind = "idle" | "waiting" | "stalled" | "unresponsive";

/** One session per kind; the waiting ones wait `waitMs` on the model under a live or dead lock. */
export function checkStore(kinds: Kind[], { live, dead }: { live: OwnerProcess; dead: OwnerProcess }, NOW: number): string {
  const state = makeStateDir();
  const entries: Record<string, unknown> = {};
  kinds.forEach((kind, i) => {
    const id = `sess-${kind}-${i}`;
    const startedAt = NOW - (kind === "stalled" || kind === "unresponsive" ? 10 * M : 30_000);
    entries[`agent:main:${kind}-${i}`] = format.indexEntry({
      sessionId: id,
      updatedAt: startedAt,
      sessionStartedAt: NOW - 60 * M,
      lastInteractionAt: startedAt,
      rich: false,
      ...(kind === "idle" ? { status: "done", startedAt, endedAt: startedAt + 500 } : { status: "running", startedAt }),
    });
    const t = transcriptPath(state, id);
    writeTranscript(t, kind === "idle" ? [line.header(id, startedAt), line.user(startedAt), line.assistant(startedAt + 400)] : [line.header(id, startedAt), line.user(startedAt)]);
    if (kind !== "idle") {
      const owner = kind === "unresponsive" ? dead : live;
      writeLock(`${t}.lock`, { pid: owner.pid, starttime: owner.starttime, createdAt: startedAt });
    }
  });
  writeIndex(state, "main", entries);
  return state;
}

