import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RealPaths } from "../../src/store/contain.js";
import { resolveTranscriptPath, sessionFileCandidate } from "../../src/store/session-file.js";
import { line, makeStateDir, makeTempDir, sessionsDir, transcriptPath, writeTranscript } from "../fixtures/store-builder.js";

function ctx(state: string) {
  const dir = sessionsDir(state);
  fs.mkdirSync(dir, { recursive: true });
  return { sessionsDir: dir, roots: [path.join(state, "agents"), dir] };
}

describe("resolveTranscriptPath", () => {
  it("uses sessionFile when it exists inside the agents tree", () => {
    const state = makeStateDir();
    const custom = writeTranscript(path.join(sessionsDir(state), "custom-name.jsonl"), [line.header("s1", 0)]);
    expect(resolveTranscriptPath({ sessionId: "s1", sessionFile: custom }, ctx(state))).toEqual({ path: custom });
  });

  it("resolves a relative sessionFile against the sessions dir", () => {
    const state = makeStateDir();
    const c = ctx(state);
    writeTranscript(path.join(c.sessionsDir, "rel.jsonl"), [line.header("s1", 0)]);
    expect(resolveTranscriptPath({ sessionId: "s1", sessionFile: "rel.jsonl" }, c).path).toBe(path.join(c.sessionsDir, "rel.jsonl"));
  });

  it("falls back to <sessionsDir>/<sessionId>.jsonl when an absolute sessionFile is missing (copied from another machine)", () => {
    const state = makeStateDir();
    const r = resolveTranscriptPath({ sessionId: "s1", sessionFile: "/home/operator/.openclaw/agents/main/sessions/s1.jsonl" }, ctx(state));
    expect(r.path).toBe(transcriptPath(state, "s1"));
    expect(r.note).toBe(`sessionFile /home/operator/.openclaw/agents/main/sessions/s1.jsonl does not exist; using ${transcriptPath(state, "s1")}`);
  });

  it("no note without a sessionFile, and the default path even when the transcript is missing", () => {
    const state = makeStateDir();
    expect(resolveTranscriptPath({ sessionId: "s1" }, ctx(state))).toEqual({ path: transcriptPath(state, "s1"), note: undefined });
  });

  it("refuses a sessionFile outside the agents tree (plain path and ..), as OpenClaw does", () => {
    const state = makeStateDir();
    const outside = writeTranscript(path.join(makeTempDir(), "x.jsonl"), [line.header("s1", 0)]);
    const c = ctx(state);
    for (const sessionFile of [outside, path.relative(c.sessionsDir, outside)]) {
      const r = resolveTranscriptPath({ sessionId: "s1", sessionFile }, c);
      expect(r.path).toBe(transcriptPath(state, "s1"));
      expect(r.note).toBe(`sessionFile ${sessionFile} is outside its sessions dir, which OpenClaw refuses; using ${transcriptPath(state, "s1")}`);
    }
  });

  it("a relative sessionFile climbing into another agent's dir is refused, as OpenClaw refuses it: the entry's own <sessionId>.jsonl is its transcript", () => {
    const state = makeStateDir();
    const c = ctx(state);
    const other = writeTranscript(path.join(state, "agents", "ops", "sessions", "o1.jsonl"), [line.header("o1", 0)]);
    const sessionFile = path.relative(c.sessionsDir, other);
    expect(sessionFile).toBe("../../ops/sessions/o1.jsonl");
    const r = resolveTranscriptPath({ sessionId: "s1", sessionFile }, c);
    expect(r.path).toBe(transcriptPath(state, "s1"));
    expect(r.note).toMatch(/is outside its sessions dir, which OpenClaw refuses/);
  });

  it("sessionFileCandidate follows OpenClaw: inside the sessions dir, or an absolute name in an agent's sessions dir", () => {
    const dir = "/s/agents/main/sessions";
    expect(sessionFileCandidate("a.jsonl", dir)).toBe(`${dir}/a.jsonl`);
    expect(sessionFileCandidate(" sub/a.jsonl ", dir)).toBe(`${dir}/sub/a.jsonl`);
    expect(sessionFileCandidate(`${dir}/a.jsonl`, dir)).toBe(`${dir}/a.jsonl`);
    expect(sessionFileCandidate("/s/agents/ops/sessions/b.jsonl", dir)).toBe("/s/agents/ops/sessions/b.jsonl");
    expect(sessionFileCandidate("/s/agents/ops/sessions/deep/b.jsonl", dir)).toBe("/s/agents/ops/sessions/deep/b.jsonl");
    for (const refused of ["", "   ", ".", "../x.jsonl", "../../ops/sessions/b.jsonl", "sub/../../x.jsonl", "/etc/passwd", "/s/agents/ops/b.jsonl"]) {
      expect(sessionFileCandidate(refused, dir), refused).toBeUndefined();
    }
  });

  it("refuses a symlink inside the tree that leads outside", () => {
    const state = makeStateDir();
    const c = ctx(state);
    const outside = writeTranscript(path.join(makeTempDir(), "x.jsonl"), [line.header("s1", 0)]);
    const link = path.join(c.sessionsDir, "link.jsonl");
    fs.symlinkSync(outside, link);
    const r = resolveTranscriptPath({ sessionId: "s1", sessionFile: link }, c);
    expect(r.path).toBe(transcriptPath(state, "s1"));
    expect(r.note).toMatch(/escapes the agents tree/);
  });

  it("refuses an escaping symlink at the default path too (even dangling)", () => {
    const state = makeStateDir();
    const c = ctx(state);
    fs.symlinkSync(path.join(makeTempDir(), "target.jsonl"), transcriptPath(state, "s1"));
    const r = resolveTranscriptPath({ sessionId: "s1" }, c);
    expect(r.path).toBeUndefined();
    expect(r.note).toMatch(/escapes the agents tree; transcript not read/);
  });

  it("accepts a symlink that stays inside the tree", () => {
    const state = makeStateDir();
    const c = ctx(state);
    const real = writeTranscript(path.join(c.sessionsDir, "real.jsonl"), [line.header("s1", 0)]);
    fs.symlinkSync(real, transcriptPath(state, "s1"));
    expect(resolveTranscriptPath({ sessionId: "s1" }, c).path).toBe(transcriptPath(state, "s1"));
  });

  it("never builds a path from an unsafe sessionId", () => {
    const state = makeStateDir();
    const r = resolveTranscriptPath({ sessionId: "../../etc/passwd" }, ctx(state));
    expect(r.path).toBeUndefined();
    expect(r.note).toMatch(/not a safe file name/);
  });

  it("with one RealPaths shared by a whole store, escaping files are still refused and the others resolve", () => {
    const state = makeStateDir();
    const c = { ...ctx(state), realPaths: new RealPaths() };
    const outsideDir = makeTempDir();
    const outside = writeTranscript(path.join(outsideDir, "x.jsonl"), [line.header("x", 0)]);
    writeTranscript(transcriptPath(state, "good-1"), [line.header("good-1", 0)]);
    fs.symlinkSync(outside, transcriptPath(state, "bad-link"));
    writeTranscript(transcriptPath(state, "good-2"), [line.header("good-2", 0)]);
    fs.symlinkSync(outsideDir, path.join(c.sessionsDir, "out-dir"));
    // twice over: the second round answers from what the first resolved
    for (let round = 0; round < 2; round++) {
      expect(resolveTranscriptPath({ sessionId: "good-1" }, c)).toEqual({ path: transcriptPath(state, "good-1"), note: undefined });
      expect(resolveTranscriptPath({ sessionId: "bad-link" }, c).path).toBeUndefined();
      expect(resolveTranscriptPath({ sessionId: "bad-link" }, c).note).toMatch(/escapes the agents tree; transcript not read/);
      expect(resolveTranscriptPath({ sessionId: "good-2", sessionFile: transcriptPath(state, "good-2") }, c)).toEqual({ path: transcriptPath(state, "good-2") });
      // a plain file reached through a symlinked directory that leads out
      const viaDir = resolveTranscriptPath({ sessionId: "good-1", sessionFile: path.join(c.sessionsDir, "out-dir", "x.jsonl") }, c);
      expect(viaDir.path).toBe(transcriptPath(state, "good-1"));
      expect(viaDir.note).toMatch(/out-dir\/x\.jsonl escapes the agents tree/);
      // and `..` out of the tree, relative to the sessions dir
      const dotdot = resolveTranscriptPath({ sessionId: "good-2", sessionFile: path.relative(c.sessionsDir, outside) }, c);
      expect(dotdot.note).toMatch(/is outside its sessions dir/);
    }
  });

  it("a sessionFile naming the default path that is a dangling symlink out of the tree is refused", () => {
    const state = makeStateDir();
    const c = ctx(state);
    fs.symlinkSync(path.join(makeTempDir(), "gone.jsonl"), transcriptPath(state, "s1"));
    const r = resolveTranscriptPath({ sessionId: "s1", sessionFile: transcriptPath(state, "s1") }, c);
    expect(r.path).toBeUndefined();
    expect(r.note).toBe(`${transcriptPath(state, "s1")} escapes the agents tree; transcript not read`);
  });
});
