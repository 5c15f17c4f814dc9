import { describe, expect, it } from "vitest";
import { displayWidth } from "../../../src/ui/format.js";
import { detailLines, wrapDetailLines } from "../../../src/ui/watch/details.js";
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

describe("details pane: wrapping to the terminal's width", () => {
  it("wrapDetailLines cuts long lines at spaces into lines of the pane's width, indenting what continues; short lines stay as they are", () => {
    const reason = "  • the gateway pid 4242 (started 2h ago) that owned this state dir is dead (its singleton lock was left behind, no POSIX lock held); OpenClaw's restart recovery resumes it on the next gateway start";
    const out = wrapDetailLines([{ text: "short" }, { text: reason, tone: "warn" }], 60);
    expect(out[0]).toEqual({ text: "short" });
    expect(out.length).toBeGreaterThan(3);
    for (const l of out) expect(displayWidth(l.text)).toBeLessThanOrEqual(60);
    for (const l of out.slice(2)) expect(l.text.startsWith("    ")).toBe(true);
    expect(out.slice(1).every((l) => l.tone === "warn")).toBe(true);
    // nothing lost: the words read back in order
    expect(out.slice(1).map((l) => l.text.trim()).join(" ").replace(/\s+/g, " ")).toBe(reason.trim().replace(/\s+/g, " "));
    // a word longer than a line is split where it must be
    const long = wrapDetailLines([{ text: `id ${"x".repeat(50)}` }], 20);
    expect(long.every((l) => displayWidth(l.text) <= 20)).toBe(true);
    expect(long.map((l) => l.text.replace(/^ {4}/, "")).join("")).toBe(`id ${"x".repeat(50)}`);
  });
});

