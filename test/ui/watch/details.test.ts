import { describe, expect, it } from "vitest";
import { detailLines } from "../../../src/ui/watch/details.js";
import { NOW, hb } from "../fixtures.js";

describe("details pane: the outcome line", () => {
  it("says how the last run ended and why", () => {
    const lost = detailLines(hb({ sessionKey: "agent:main:x", outcome: "lost", outcomeReason: "lock owner pid 9 is dead; nothing can write its status" }), NOW);
    expect(lost.find((l) => l.text.startsWith("outcome"))).toEqual({ text: "outcome lost: lock owner pid 9 is dead; nothing can write its status", tone: "warn" });
  });

  it("says when no outcome is known yet", () => {
    const running = detailLines(hb({ sessionKey: "agent:main:y", health: "active", state: "tool_exec" }), NOW);
    expect(running.find((l) => l.text.startsWith("outcome"))?.text).toMatch(/^outcome - \(a run is in progress/);
  });
});
