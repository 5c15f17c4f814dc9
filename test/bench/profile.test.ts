import { describe, expect, it } from "vitest";
import { formatSummary, summarizeProfile } from "../../bench/profile.js";

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber, scriptId: "0", columnNumber: 0 });

describe("summarizeProfile", () => {
  it("adds each sample's time delta to the function and the file it landed in", () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 3, 4] },
        { id: 2, callFrame: frame("openTail", "file:///x/dist/src/store/tail.js", 9) },
        { id: 3, callFrame: frame("lines", "file:///x/dist/src/store/tail.js", 40) },
        { id: 4, callFrame: frame("(garbage collector)", "") },
      ],
      samples: [2, 3, 2, 4],
      timeDeltas: [1000, 3000, 2000, 4000],
      startTime: 0,
      endTime: 10_000,
    };
    const s = summarizeProfile(profile);
    expect(s.totalMs).toBe(10);
    expect(s.byFunction).toEqual([
      { name: "(garbage collector)", selfMs: 4, share: 0.4 },
      { name: "openTail dist/src/store/tail.js:10", selfMs: 3, share: 0.3 },
      { name: "lines dist/src/store/tail.js:41", selfMs: 3, share: 0.3 },
    ]);
    expect(s.byFile[0]).toEqual({ name: "dist/src/store/tail.js", selfMs: 6, share: 0.6 });
    expect(formatSummary(s)).toContain("60.0%  dist/src/store/tail.js");
  });

  it("with a window, counts only the samples taken in it (the profile's clock: startTime plus the deltas so far)", () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 3] },
        { id: 2, callFrame: frame("startUp", "file:///x/dist/src/cli.js", 0) },
        { id: 3, callFrame: frame("tick", "file:///x/dist/src/store/live-source.js", 0) },
      ],
      // samples at 5_001_000, 5_002_000, 5_005_000 and 5_006_000 us
      samples: [2, 2, 3, 3],
      timeDeltas: [1000, 1000, 3000, 1000],
      startTime: 5_000_000,
      endTime: 5_006_000,
    };
    const s = summarizeProfile(profile, 15, { fromUs: 5_002_500, toUs: 5_006_000 });
    expect(s.totalMs).toBe(3);
    expect(s.byFunction).toEqual([{ name: "tick dist/src/store/live-source.js:1", selfMs: 3, share: 1 }]);
  });
});
