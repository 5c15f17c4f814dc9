import chalk, { Chalk } from "chalk";
import { afterEach, describe, expect, it } from "vitest";
import { heartbeatJson, ndjsonSnapshot, plainSnapshot, plainSnapshotChunks, textLines } from "../../src/ui/snapshot.js";
import { renderStatusTable } from "../../src/ui/status-table.js";
import { NOW, oneOfEach } from "./fixtures.js";

const level = chalk.level;
afterEach(() => {
  chalk.level = level;
});

describe("plainSnapshot", () => {
  it("comes in pieces of one line each: the same text as the timestamp and the whole table", () => {
    const list = oneOfEach();
    const pieces = [...plainSnapshotChunks(list, NOW, { columns: 100 })];
    expect(pieces.every((p) => p.endsWith("\n") && p.indexOf("\n") === p.length - 1)).toBe(true);
    expect(pieces.join("")).toBe(plainSnapshot(list, NOW, { columns: 100 }));
    expect(pieces.join("")).toBe(`# ${new Date(NOW).toISOString()}\n${renderStatusTable(list, NOW, { columns: 100, chalk: new Chalk({ level: 0 }) })}\n`);
    expect(pieces).toHaveLength(1 + 1 + list.length + 1);
  });

  it("textLines: strings and iterables of lines, each line ended by a newline", () => {
    function* two() {
      yield "b";
      yield "";
    }
    expect([...textLines(["a", two(), [], ["c"]])]).toEqual(["a\n", "b\n", "\n", "c\n"]);
    expect([...textLines([])]).toEqual([]);
  });

  it("is a timestamped table without colour, even when chalk would colour", () => {
    chalk.level = 3;
    const out = plainSnapshot(oneOfEach(), NOW, { columns: 120 });
    expect(out).not.toMatch(/\u001b\[/);
    expect(out.startsWith(`# ${new Date(NOW).toISOString()}\n`)).toBe(true);
    expect(out).toContain("✖ unresponsive");
    expect(out).toContain("5 sessions:");
    expect(out.endsWith("\n")).toBe(true);
  });
});

describe("ndjsonSnapshot", () => {
  it("is one JSON line with schemaVersion, generatedAt and raw numbers", () => {
    const out = ndjsonSnapshot(oneOfEach(), NOW);
    expect(out.endsWith("\n")).toBe(true);
    expect(out.trimEnd()).not.toContain("\n");
    const doc = JSON.parse(out);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.generatedAt).toBe(NOW);
    expect(doc.sessions).toHaveLength(5);
    const active = doc.sessions.find((s: { sessionKey: string }) => s.sessionKey === "agent:main:a-active");
    expect(active).toMatchObject({ health: "active", state: "tool_exec", toolName: "exec", turnElapsedMs: 65_000, lastActivityAt: NOW - 2_000, drift: null });
    const dead = doc.sessions.find((s: { sessionKey: string }) => s.sessionKey === "agent:main:d-unresponsive");
    expect(dead.reasons).toEqual(["lock owner pid 4242 is dead", "no gateway running"]);
    expect(dead.storeStatus).toBe("running");
  });

  it("gives every session the same keys, null when unknown", () => {
    const keys = oneOfEach().map((h) => Object.keys(heartbeatJson(h, NOW)).sort().join(","));
    expect(new Set(keys).size).toBe(1);
    const idle = heartbeatJson(oneOfEach()[4], NOW);
    expect(idle.turnElapsedMs).toBeNull();
    expect(idle.model).toBeNull();
  });

  it("carries the outcome and why; null while a run is in progress", () => {
    const [active, , , , idle] = oneOfEach().map((h) => heartbeatJson(h, NOW));
    expect(idle).toMatchObject({ outcome: "done", outcomeReason: "index says done" });
    expect(active).toMatchObject({ outcome: null, outcomeReason: null });
  });
});
