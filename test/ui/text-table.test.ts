// The cleanup action table's layout: columns as wide as their widest cell, up to a cap.
import { describe, expect, it } from "vitest";
import { textTableLines } from "../../src/ui/text-table.js";

describe("textTableLines", () => {
  it("pads each column to its widest cell, with no trailing spaces", () => {
    expect(textTableLines([["a", "bb", "c"], ["aaa", "b", ""]])).toEqual(["a    bb  c", "aaa  b"]);
  });

  it("a cell past 160 columns is printed whole on its own row and widens no other row", () => {
    const huge = "k".repeat(100_000);
    const lines = textTableLines([["key", "action"], [huge, "prune"], ["short", "keep"]]);
    expect(lines[1]).toBe(`${huge}  prune`);
    expect(lines[2]).toBe(`short${" ".repeat(155)}  keep`);
    expect(lines[0].length).toBe(160 + 2 + "action".length);
  });
});
