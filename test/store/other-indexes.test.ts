import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { namedByOtherIndexes } from "../../src/store/other-indexes.js";
import { indexPath, makeStateDir, transcriptPath, writeIndex } from "../fixtures/store-builder.js";

describe("namedByOtherIndexes", () => {
  it("a backup being cleaned sees what the live sessions.json beside it names; the store never counts itself", () => {
    const state = makeStateDir();
    const live = writeIndex(state, "main", { "agent:main:a": { sessionId: "a1", updatedAt: 1 } });
    const backup = `${live}.bak.1700000000000`;
    fs.writeFileSync(backup, JSON.stringify({ "agent:main:a": { sessionId: "a1", updatedAt: 0 }, "agent:main:b": { sessionId: "b1", updatedAt: 0 } }));
    const files = [transcriptPath(state, "a1"), transcriptPath(state, "b1")];
    const fromBackup = namedByOtherIndexes(backup, files);
    expect(fromBackup.files.get(transcriptPath(state, "a1"))).toBe(`agent:main:a in ${live}`);
    expect(fromBackup.files.get(transcriptPath(state, "a1").replace(/\.jsonl$/, ".trajectory.jsonl"))).toBe(`agent:main:a in ${live}`);
    expect(fromBackup.files.has(transcriptPath(state, "b1"))).toBe(false);
    // the live index itself: nothing else in its dir names anything
    expect(namedByOtherIndexes(live, files).files.size).toBe(0);
  });

  it("another index that cannot be read holds back its whole dir", () => {
    const state = makeStateDir();
    writeIndex(state, "main", {});
    fs.writeFileSync(indexPath(state, "main"), "{ broken");
    const copy = path.join(path.dirname(indexPath(state, "main")), "copy.json");
    fs.writeFileSync(copy, "{}");
    const r = namedByOtherIndexes(copy, [transcriptPath(state, "x")]);
    expect(r.unreadDirs.get(path.dirname(indexPath(state, "main")))).toMatch(/sessions\.json, another index beside it, cannot be read/);
  });

  it("the other stores of the run count where they sit in the candidate files' dir", () => {
    const state = makeStateDir();
    const dir = path.dirname(indexPath(state, "main"));
    fs.mkdirSync(dir, { recursive: true });
    const mine = path.join(dir, "mine.json");
    const theirs = path.join(dir, "theirs.json");
    fs.writeFileSync(mine, "{}");
    fs.writeFileSync(theirs, JSON.stringify({ "agent:ops:t": { sessionId: "t1", updatedAt: 0 } }));
    expect(namedByOtherIndexes(mine, [transcriptPath(state, "t1")]).files.size).toBe(0);
    expect(namedByOtherIndexes(mine, [transcriptPath(state, "t1")], [theirs]).files.get(transcriptPath(state, "t1"))).toBe(`agent:ops:t in ${theirs}`);
  });
});
