import { describe, expect, it } from "vitest";
import { COLUMNS, columnSpecs, hasDrift } from "../../src/ui/cells.js";
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
});
