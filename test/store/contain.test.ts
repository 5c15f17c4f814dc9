import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { existsInside, isWithin, RealPaths, safeRealpath } from "../../src/store/contain.js";
import { makeTempDir } from "../fixtures/store-builder.js";

/** What existsInside answered before directories were cached: realpath both sides, every time. */
function reference(candidate: string, roots: readonly string[]): boolean {
  const real = safeRealpath(candidate);
  if (!real) return false;
  return roots.some((root) => isWithin(safeRealpath(root) ?? path.resolve(root), real));
}

/**
 * A tree with every kind of name a session file can have: plain files, a symlinked directory
 * leading out, symlinked files inside and out, dangling and looping links, `..` through a link.
 */
function tree() {
  const top = fs.realpathSync(makeTempDir());
  const agents = path.join(top, "state", "agents");
  const sessions = path.join(agents, "main", "sessions");
  const outside = path.join(top, "outside");
  fs.mkdirSync(sessions, { recursive: true });
  fs.mkdirSync(path.join(outside, "deep"), { recursive: true });
  const file = (p: string) => (fs.writeFileSync(p, "{}\n"), p);
  file(path.join(sessions, "a.jsonl"));
  file(path.join(outside, "x.jsonl"));
  file(path.join(outside, "deep", "y.jsonl"));
  fs.symlinkSync(path.join(sessions, "a.jsonl"), path.join(sessions, "in-link.jsonl"));
  fs.symlinkSync(path.join(outside, "x.jsonl"), path.join(sessions, "out-link.jsonl"));
  fs.symlinkSync(path.join(outside, "nothing.jsonl"), path.join(sessions, "dangling.jsonl"));
  fs.symlinkSync(path.join(sessions, "loop-b.jsonl"), path.join(sessions, "loop-a.jsonl"));
  fs.symlinkSync(path.join(sessions, "loop-a.jsonl"), path.join(sessions, "loop-b.jsonl"));
  fs.symlinkSync(path.join(outside, "deep"), path.join(sessions, "out-dir"));
  fs.symlinkSync(sessions, path.join(top, "sessions-alias"));
  // path.relative calls it "..odd.jsonl", which isWithin has always refused: so must the cache
  file(path.join(sessions, "..odd.jsonl"));
  const candidates = [
    path.join(sessions, "a.jsonl"),
    path.join(sessions, "missing.jsonl"),
    path.join(sessions, "in-link.jsonl"),
    path.join(sessions, "out-link.jsonl"),
    path.join(sessions, "dangling.jsonl"),
    path.join(sessions, "loop-a.jsonl"),
    path.join(sessions, "out-dir", "y.jsonl"),
    // `..` after a symlinked dir: the REAL parent of out-dir is outside/, not sessions/
    `${sessions}/out-dir/../x.jsonl`,
    `${sessions}/out-dir/..`,
    `${sessions}/out-dir/`,
    path.join(sessions, "a.jsonl", "not-a-dir.jsonl"),
    path.join(top, "sessions-alias", "a.jsonl"),
    path.join(sessions, "..odd.jsonl"),
    `${sessions}//a.jsonl`,
    `${sessions}/./a.jsonl`,
    path.join(outside, "x.jsonl"),
    sessions,
  ];
  return { top, agents, sessions, outside, candidates };
}

describe("RealPaths", () => {
  it("answers exactly what realpath'ing both sides every time answers, for every kind of name", () => {
    const t = tree();
    const rootSets = [[t.agents, t.sessions], [t.agents], [path.join(t.top, "sessions-alias")], [t.outside], [path.join(t.top, "no-such-root")]];
    const shared = new RealPaths();
    for (const roots of rootSets) {
      for (const c of t.candidates) {
        const want = reference(c, roots);
        expect(shared.existsInside(c, roots), `${c} in ${roots.join(",")}`).toBe(want);
        expect(existsInside(c, roots), `${c} in ${roots.join(",")} (fresh)`).toBe(want);
      }
    }
  });

  it("rejects an escaping symlink, a symlinked directory leading out and `..` through a link", () => {
    const t = tree();
    const paths = new RealPaths();
    const roots = [t.agents, t.sessions];
    expect(paths.existsInside(path.join(t.sessions, "a.jsonl"), roots)).toBe(true);
    expect(paths.existsInside(path.join(t.sessions, "in-link.jsonl"), roots)).toBe(true);
    expect(paths.existsInside(path.join(t.sessions, "out-link.jsonl"), roots)).toBe(false);
    expect(paths.existsInside(path.join(t.sessions, "out-dir", "y.jsonl"), roots)).toBe(false);
    expect(paths.existsInside(`${t.sessions}/out-dir/../x.jsonl`, roots)).toBe(false);
    // the same answers again from the cache
    expect(paths.existsInside(path.join(t.sessions, "out-link.jsonl"), roots)).toBe(false);
    expect(paths.existsInside(path.join(t.sessions, "a.jsonl"), roots)).toBe(true);
  });

  it("lookup tells nothing there (undefined) from a name that leads nowhere (null)", () => {
    const t = tree();
    const paths = new RealPaths();
    expect(paths.lookup(path.join(t.sessions, "missing.jsonl"))).toBeUndefined();
    expect(paths.lookup(path.join(t.sessions, "dangling.jsonl"))).toBeNull();
    expect(paths.lookup(path.join(t.sessions, "loop-a.jsonl"))).toBeNull();
    expect(paths.lookup(path.join(t.sessions, "out-link.jsonl"))).toBe(path.join(t.outside, "x.jsonl"));
    expect(paths.lookup(path.join(t.top, "sessions-alias", "a.jsonl"))).toBe(path.join(t.sessions, "a.jsonl"));
    for (const c of t.candidates) expect(paths.realOf(c), c).toBe(safeRealpath(c));
  });

  it("resolves each directory once, not once per file", () => {
    const t = tree();
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(t.sessions, `s${i}.jsonl`), "");
    const paths = new RealPaths();
    const original = fs.realpathSync;
    let realpaths = 0;
    const counting = ((p: fs.PathLike, o?: fs.EncodingOption) => {
      realpaths++;
      return original(p, o);
    }) as typeof fs.realpathSync;
    fs.realpathSync = Object.assign(counting, { native: original.native });
    try {
      for (let i = 0; i < 50; i++) expect(paths.existsInside(path.join(t.sessions, `s${i}.jsonl`), [t.agents, t.sessions])).toBe(true);
      expect(paths.existsInside(path.join(t.sessions, "out-link.jsonl"), [t.agents, t.sessions])).toBe(false);
    } finally {
      fs.realpathSync = original;
    }
    // the sessions dir (which is a root too) and the agents root, whatever the number of files,
    // plus the one symlinked file, resolved in full
    expect(realpaths).toBe(3);
  });
});
