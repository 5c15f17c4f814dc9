// The interop comparison rules are code too: these run in the normal suite, without OpenClaw.
import { describe, expect, it } from "vitest";
import { sameTurnEffect } from "./finalize-compare.js";

describe("sameTurnEffect", () => {
  it("passes when a new turn leaves the same value on both repairs", () => {
    expect(sameTurnEffect({ before: "failed", after: "done" }, { before: "failed", after: "done" })).toBe(true);
    // 2026.4.26 after a SIGTERM: theirs was already false, the turn clears ours
    expect(sameTurnEffect({ before: false, after: false }, { before: true, after: false })).toBe(true);
  });

  it("fails when both repairs wrote the same value and the turn ends them differently", () => {
    expect(sameTurnEffect({ before: "failed", after: "done" }, { before: "failed", after: "failed" })).toBe(false);
  });

  it("passes when the repairs differ and the turn leaves both as they were", () => {
    // 2026.4.26 leaves the status it finds: its own `running`, our `failed`
    expect(sameTurnEffect({ before: "running", after: "running" }, { before: "failed", after: "failed" })).toBe(true);
  });

  it("fails when the repairs differ and the turn changes only one of them to a different value", () => {
    expect(sameTurnEffect({ before: "running", after: "running" }, { before: "failed", after: "done" })).toBe(false);
    expect(sameTurnEffect({ before: "running", after: "done" }, { before: "failed", after: "failed" })).toBe(false);
  });
});
