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

describe("details pane: the model line", () => {
  const modelOf = (fields: Parameters<typeof hb>[0]) => detailLines(hb(fields), NOW).find((l) => l.text.startsWith("health"))!.text;
  it("a model no run recorded says where it is configured", () => {
    expect(modelOf({ sessionKey: "a", model: "fake/fake-1", modelSource: "default-config" })).toContain("model fake/fake-1 (configured default)");
    expect(modelOf({ sessionKey: "a", model: "w/own", modelSource: "agent-config" })).toContain("model w/own (agent's configured model)");
    expect(modelOf({ sessionKey: "a", model: "picked", modelSource: "override" })).toContain("model picked (session override)");
  });

  it("a model a run recorded is shown as it is", () => {
    expect(modelOf({ sessionKey: "a", model: "fake-1", modelSource: "run" })).toContain("model fake-1  tool");
  });
});
