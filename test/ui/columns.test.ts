import { describe, expect, it } from "vitest";
import { fitColumns, type ColumnSpec } from "../../src/ui/columns.js";

const specs: ColumnSpec[] = [
  { id: "health", natural: 14, min: 14 },
  { id: "session", natural: 40, min: 12 },
  { id: "agent", natural: 10, min: 4, drop: 8 },
  { id: "model", natural: 20, min: 8, drop: 7 },
  { id: "turn", natural: 6, min: 4, drop: 2 },
];

const total = (cols: { width: number }[], gap: number) => cols.reduce((s, c) => s + c.width, 0) + gap * (cols.length - 1);

describe("fitColumns", () => {
  it("keeps natural widths when they fit", () => {
    const cols = fitColumns(specs, 200, 2);
    expect(cols.map((c) => c.width)).toEqual([14, 40, 10, 20, 6]);
  });

  it("shrinks the widest column first", () => {
    const cols = fitColumns(specs, 90, 2);
    expect(total(cols, 2)).toBe(90);
    expect(cols.find((c) => c.id === "session")!.width).toBe(32);
    expect(cols.find((c) => c.id === "model")!.width).toBe(20);
  });

  it("shrinks every column to its minimum before dropping any", () => {
    const cols = fitColumns(specs, 50, 2);
    expect(cols.map((c) => c.width)).toEqual([14, 12, 4, 8, 4]);
  });

  it("drops the least important column when shrinking is not enough", () => {
    const cols = fitColumns(specs, 45, 2);
    expect(total(cols, 2)).toBeLessThanOrEqual(45);
    expect(cols.map((c) => c.id)).not.toContain("agent");
    expect(cols.map((c) => c.id)).toContain("health");
    expect(cols.map((c) => c.id)).toContain("session");
  });

  it("never drops undroppable columns, even when nothing fits", () => {
    const cols = fitColumns(specs, 10, 2);
    expect(cols.map((c) => c.id)).toEqual(["health", "session"]);
    expect(cols.map((c) => c.width)).toEqual([14, 12]);
  });
});
