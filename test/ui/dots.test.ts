import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import type { Health } from "../../src/core/types.js";
import { DOTS, DOT_LABEL_WIDTH, HEALTH_ORDER, dotLabel, dotShape } from "../../src/ui/dots.js";

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });

describe("dots", () => {
  it.each([
    ["active", "●", "\u001b[32m"],
    ["waiting", "◐", "\u001b[33m"],
    ["stalled", "▲", "\u001b[31m"],
    ["unresponsive", "✖", "\u001b[31m"],
    ["idle", "○", "\u001b[2m"],
  ] as const)("%s reads %s plus its word, coloured only when colour is on", (health, shape, ansi) => {
    expect(dotLabel(health, plain)).toBe(`${shape} ${health}`);
    expect(dotShape(health, plain)).toBe(shape);
    expect(dotLabel(health, colour).startsWith(ansi)).toBe(true);
    expect(dotLabel(health, colour)).toContain(`${shape} ${health}`);
  });

  it("has distinct shapes, so two healths never look alike without colour", () => {
    const shapes = Object.values(DOTS).map((d) => d.shape);
    expect(new Set(shapes).size).toBe(shapes.length);
  });

  it("orders problems first and fits the widest label", () => {
    expect(HEALTH_ORDER.slice(0, 2)).toEqual(["unresponsive", "stalled"]);
    expect([...HEALTH_ORDER].sort()).toEqual((Object.keys(DOTS) as Health[]).sort());
    expect(DOT_LABEL_WIDTH).toBe("✖ unresponsive".length);
  });
});
