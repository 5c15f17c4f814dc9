import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findIndexes, runFloor } from "../../bench/floor.js";
import { generateStore } from "../../src/sim/generate.js";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-floor-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("runFloor", () => {
  it("finds every index and stats exactly the transcripts and trajectories the generator wrote", async () => {
    const m = await generateStore({ outDir: dir, sessions: 40, seed: 7, deadOwner: { pid: 999_999_999 } });
    const r = await runFloor(dir, 4);
    expect(findIndexes(dir)).toHaveLength(3);
    expect(r.indexes).toBe(3);
    expect(r.sessions).toBe(40);
    expect(r.transcripts).toBe(m.sessions.filter((s) => s.transcriptPath).length);
    expect(r.trajectories).toBe(m.sessions.filter((s) => s.trajectoryPath).length);
    expect(r.bytes).toBe(m.totalBytes);
  });

  it("sees nothing in a dir without agents", async () => {
    expect(await runFloor(dir)).toEqual({ indexes: 0, sessions: 0, transcripts: 0, trajectories: 0, bytes: 0 });
  });
});
