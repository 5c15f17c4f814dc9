// OpenClaw's lock dirs are named for their owner's uid: every one present is listed, ours first.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lockDirName, lockDirsIn } from "../../src/store/lock-dirs.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

describe("lock dirs", () => {
  it("names a uid's dir openclaw-<uid>, plain openclaw without one", () => {
    expect(lockDirName(1000)).toBe("openclaw-1000");
    expect(lockDirName()).toBe(`openclaw-${process.getuid!()}`);
  });

  it("lists every openclaw[-<uid>] dir present, ours first, the rest in name order; look-alikes left out", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-lockdirs-"));
    roots.push(tmp);
    const own = lockDirName();
    for (const n of ["openclaw-99999", "openclaw", own, "openclaw-state-locks-0", "openclaw-12a"]) fs.mkdirSync(path.join(tmp, n));
    expect(lockDirsIn(tmp)).toEqual([own, "openclaw", "openclaw-99999"].map((n) => path.join(tmp, n)));
    expect(lockDirsIn(path.join(tmp, "missing"))).toEqual([]);
  });
});
