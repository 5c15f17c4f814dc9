import { describe, expect, it } from "vitest";
import type { Heartbeat } from "../../../src/core/types.js";
import { planColumns, planFrame, rowId, rowIds, sameColumnsOr, scrollOffset } from "../../../src/ui/watch/layout.js";
import { hb, oneOfEach } from "../fixtures.js";

describe("planFrame", () => {
  it("keeps one line free and gives the rest to rows", () => {
    expect(planFrame(24, 0)).toEqual({ chrome: true, body: 20, details: 0, banner: 0 });
  });

  it("gives the details pane at most half of what is left", () => {
    expect(planFrame(24, 6)).toEqual({ chrome: true, body: 14, details: 6, banner: 0 });
    expect(planFrame(24, 40)).toEqual({ chrome: true, body: 10, details: 10, banner: 0 });
  });

  it("full details take all of what is left but one table row", () => {
    expect(planFrame(24, 40, 0, true)).toEqual({ chrome: true, body: 1, details: 19, banner: 0 });
    expect(planFrame(24, 6, 0, true)).toEqual({ chrome: true, body: 14, details: 6, banner: 0 });
  });

  it("gives warnings their lines, at most a third of the room", () => {
    expect(planFrame(24, 0, 2)).toEqual({ chrome: true, body: 18, details: 0, banner: 2 });
    expect(planFrame(24, 0, 50)).toEqual({ chrome: true, body: 14, details: 0, banner: 6 });
  });

  it("never exceeds the terminal, however small", () => {
    for (let rows = 1; rows <= 40; rows++) {
      for (const wanted of [0, 3, 50]) {
        for (const [warnings, full] of [[0, false], [1, true], [9, false], [9, true]] as const) {
          const f = planFrame(rows, wanted, warnings, full);
          const lines = (f.chrome ? 2 : 0) + f.banner + f.body + f.details + 1;
          expect(f.body).toBeGreaterThanOrEqual(1);
          if (rows >= 3) expect(lines).toBeLessThan(rows);
        }
      }
    }
  });
});

describe("scrollOffset", () => {
  it("scrolls only as far as needed to show the selection", () => {
    expect(scrollOffset(0, 5, 10, 100)).toBe(0);
    expect(scrollOffset(0, 10, 10, 100)).toBe(1);
    expect(scrollOffset(20, 15, 10, 100)).toBe(15);
    expect(scrollOffset(20, 25, 10, 100)).toBe(20);
    expect(scrollOffset(0, 99, 10, 100)).toBe(90);
  });

  it("pulls back when the list shrinks", () => {
    expect(scrollOffset(90, 3, 10, 5)).toBe(0);
    expect(scrollOffset(50, 55, 10, 58)).toBe(48);
  });
});

describe("planColumns", () => {
  it("fits the width and does not depend on the clock", () => {
    const cols = planColumns(oneOfEach(), 80);
    expect(cols.reduce((s, c) => s + c.width, 0) + 2 * (cols.length - 1)).toBeLessThanOrEqual(80);
    expect(cols.map((c) => c.id)).toContain("health");
  });
});

describe("planColumns on a live list", () => {
  /** A heartbeat that counts how often its session cell is read (the session cell reads `label`). */
  function counted(h: Heartbeat, reads: { n: number }): Heartbeat {
    const out = { ...h };
    Object.defineProperty(out, "label", { enumerable: true, get: () => (reads.n++, undefined) });
    return out;
  }

  it("measures each heartbeat once: planning the same rows again reads none of their cells", () => {
    const reads = { n: 0 };
    const rows = oneOfEach().map((h) => counted(h, reads));
    const first = planColumns(rows, 80);
    const measured = reads.n;
    expect(measured).toBeGreaterThan(0);
    expect(planColumns(rows, 80)).toEqual(first);
    expect(reads.n).toBe(measured);
  });

  it("an update measures only the heartbeats it replaced, and a wider one widens its column", () => {
    const reads = { n: 0 };
    const base = oneOfEach();
    const rows = base.map((h) => counted(h, reads));
    const before = planColumns(rows, 200).find((c) => c.id === "session")!.width;
    const measured = reads.n;
    const wider = { ...base[4], sessionKey: "agent:main:e-idle-with-a-much-longer-key" };
    const after = planColumns([...rows.slice(0, 4), counted(wider, reads)], 200).find((c) => c.id === "session")!.width;
    expect(reads.n - measured).toBe(measured / rows.length);
    expect(before).toBeLessThan(wider.sessionKey.length);
    expect(after).toBe(wider.sessionKey.length);
  });

  it("keeps the previous widths (the same array) when nothing moved, so rows need not redraw", () => {
    const prev = planColumns(oneOfEach(), 80);
    expect(sameColumnsOr(prev, planColumns(oneOfEach(), 80))).toBe(prev);
    const narrower = planColumns(oneOfEach(), 60);
    expect(sameColumnsOr(prev, narrower)).toBe(narrower);
  });
});

describe("rowId", () => {
  it("tells the same key in two agents apart", () => {
    expect(rowId(hb({ sessionKey: "cron:nightly", agentId: "a" }))).not.toBe(rowId(hb({ sessionKey: "cron:nightly", agentId: "b" })));
  });

  it("rowIds: one id per row even when two stores hold the same agent and key (a copied agent dir), in list order", () => {
    const dup = hb({ sessionKey: "agent:main:main", agentId: "main" });
    const ids = rowIds([dup, hb({ sessionKey: "agent:main:x", agentId: "main" }), { ...dup }, { ...dup }]);
    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toBe(rowId(dup));
    expect(ids[2]).toBe(`${rowId(dup)}\u0000#2`);
    expect(ids[3]).toBe(`${rowId(dup)}\u0000#3`);
  });
});
