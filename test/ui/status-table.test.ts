import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { displayWidth, distinctCuts } from "../../src/ui/format.js";
import { countByHealth, omittedLine, renderStatusTable, summaryLine } from "../../src/ui/status-table.js";
import { PAD_CAP } from "../../src/ui/text-table.js";
import { NOW, hb, oneOfEach } from "./fixtures.js";

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });
const ANSI = /\u001b\[/;

describe("renderStatusTable", () => {
  it("shows every column and one row per session, in the given order", () => {
    const list = oneOfEach();
    const out = renderStatusTable(list, NOW, { chalk: plain });
    const lines = out.split("\n");
    for (const h of ["HEALTH", "SESSION", "AGENT", "STATE", "OUTCOME", "MODEL", "TOOL", "TURN", "ACTIVITY", "INDEX"]) expect(lines[0]).toContain(h);
    expect(lines).toHaveLength(1 + list.length + 1);
    list.forEach((s, i) => expect(lines[i + 1]).toContain(s.sessionKey));
    expect(lines[1]).toMatch(/^● active\s+agent:main:a-active\s+main\s+tool exec\s+-\s+claude-sonnet-4-5\s+exec\s+1m05s\s+2s ago/);
    // how the last run ended, beside "complete"
    expect(lines.find((l) => l.includes("e-idle"))).toMatch(/○ idle\s+agent:main:e-idle\s+main\s+complete\s+done\s/);
    expect(lines.find((l) => l.includes("d-unresponsive"))).toMatch(/✖ unresponsive.*running \(stale\)$/);
  });

  it("shows the index column only when some index drifts from the evidence", () => {
    const calm = oneOfEach().filter((h) => !h.drift);
    expect(renderStatusTable(calm, NOW, { chalk: plain })).not.toContain("INDEX");
    expect(renderStatusTable(oneOfEach(), NOW, { chalk: plain })).toContain("INDEX");
  });

  it("has no ANSI at chalk level 0, and colour at level 1", () => {
    expect(renderStatusTable(oneOfEach(), NOW, { chalk: plain })).not.toMatch(ANSI);
    expect(renderStatusTable(oneOfEach(), NOW, { chalk: colour })).toMatch(ANSI);
  });

  it("an outcome column that still fits 80 columns with every outcome word", () => {
    const list = (["done", "failed", "timeout", "killed", "lost"] as const).map((outcome) =>
      hb({ sessionKey: `agent:main:${outcome}-run`, health: "idle", state: "complete", outcome, lastActivityAt: NOW - 60_000, model: "claude-sonnet-4-5" }),
    );
    const lines = renderStatusTable(list, NOW, { chalk: plain, columns: 80 }).split("\n");
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toContain("OUTCOME");
    ["done", "failed", "timeout", "killed", "lost"].forEach((o, i) => expect(lines[i + 1]).toMatch(new RegExp(`complete\\s+${o}\\s`)));
  });

  it("fits the terminal width, dropping columns before the health and session", () => {
    const list = [...oneOfEach(), hb({ sessionKey: "agent:main:telegram:group:-1001234567890:run:0f9e8d7c-6b5a-4321", health: "active", state: "awaiting_model", model: "anthropic/claude-opus-4-1-20250805" })];
    for (const width of [140, 100, 80, 60, 40]) {
      const lines = renderStatusTable(list, NOW, { columns: width, chalk: plain }).split("\n");
      const table = lines.slice(0, -1); // the summary line may wrap like any text
      for (const line of table) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      expect(table[0]).toContain("HEALTH");
      expect(table[0]).toContain("SESSION");
      expect(table.some((l) => l.includes("✖ unresponsive"))).toBe(true);
    }
    const narrow = renderStatusTable(list, NOW, { columns: 60, chalk: plain }).split("\n")[0];
    expect(narrow).not.toContain("AGENT");
  });

  it("does not cut anything without a width (a pipe)", () => {
    const key = "agent:main:telegram:group:-1001234567890:run:0f9e8d7c-6b5a-4321-aaaa-bbbbccccdddd";
    const out = renderStatusTable([hb({ sessionKey: key })], NOW, { chalk: plain });
    expect(out).toContain(key);
  });

  it("on a pipe a 100 KB key is printed whole on its own row, and pads no other row past the cap", () => {
    const huge = `agent:main:${"x".repeat(100_000)}`;
    const list = [hb({ sessionKey: huge }), ...oneOfEach()];
    const lines = renderStatusTable(list, NOW, { chalk: plain }).split("\n");
    expect(lines[1]).toContain(huge);
    for (const line of [lines[0], ...lines.slice(2)]) expect(line.length).toBeLessThan(400);
    // the others still line up: each key's column is padded to the same width
    const others = lines.slice(2, 2 + oneOfEach().length);
    const agentAt = others.map((l) => l.indexOf(" main "));
    expect(new Set(agentAt).size).toBe(1);
    expect(agentAt[0]).toBeLessThanOrEqual(2 + 2 + PAD_CAP + "✖ unresponsive".length);
  });

  it("says so when there are no sessions", () => {
    expect(renderStatusTable([], NOW, { chalk: plain })).toBe("No sessions found.\n0 sessions: ✖ 0 unresponsive  ▲ 0 stalled  ◐ 0 waiting  ● 0 active  ○ 0 idle");
  });

  it("never says no sessions were found while a store could not be read, and says how many were not, under any list", () => {
    expect(renderStatusTable([], NOW, { chalk: plain, unread: 1 })).toBe(
      "No sessions shown.\n0 sessions: ✖ 0 unresponsive  ▲ 0 stalled  ◐ 0 waiting  ● 0 active  ○ 0 idle\n1 store could not be read (see the warning above)",
    );
    expect(renderStatusTable([hb({ sessionKey: "agent:main:a" })], NOW, { chalk: plain, unread: 2 }).split("\n").at(-1)).toBe("2 stores could not be read (see the warnings above)");
    expect(renderStatusTable([hb({ sessionKey: "agent:main:a" })], NOW, { chalk: plain, unread: 0 })).not.toContain("could not be read");
  });
});

describe("renderStatusTable with many rows", () => {
  it("keeps every row aligned under the header across internal chunks (450 rows)", () => {
    const plain = new Chalk({ level: 0 });
    const list = Array.from({ length: 450 }, (_, i) =>
      hb({ sessionKey: `agent:main:s-${String(i).padStart(3, "0")}`, model: i % 2 ? "fake-1" : "gpt-5", lastActivityAt: NOW - i * 1000 }),
    );
    const lines = renderStatusTable(list, NOW, { chalk: plain }).split("\n");
    expect(lines).toHaveLength(1 + 450 + 1);
    const agentCol = lines[0].indexOf("AGENT");
    for (const [i, line] of lines.slice(1, -1).entries()) {
      expect(line.slice(agentCol, agentCol + 4), `row ${i}`).toBe("main");
      expect(line).toContain(`s-${String(i).padStart(3, "0")}`);
    }
  });
});

describe("summaryLine", () => {
  it("counts by health, problems first", () => {
    const list = [...oneOfEach(), hb({ sessionKey: "x", health: "active", state: "tool_exec" })];
    expect(countByHealth(list)).toEqual({ active: 2, waiting: 1, stalled: 1, unresponsive: 1, idle: 1 });
    expect(summaryLine(list, plain)).toBe("6 sessions: ✖ 1 unresponsive  ▲ 1 stalled  ◐ 1 waiting  ● 2 active  ○ 1 idle");
    expect(summaryLine([hb({ sessionKey: "y" })], plain)).toMatch(/^1 session: /);
  });
});

describe("omittedLine", () => {
  it("says how many of how many, and by which flags; nothing when none was left out", () => {
    expect(omittedLine(3, { total: 7, by: ["--limit 3"] })).toBe("showing 3 of 7 sessions: 4 left out by --limit 3");
    expect(omittedLine(0, { total: 1, by: ["--problems"] })).toBe("showing 0 of 1 session: 1 left out by --problems");
    expect(omittedLine(7, { total: 7, by: [] })).toBeUndefined();
    expect(omittedLine(2, undefined)).toBeUndefined();
  });
});

describe("80 columns: rows whose keys share their ends stay told apart", () => {
  it("keys ending alike, and keys starting alike, are cut to different cells; every line fits", () => {
    const keys = [
      "agent:main:telegram:direct:4242:run:a1-killed",
      "agent:main:telegram:direct:4242:run:b2-killed",
      "agent:main:discord:channel:99887766:thread:7-done",
      "agent:main:discord:channel:99887766:thread:8-done",
      "agent:ops:whatsapp:direct:5550001111:subagent:1",
      "agent:ops:whatsapp:direct:5550001111:subagent:2",
    ];
    const list = keys.map((sessionKey) => hb({ sessionKey, health: "idle", state: "complete", model: "anthropic/claude-opus-4-1-20250805" }));
    const lines = renderStatusTable(list, NOW, { columns: 80, chalk: plain }).split("\n");
    const rows = lines.slice(1, 1 + keys.length);
    for (const line of lines.slice(0, -1)) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    const start = lines[0].indexOf("SESSION");
    const end = lines[0].indexOf("AGENT");
    const cells = rows.map((r) => r.slice(start, end).trim());
    expect(new Set(cells).size).toBe(keys.length);
    for (const cell of cells) expect(cell).toMatch(/…/);
  });
});

describe("distinctCuts", () => {
  it("drops the shared start, then shows where colliding texts differ", () => {
    const cuts = distinctCuts(["agent:main:s3-tool-killed", "agent:ops:s3-tool-killed"], 12);
    expect(cuts.get("agent:main:s3-tool-killed")).not.toBe(cuts.get("agent:ops:s3-tool-killed"));
    for (const c of cuts.values()) expect(displayWidth(c)).toBe(12);
    const tails = distinctCuts(["agent:main:telegram:direct:4242:run:a1-killed", "agent:main:telegram:direct:4242:run:b2-killed"], 12);
    expect(new Set(tails.values()).size).toBe(2);
    expect(distinctCuts(["short", "agent:x"], 12).get("short")).toBe("short");
  });
});
