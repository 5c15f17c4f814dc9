import { describe, expect, it } from "vitest";
import { COLUMNS, columnSpecs, hasDrift, sameCells } from "../../src/ui/cells.js";
import { NOW, hb, oneOfEach } from "./fixtures.js";

describe("cells", () => {
  it("adds the index column only when some session drifts", () => {
    const calm = oneOfEach().filter((h) => !h.drift);
    expect(hasDrift(calm)).toBe(false);
    expect(columnSpecs(calm, NOW, { drift: false }).map((s) => s.id)).not.toContain("index");
    expect(hasDrift(oneOfEach())).toBe(true);
    expect(columnSpecs(oneOfEach(), NOW, { drift: true }).map((s) => s.id)).toContain("index");
  });

  it("sizes columns by their widest cell and leaves room for ticking clocks", () => {
    const list = [hb({ sessionKey: "agent:main:a-very-long-session-key", state: "tool_exec", health: "active", startedAt: NOW - 5_000 })];
    const specs = columnSpecs(list, NOW, { drift: false });
    expect(specs.find((s) => s.id === "session")!.natural).toBe("agent:main:a-very-long-session-key".length);
    expect(specs.find((s) => s.id === "turn")!.natural).toBeGreaterThanOrEqual("59m59s".length);
  });

  it("renders each column's cell for a session", () => {
    const [active] = oneOfEach();
    const cells = Object.fromEntries(COLUMNS.map((c) => [c.id, c.cell(active, NOW)]));
    expect(cells).toMatchObject({ health: "● active", session: "agent:main:a-active", state: "tool exec", tool: "exec", turn: "1m05s", last: "2s ago", index: "" });
  });

  it("sameCells: a row draws the same when only what the details pane shows changed", () => {
    const [, , stalled] = oneOfEach();
    expect(sameCells(stalled, { ...stalled, reasons: ["tool browser open for 9m51s, over the 2m threshold"], turnId: "t-2" })).toBe(true);
  });

  it("sameCells: any cell, the clocks' start times, the health or the drift mark make another row", () => {
    const [active, , , unresponsive] = oneOfEach();
    expect(sameCells(active, { ...active, model: "gpt-5" })).toBe(false);
    expect(sameCells(active, { ...active, lastActivityAt: active.lastActivityAt! + 1 })).toBe(false);
    expect(sameCells(active, { ...active, startedAt: active.startedAt! + 1 })).toBe(false);
    expect(sameCells(active, { ...active, health: "waiting" })).toBe(false);
    expect(sameCells(unresponsive, { ...unresponsive, drift: undefined })).toBe(false);
  });
});
