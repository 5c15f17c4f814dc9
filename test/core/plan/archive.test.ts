import { describe, expect, it } from "vitest";
import { archiveNameRefusal, archiveRefusal, archiveStamp, deletedArchivePath, insideTree } from "../../../src/core/plan/archive.js";

describe("archive names", () => {
  it("uses the UTC ISO time with ':' replaced by '-'", () => {
    const t = Date.UTC(2026, 6, 1, 12, 34, 56, 789);
    expect(archiveStamp(t)).toBe("2026-07-01T12-34-56.789Z");
    expect(deletedArchivePath("/a/agents/main/sessions/x.jsonl", t)).toBe("/a/agents/main/sessions/x.jsonl.deleted.2026-07-01T12-34-56.789Z");
  });
});

describe("insideTree / archiveRefusal", () => {
  const root = "/home/op/.openclaw/agents";
  it.each([
    [`${root}/main/sessions/x.jsonl`, true],
    [`${root}/main/../main/sessions/x.jsonl`, true],
    [`${root}`, false],
    [`${root}/`, false],
    [`${root}/../agents-evil/x.jsonl`, false],
    [`/home/op/.openclaw/agents-evil/x.jsonl`, false],
    ["/etc/passwd", false],
    ["main/sessions/x.jsonl", false],
  ])("%s inside: %s", (p, inside) => {
    expect(insideTree(root, p)).toBe(inside);
    expect(archiveRefusal(root, p) === undefined).toBe(inside);
  });

  it("refuses a relative agents root", () => {
    expect(archiveRefusal("agents", "/x/agents/a.jsonl")).toMatch(/agents root is not an absolute path/);
  });
});

describe("archiveNameRefusal: only transcripts and trajectories move, whatever sessionFile names", () => {
  it.each([
    ["/a/agents/main/sessions/x.jsonl", undefined],
    ["/a/agents/main/sessions/x.trajectory.jsonl", undefined],
    ["/a/agents/main/sessions/x.jsonl.deleted.2026-07-01T12-34-56.789Z", undefined],
    ["/a/agents/main/agent/openclaw-agent.sqlite", /OpenClaw database file \(era C\)/],
    ["/a/agents/main/agent/openclaw-agent.sqlite-wal", /OpenClaw database file \(era C\)/],
    ["/a/agents/main/agent/openclaw-agent.sqlite-shm", /OpenClaw database file \(era C\)/],
    ["/a/agents/main/agent/openclaw-agent.sqlite-journal", /OpenClaw database file \(era C\)/],
    ["/a/agents/main/agent/openclaw-agent.sqlite.deleted.2026-07-01T12-34-56.789Z", /OpenClaw database file \(era C\)/],
    ["/a/agents/other/sessions/sessions.json", /not a transcript or trajectory/],
    ["/a/agents/main/sessions/x.jsonl.lock", /not a transcript or trajectory/],
  ])("%s", (file, why) => {
    const got = archiveNameRefusal(file);
    if (why === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(why);
  });

  it("archiveRefusal applies it inside the agents tree", () => {
    expect(archiveRefusal("/a/agents", "/a/agents/main/agent/openclaw-agent.sqlite")).toMatch(/era C/);
  });
});
