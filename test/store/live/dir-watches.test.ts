import { describe, expect, it } from "vitest";
import { DirWatches } from "../../../src/store/live/dir-watches.js";
import type { watchStores } from "../../../src/store/watcher.js";

/** A watchStores stand-in that records arm/close and lets the test fail a dir's watch. */
function fakeWatch() {
  const armed = new Set<string>();
  const fail = new Map<string, (err: Error, dir: string) => void>();
  const watch = ((dirs: string[], _cb: unknown, opts: { onError?: (err: Error, dir: string) => void }) => {
    const [dir] = dirs;
    armed.add(dir);
    if (opts.onError) fail.set(dir, opts.onError);
    return { close: () => armed.delete(dir) };
  }) as unknown as typeof watchStores;
  return { watch, armed, fail };
}

describe("DirWatches: one watcher per dir a live source reads", () => {
  it("arms only the new dirs, closes the ones no longer wanted, and leaves the rest alone", () => {
    const w = fakeWatch();
    const watches = new DirWatches(w.watch, () => undefined, () => undefined);
    expect(watches.sync(new Set(["/a", "/b"]))).toEqual(["/a", "/b"]);
    expect(watches.sync(new Set(["/b", "/c"]))).toEqual(["/c"]);
    expect([...w.armed].sort()).toEqual(["/b", "/c"]);
    watches.close();
    expect(w.armed.size).toBe(0);
  });

  it("a failed watch makes the dir unwatched with a warning naming it, until it is re-armed", () => {
    const w = fakeWatch();
    let told = 0;
    const watches = new DirWatches(w.watch, () => undefined, () => told++);
    watches.sync(new Set(["/a"]));
    w.fail.get("/a")!(Object.assign(new Error("no space"), { code: "ENOSPC" }), "/a");
    expect(told).toBe(1);
    expect([...watches.unwatched]).toEqual(["/a"]);
    expect([...watches.warnings()]).toEqual(["cannot watch /a (ENOSPC): re-reading it every few seconds instead"]);
    watches.rearmed("/a");
    expect(watches.unwatched.size).toBe(0);
    expect([...watches.warnings()]).toEqual([]);
  });
});
