// What `cleanup --undo` may put back, decided from the audit log's lines for one index and the
// sha256 of the index now. Each write is a group of lines sharing a writeId: an intent line,
// fsynced before the rename, then its change lines (apply) or its undo line after it.

/** The fields of an audit line this decision reads. */
export interface WriteLine {
  kind: "apply" | "undo" | "intent";
  /** who wrote: absent on lines from before the field existed */
  command?: WriterCommand;
  /** intent lines: the kind of the write about to be renamed */
  of?: "apply" | "undo";
  action?: string;
  writeId: string;
  ts: string;
  writtenSha256: string;
}

export type WriterCommand = "cleanup" | "keepalive";

/**
 * The newest write whose rename happened, as one of its lines. A write with lines after its
 * rename happened. A write with only an intent (killed between the rename and those lines)
 * happened if the index now holds exactly the bytes it meant to write; otherwise its rename
 * never came (or was written over since, which then shows as the index having changed after
 * the write before it), so the write before it is the last one.
 */
export function lastWrite<T extends WriteLine>(lines: readonly T[], indexSha256: string): T | undefined {
  const byWrite = new Map<string, T[]>();
  for (const l of lines) {
    // a Map keeps first-insertion order: move a write to where its last line is
    const group = byWrite.get(l.writeId) ?? [];
    byWrite.delete(l.writeId);
    group.push(l);
    byWrite.set(l.writeId, group);
  }
  for (const group of [...byWrite.values()].reverse()) {
    const done = group.find((l) => l.kind !== "intent");
    if (done) return done;
    const renamed = group.findLast((l) => l.writtenSha256 === indexSha256);
    if (renamed) return renamed;
  }
  return undefined;
}

/** An undo that could not put back every session file of the index it restored is "partial". */
export function restoredOutcome(notPutBack: number): "restored" | "partial" {
  return notPutBack > 0 ? "partial" : "restored";
}

/** Which command wrote the line; lines from before `command` was recorded: keepalive writes only touches. */
export function writerOf(line: WriteLine): WriterCommand {
  if (line.command) return line.command;
  return line.kind === "apply" && line.action === "touch" ? "keepalive" : "cleanup";
}

/** The kind of write a line belongs to: an intent names the kind it announces. */
export function kindOf(line: WriteLine): "apply" | "undo" {
  return line.kind === "intent" ? (line.of ?? "apply") : line.kind;
}
