import { describe, expect, it } from "vitest";
import { breakdown } from "../../bench/breakdown.js";
import { generateStore } from "../../src/sim/generate.js";
import { readStoreEvidence, resolveStoreRefs } from "../../src/store/snapshot.js";
import { makeTempDir } from "../fixtures/store-builder.js";

describe("breakdown", () => {
  it("its phases do the product's work: the same sessions and files found as readStoreEvidence", async () => {
    const m = await generateStore({ outDir: makeTempDir("bench-breakdown-"), sessions: 60, seed: 11, deadOwner: { pid: 999_999_999 } });
    const phases = breakdown(m.stateDir, m.now);
    const count = (prefix: string) => phases.find((p) => p.name.startsWith(prefix))!.count;

    const refs = resolveStoreRefs(m.stateDir, {}, {}, {});
    const evidence = (await Promise.all(refs.stores.map((s) => readStoreEvidence(s, { stateDir: m.stateDir, env: {} })))).flatMap((r) => r.evidence);
    expect(count("read every sessions.json")).toBe(60);
    expect(count("resolveTranscriptPath")).toBe(evidence.filter((e) => e.transcriptPath).length);
    expect(count("readTranscriptTailSync")).toBe(evidence.filter((e) => e.transcript).length);
    expect(count("readTrajectoryTailSync")).toBe(evidence.filter((e) => e.trajectory).length);
    expect(count("readLockSync")).toBe(evidence.filter((e) => e.lock).length);
    expect(count("readTrajectoryTailSync")).toBe(m.sessions.filter((s) => s.trajectoryPath).length);
    expect(count("deriveHeartbeat")).toBe(60);
    expect(count("JSON output text")).toBe(60);
  });
});
