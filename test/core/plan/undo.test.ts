import { describe, expect, it } from "vitest";
import { lastWrite, writerOf, type WriteLine } from "../../../src/core/plan/undo.js";

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
