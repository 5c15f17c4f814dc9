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

/** A write as a person reads it: "keepalive's touch at <ts>", "cleanup's apply at <ts>". */
export function describeWrite(line: WriteLine): string {
  const writer = writerOf(line);
  return `${writer}'s ${writer === "keepalive" && kindOf(line) === "apply" ? "touch" : kindOf(line)} at ${line.ts}`;
}

/**
 * The newest write of `command` logged before `last`: the one an undo by `command` would put back
 * when `last` is another command's. Undefined when the log holds none: then there is nothing of
 * `command`'s to undo, which is not the same as one that a later write stands in front of.
 */
export function ownWriteBefore<T extends WriteLine>(lines: readonly T[], last: T, command: WriterCommand): T | undefined {
  const at = lines.lastIndexOf(last);
  for (let i = (at < 0 ? lines.length : at) - 1; i >= 0; i--) if (writerOf(lines[i]!) === command) return lines[i];
  return undefined;
}

/**
 * Why an undo by `command` has nothing to put back, from the log's lines for one index; undefined
 * when the log records a write of `command` (whether it can still be undone is decided under the
 * locks). `where` names the log. Only another command's writes on record (keepalive's touches) is
 * "nothing to undo" too: this undo never takes those back.
 */
export function nothingToUndoWhy(lines: readonly WriteLine[], command: WriterCommand, where: string): string | undefined {
  if (lines.some((l) => writerOf(l) === command)) return undefined;
  const last = lines.at(-1);
  if (!last) return `no write by openclaw-sessions recorded in ${where}`;
  return `no ${command} write of this index recorded in ${where}; its last write there, ${describeWrite(last)}, is not one ${command} --undo undoes`;
}
