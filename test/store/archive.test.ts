import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ArchiveAction } from "../../src/core/plan/actions.js";
import { archiveFiles, archiveFinder, renameRefusal, restoreArchives, sessionFilesOf } from "../../src/store/archive.js";

const STAMP = "2026-07-01T12-00-00.000Z";
let tmp: string;
let agents: string;
let sessions: string;
let outside: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-archive-"));
  agents = path.join(tmp, "state", "agents");
  sessions = path.join(agents, "main", "sessions");
  outside = path.join(tmp, "outside");
  fs.mkdirSync(sessions, { recursive: true });
  fs.mkdirSync(outside);
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function file(p: string, text = "x\n"): string {
  fs.writeFileSync(p, text);
  return p;
}

function act(from: string, to = `${from}.deleted.${STAMP}`): ArchiveAction {
  return { action: "archive", agentId: "main", sessionKey: "agent:main:k", from, to };
}

describe("archiveFiles", () => {
  it("renames a transcript inside the agents tree to its archive name, content unchanged", () => {
    const from = file(path.join(sessions, "a.jsonl"), "hello\n");
    const [out] = archiveFiles([act(from)], agents);
    expect(out).toEqual({ agentId: "main", sessionKey: "agent:main:k", from, to: `${from}.deleted.${STAMP}`, done: true });
    expect(fs.existsSync(from)).toBe(false);
    expect(fs.readFileSync(`${from}.deleted.${STAMP}`, "utf8")).toBe("hello\n");
  });

  it.each([
    ["a file outside the agents tree", () => file(path.join(outside, "o.jsonl")), /outside the agents tree/],
    ["a symlink, even to a file inside the tree", () => {
      const target = file(path.join(sessions, "real.jsonl"));
      const link = path.join(sessions, "link.jsonl");
      fs.symlinkSync(target, link);
      return link;
    }, /symbolic link/],
    ["a symlink leading outside", () => {
      const link = path.join(sessions, "out.jsonl");
      fs.symlinkSync(file(path.join(outside, "secret.jsonl")), link);
      return link;
    }, /symbolic link/],
    ["a file reached through a symlinked directory that leads outside", () => {
      fs.symlinkSync(outside, path.join(agents, "main", "escape"));
      file(path.join(outside, "via.jsonl"));
      return path.join(agents, "main", "escape", "via.jsonl");
    }, /outside the agents tree/],
    ["a directory", () => {
      const d = path.join(sessions, "dir.jsonl");
      fs.mkdirSync(d);
      return d;
    }, /not a regular file/],
    ["a file that is gone", () => path.join(sessions, "gone.jsonl"), /the file is gone/],
    ["an era C database a sessionFile names", () => {
      fs.mkdirSync(path.join(agents, "main", "agent"));
      return file(path.join(agents, "main", "agent", "openclaw-agent.sqlite"), "SQLite format 3\0");
    }, /OpenClaw database file \(era C\)/],
    ["an era C database's -wal", () => {
      fs.mkdirSync(path.join(agents, "main", "agent"));
      return file(path.join(agents, "main", "agent", "openclaw-agent.sqlite-wal"));
    }, /OpenClaw database file \(era C\)/],
    ["another agent's sessions.json", () => file(path.join(sessions, "sessions.json"), "{}"), /not a transcript or trajectory/],
  ])("refuses %s and touches nothing", (_name, make, why) => {
    const from = make();
    const snapshot = (d: string) => fs.readdirSync(d).sort();
    const [sBefore, oBefore] = [snapshot(sessions), snapshot(outside)];
    const [out] = archiveFiles([act(from)], agents);
    expect(out!.done).toBe(false);
    expect(out!.why).toMatch(why);
    expect(snapshot(sessions)).toEqual(sBefore);
    expect(snapshot(outside)).toEqual(oBefore);
  });

  it("never replaces an existing archive", () => {
    const from = file(path.join(sessions, "a.jsonl"), "new\n");
    const taken = file(`${from}.deleted.${STAMP}`, "older archive\n");
    const [out] = archiveFiles([act(from)], agents);
    expect(out).toMatchObject({ done: false, why: `a.jsonl.deleted.${STAMP} already exists` });
    expect(fs.readFileSync(taken, "utf8")).toBe("older archive\n");
    expect(fs.readFileSync(from, "utf8")).toBe("new\n");
  });

  it("keeps an archive in the file's own directory", () => {
    const from = file(path.join(sessions, "a.jsonl"));
    const [out] = archiveFiles([act(from, path.join(agents, "a.jsonl.deleted.x"))], agents);
    expect(out).toMatchObject({ done: false, why: /same directory/ });
    expect(renameRefusal(agents, "rel.jsonl", "rel.jsonl.deleted.x")).toBe("not an absolute path");
  });

  it("reports each file on its own: one refusal does not stop the others", () => {
    const a = file(path.join(sessions, "a.jsonl"));
    const b = file(path.join(outside, "b.jsonl"));
    const c = file(path.join(sessions, "c.trajectory.jsonl"));
    expect(archiveFiles([act(a), act(b), act(c)], agents).map((o) => o.done)).toEqual([true, false, true]);
  });
});

const newestArchiveOf = (file: string) => archiveFinder()(file);

describe("archiveFinder / restoreArchives (--undo)", () => {
  it("finds the newest `<file>.deleted.<ts>` by its stamp and ignores other names", () => {
    const t = path.join(sessions, "s.jsonl");
    file(`${t}.deleted.2026-06-30T23-59-59.999Z`);
    file(`${t}.deleted.2026-07-01T00-00-00Z`);
    file(`${t}.deleted.2026-07-01T00-00-00.500Z`);
    file(`${t}.deleted.2026-08-01T00-00-00.000Z.extra`);
    file(`${t}.reset.2026-09-01T00-00-00.000Z`);
    file(`${t}.deleted.bogus`);
    file(path.join(sessions, `other.jsonl.deleted.2026-12-01T00-00-00.000Z`));
    expect(newestArchiveOf(t)).toBe(`${t}.deleted.2026-07-01T00-00-00.500Z`);
    expect(newestArchiveOf(path.join(sessions, "none.jsonl"))).toBeUndefined();
    expect(newestArchiveOf(path.join(tmp, "no-such-dir", "x.jsonl"))).toBeUndefined();
  });

  it("puts the newest archive back when the name is free; a file that is there is left alone and its archive reported as not put back", () => {
    const free = path.join(sessions, "free.jsonl");
    file(`${free}.deleted.${STAMP}`, "archived\n");
    const busy = file(path.join(sessions, "busy.jsonl"), "current\n");
    file(`${busy}.deleted.${STAMP}`, "archived\n");
    const out = restoreArchives(
      [
        { agentId: "main", sessionKey: "a", file: free },
        { agentId: "main", sessionKey: "b", file: busy },
        { agentId: "main", sessionKey: "c", file: path.join(sessions, "never.jsonl") },
      ],
      agents,
    );
    expect(out).toEqual([
      { agentId: "main", sessionKey: "a", from: `${free}.deleted.${STAMP}`, to: free, done: true },
      { agentId: "main", sessionKey: "b", from: `${busy}.deleted.${STAMP}`, to: busy, done: false, why: "busy.jsonl exists already (nothing overwritten; the archive is left as it is)" },
    ]);
    expect(fs.readFileSync(free, "utf8")).toBe("archived\n");
    expect(fs.readFileSync(busy, "utf8")).toBe("current\n");
    expect(fs.existsSync(`${busy}.deleted.${STAMP}`)).toBe(true);
  });

  it("lists each directory once however many files are asked of it, and never one it is not asked of", () => {
    const names = Array.from({ length: 50 }, (_, i) => path.join(sessions, `s${i}.jsonl`));
    for (const n of names) file(`${n}.deleted.${STAMP}`);
    // a name holding ".deleted." itself: its archive is the text after the last one
    const odd = path.join(sessions, "a.deleted.b.jsonl");
    file(`${odd}.deleted.${STAMP}`);
    const spy = vi.spyOn(fs, "readdirSync");
    try {
      const find = archiveFinder();
      expect(names.map(find)).toEqual(names.map((n) => `${n}.deleted.${STAMP}`));
      expect(find(odd)).toBe(`${odd}.deleted.${STAMP}`);
      expect(spy.mock.calls.map((c) => String(c[0]))).toEqual([sessions]);
    } finally {
      spy.mockRestore();
    }
  });

  it("a recorded archive: exactly that one goes back (not a newer one of the same name), and its absence is reported when the file is not there either", () => {
    const t = path.join(sessions, "r.jsonl");
    const ours = file(`${t}.deleted.${STAMP}`, "ours\n");
    file(`${t}.deleted.2099-01-01T00-00-00.000Z`, "a later archive, not the prune's\n");
    const gone = path.join(sessions, "gone.jsonl");
    const back = path.join(sessions, "back.jsonl");
    file(back, "already back\n");
    const out = restoreArchives(
      [
        { agentId: "main", sessionKey: "a", file: t, archive: ours },
        { agentId: "main", sessionKey: "b", file: gone, archive: `${gone}.deleted.${STAMP}` },
        // the file is there and its archive is not: the prune's rename never happened, nothing to say
        { agentId: "main", sessionKey: "c", file: back, archive: `${back}.deleted.${STAMP}` },
      ],
      agents,
    );
    expect(out).toEqual([
      { agentId: "main", sessionKey: "a", from: ours, to: t, done: true },
      {
        agentId: "main",
        sessionKey: "b",
        from: `${gone}.deleted.${STAMP}`,
        to: gone,
        done: false,
        why: `not there, and the prune's archive of it (gone.jsonl.deleted.${STAMP}) is gone: moved or deleted since the prune`,
      },
    ]);
    expect(fs.readFileSync(t, "utf8")).toBe("ours\n");
    expect(fs.existsSync(`${t}.deleted.2099-01-01T00-00-00.000Z`)).toBe(true);
  });

  it("never puts an archive back under an era C database's name", () => {
    const db = path.join(agents, "main", "agent", "openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db));
    file(`${db}.deleted.${STAMP}`, "SQLite format 3\0");
    const [out] = restoreArchives([{ agentId: "main", sessionKey: "a", file: db }], agents);
    expect(out).toMatchObject({ done: false, why: /era C/ });
    expect(fs.existsSync(db)).toBe(false);
    expect(fs.existsSync(`${db}.deleted.${STAMP}`)).toBe(true);
  });

  it("never restores a symlinked archive", () => {
    const t = path.join(sessions, "s.jsonl");
    fs.symlinkSync(file(path.join(outside, "evil")), `${t}.deleted.${STAMP}`);
    const [out] = restoreArchives([{ agentId: "main", sessionKey: "a", file: t }], agents);
    expect(out).toMatchObject({ done: false, why: /symbolic link/ });
    expect(fs.existsSync(t)).toBe(false);
  });
});

describe("sessionFilesOf", () => {
  it("names the sessionFile and <sessionId>.jsonl, each with its trajectory sibling", () => {
    expect(sessionFilesOf({ sessionId: "abc", sessionFile: "custom.jsonl" }, sessions)).toEqual([
      path.join(sessions, "custom.jsonl"),
      path.join(sessions, "custom.trajectory.jsonl"),
      path.join(sessions, "abc.jsonl"),
      path.join(sessions, "abc.trajectory.jsonl"),
    ]);
    expect(sessionFilesOf({ sessionId: "abc", sessionFile: path.join(sessions, "abc.jsonl") }, sessions)).toHaveLength(2);
    // an id OpenClaw would never turn into a file name gives no fallback
    expect(sessionFilesOf({ sessionId: "../x" }, sessions)).toEqual([]);
  });
});
