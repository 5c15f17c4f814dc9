import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OtherIndexes } from "../../src/store/other-indexes.js";
import { indexPath, makeStateDir, transcriptPath, writeIndex } from "../fixtures/store-builder.js";

const agentsOf = (state: string) => path.join(state, "agents");
const trajectoryOf = (transcript: string) => transcript.replace(/\.jsonl$/, ".trajectory.jsonl");

describe("OtherIndexes", () => {
  it("a backup being cleaned sees what the live sessions.json beside it names; the store never counts itself", () => {
    const state = makeStateDir();
    const live = writeIndex(state, "main", { "agent:main:a": { sessionId: "a1", updatedAt: 1 } });
    const backup = `${live}.bak.1700000000000`;
    fs.writeFileSync(backup, JSON.stringify({ "agent:main:a": { sessionId: "a1", updatedAt: 0 }, "agent:main:b": { sessionId: "b1", updatedAt: 0 } }));
    const others = new OtherIndexes([backup], agentsOf(state));
    const fromBackup = others.for(backup);
    expect(fromBackup.whoNames(transcriptPath(state, "a1"))).toBe(`still named by agent:main:a in ${live}`);
    expect(fromBackup.whoNames(trajectoryOf(transcriptPath(state, "a1")))).toBe(`still named by agent:main:a in ${live}`);
    expect(fromBackup.whoNames(transcriptPath(state, "b1"))).toBeUndefined();
    // the live index cleaned on its own (a backup is no store of the run): nothing else names anything
    expect(new OtherIndexes([live], agentsOf(state)).for(live).whoNames(transcriptPath(state, "a1"))).toBeUndefined();
  });

  it("another index beside the store that cannot be read holds back every file there", () => {
    const state = makeStateDir();
    writeIndex(state, "main", {});
    fs.writeFileSync(indexPath(state, "main"), "{ broken");
    const copy = path.join(path.dirname(indexPath(state, "main")), "copy.json");
    fs.writeFileSync(copy, "{}");
    expect(new OtherIndexes([copy], agentsOf(state)).for(copy).whoNames(transcriptPath(state, "x"))).toMatch(/sessions\.json, another index beside it, cannot be read/);
  });

  it("an index in another agent's dir naming this agent's file by absolute path (a copied agent) protects it, even through a symlinked dir and for an agent not in the run", () => {
    const state = makeStateDir();
    const file = transcriptPath(state, "shared-1");
    const main = writeIndex(state, "main", { "agent:main:old": { sessionId: "shared-1", updatedAt: 0, sessionFile: file } });
    const link = path.join(state, "agents-link");
    fs.symlinkSync(agentsOf(state), link);
    const copy = writeIndex(state, "copy", { "agent:copy:live": { sessionId: "shared-1", updatedAt: 1, sessionFile: path.join(link, "main", "sessions", "shared-1.jsonl") } });
    // the run selected main only (--agent main): the copy is found under the agents dir
    const lookup = new OtherIndexes([main], agentsOf(state)).for(main);
    expect(lookup.whoNames(file)).toBe(`still named by ${copy}`);
    expect(lookup.whoNames(trajectoryOf(file))).toBe(`still named by ${copy}`);
    expect(lookup.whoNames(transcriptPath(state, "other"))).toBeUndefined();
    // the copy's own files: main names its own dir's file, not the copy's
    expect(new OtherIndexes([copy], agentsOf(state)).for(copy).whoNames(transcriptPath(state, "x", "copy"))).toBeUndefined();
  });

  it("a file the cleaned index itself and another index both name across dirs is still protected by the other", () => {
    const state = makeStateDir();
    const file = transcriptPath(state, "shared-2", "orig");
    // the cleaned store (a) is read first and names the file too: it must not hide the other (b)
    const a = writeIndex(state, "a", { "agent:a:x": { sessionId: "x1", updatedAt: 0, sessionFile: file } });
    const b = writeIndex(state, "b", { "agent:b:y": { sessionId: "y1", updatedAt: 1, sessionFile: file } });
    expect(new OtherIndexes([a, b], agentsOf(state)).for(a).whoNames(file)).toBe(`still named by ${b}`);
    expect(new OtherIndexes([a, b], agentsOf(state)).for(b).whoNames(file)).toBe(`still named by ${a}`);
  });

  it("a transcript in a subdirectory that the live index names relatively (archive/2026/n1.jsonl) is protected from a backup's prune", () => {
    const state = makeStateDir();
    const live = writeIndex(state, "main", { "agent:main:n": { sessionId: "n1", updatedAt: 1, sessionFile: "archive/2026/n1.jsonl" } });
    const backup = `${live}.manual-backup`;
    fs.writeFileSync(backup, fs.readFileSync(live));
    const file = path.join(path.dirname(live), "archive", "2026", "n1.jsonl");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "{}\n");
    expect(new OtherIndexes([backup], agentsOf(state)).for(backup).whoNames(file)).toBe(`still named by agent:main:n in ${live}`);
  });
});

