import { describe, expect, it } from "vitest";
import { describeWrite, lastWrite, nothingToUndoWhy, ownWriteBefore, writerOf, type WriteLine } from "../../../src/core/plan/undo.js";

const line = (writeId: string, kind: WriteLine["kind"], writtenSha256: string, more: Partial<WriteLine> = {}): WriteLine => ({
  writeId,
  kind,
  writtenSha256,
  ts: `t-${writeId}`,
  ...more,
});

describe("lastWrite", () => {
  const cases: { name: string; lines: WriteLine[]; index: string; want: string | undefined }[] = [
    { name: "nothing on record", lines: [], index: "x", want: undefined },
    { name: "a write with its change lines", lines: [line("w1", "intent", "a"), line("w1", "apply", "a")], index: "a", want: "w1:apply" },
    { name: "lines from before intents existed", lines: [line("w1", "apply", "a"), line("w1", "apply", "a")], index: "a", want: "w1:apply" },
    {
      name: "killed after the rename (intent only, the index holds its bytes): that write",
      lines: [line("w1", "intent", "a"), line("w1", "apply", "a"), line("w2", "intent", "b")],
      index: "b",
      want: "w2:intent",
    },
    {
      name: "an intent whose rename never came is passed over",
      lines: [line("w1", "intent", "a"), line("w1", "apply", "a"), line("w2", "intent", "b")],
      index: "a",
      want: "w1:apply",
    },
    {
      name: "a write retried after a change under it: its completed lines, not its first intent",
      lines: [line("w1", "intent", "a"), line("w1", "intent", "b"), line("w1", "apply", "b")],
      index: "b",
      want: "w1:apply",
    },
    {
      name: "a completed write is the last one whatever the index holds now (undo then refuses: it changed since)",
      lines: [line("w1", "intent", "a"), line("w1", "undo", "a")],
      index: "z",
      want: "w1:undo",
    },
  ];
  it.each(cases)("$name", ({ lines, index, want }) => {
    const got = lastWrite(lines, index);
    expect(got ? `${got.writeId}:${got.kind}` : undefined).toBe(want);
  });
});

describe("writerOf", () => {
  it.each([
    [line("w", "apply", "a", { command: "keepalive", action: "touch" }), "keepalive"],
    [line("w", "intent", "a", { command: "keepalive" }), "keepalive"],
    [line("w", "undo", "a", { command: "cleanup" }), "cleanup"],
    // lines from before `command` was recorded: keepalive writes only touches
    [line("w", "apply", "a", { action: "touch" }), "keepalive"],
    [line("w", "apply", "a", { action: "finalize" }), "cleanup"],
    [line("w", "apply", "a", { action: "prune" }), "cleanup"],
    [line("w", "undo", "a"), "cleanup"],
  ] as const)("%o -> %s", (l, want) => {
    expect(writerOf(l)).toBe(want);
  });
});

describe("what an undo by cleanup finds when keepalive wrote last", () => {
  const cleanupWrite = [line("c1", "intent", "a", { command: "cleanup", of: "apply" }), line("c1", "apply", "a", { command: "cleanup", action: "finalize" })];
  const touch = (id: string) => [line(id, "intent", id, { command: "keepalive", of: "apply" }), line(id, "apply", id, { command: "keepalive", action: "touch" })];

  it("ownWriteBefore: the cleanup write before the touches is the one an undo would put back", () => {
    const lines = [...cleanupWrite, ...touch("k1"), ...touch("k2")];
    const last = lines.at(-1)!;
    expect(ownWriteBefore(lines, last, "cleanup")).toBe(cleanupWrite[1]);
    expect(describeWrite(cleanupWrite[1]!)).toBe("cleanup's apply at t-c1");
    expect(describeWrite(last)).toBe("keepalive's touch at t-k2");
  });

  it("ownWriteBefore: none when only keepalive ever wrote, or cleanup's write came after the last one", () => {
    const onlyTouches = [...touch("k1"), ...touch("k2")];
    expect(ownWriteBefore(onlyTouches, onlyTouches.at(-1)!, "cleanup")).toBeUndefined();
    // a cleanup intent after the touch whose rename never came: not before the last write
    const lines = [...touch("k1"), line("c2", "intent", "z", { command: "cleanup", of: "apply" })];
    expect(ownWriteBefore(lines, lines[1]!, "cleanup")).toBeUndefined();
  });

  it("nothingToUndoWhy: with only keepalive's touches on record it is nothing to undo, naming the last touch, not a write in the way", () => {
    expect(nothingToUndoWhy(touch("k1"), "cleanup", "/log")).toBe(
      "no cleanup write of this index recorded in /log; its last write there, keepalive's touch at t-k1, is not one cleanup --undo undoes",
    );
    expect(nothingToUndoWhy([], "cleanup", "/log")).toBe("no write by openclaw-sessions recorded in /log");
    // a cleanup write on record: the undo decides under the locks (and refuses if a touch followed)
    expect(nothingToUndoWhy([...cleanupWrite, ...touch("k1")], "cleanup", "/log")).toBeUndefined();
    // lines from before `command` was recorded: a prune is cleanup's
    expect(nothingToUndoWhy([line("o", "apply", "a", { action: "prune" })], "cleanup", "/log")).toBeUndefined();
  });
});
