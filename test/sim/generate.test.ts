import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GENERATED_KINDS, generateStore, type Manifest } from "../../src/sim/generate.js";
import { makeDeadOwner } from "../../src/sim/writer-fs.js";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const jsonLines = (p: string): Record<string, any>[] =>
  fs.readFileSync(p, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const lastLine = (p: string): Record<string, any> => jsonLines(p).at(-1)!;

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "sim-gen-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const NOW = Date.parse("2026-11-21T20:00:00.000Z");
const DAY = 86_400_000;

describe("generateStore", () => {
  let manifest: Manifest;
  let stateDir: string;

  it("writes 200 sessions whose files match the manifest", async () => {
    stateDir = path.join(tempDir(), "state");
    manifest = await generateStore({ outDir: stateDir, sessions: 200, seed: 9, now: NOW });
    expect(manifest.sessions).toHaveLength(200);
    expect(Object.values(manifest.counts).reduce((a, b) => a + b, 0)).toBe(200);
    for (const k of GENERATED_KINDS) expect(manifest.counts[k], k).toBeGreaterThan(0);

    // every session is in its agent's index, keys unique, three agents used
    const indexes = new Map<string, Record<string, any>>();
    for (const a of ["main", "ops", "research"]) {
      const p = path.join(stateDir, "agents", a, "sessions", "sessions.json");
      expect(fs.statSync(p).mode & 0o777).toBe(0o600);
      indexes.set(a, JSON.parse(fs.readFileSync(p, "utf8")));
    }
    const total = [...indexes.values()].reduce((n, ix) => n + Object.keys(ix).length, 0);
    expect(total).toBe(200);

    for (const s of manifest.sessions) {
      const e = indexes.get(s.agentId)![s.sessionKey];
      expect(e, s.sessionKey).toBeDefined();
      expect(e.sessionId).toBe(s.sessionId);
      expect(e.updatedAt).toBe(s.updatedAt);
      expect(NOW - e.updatedAt).toBeLessThanOrEqual(60 * DAY + 60_000);
      expect(e.status).toBe(s.verdict.storeStatus);
      if (s.transcriptPath) expect(jsonLines(s.transcriptPath)[0]).toMatchObject({ type: "session", version: 3, id: s.sessionId });
      const lockPath = s.transcriptPath ? `${s.transcriptPath}.lock` : undefined;

      switch (s.kind) {
        case "running-dead": {
          const lock = JSON.parse(fs.readFileSync(s.lockPath!, "utf8"));
          expect(lock.pid).toBe(manifest.deadOwner.pid);
          expect(alive(lock.pid)).toBe(false);
          expect(s.verdict).toMatchObject({ health: "unresponsive", lock: "dead", finalizeTo: "failed" });
          break;
        }
        case "running-live": {
          const lock = JSON.parse(fs.readFileSync(s.lockPath!, "utf8"));
          expect(lock.pid).toBe(process.pid);
          expect(s.verdict).toMatchObject({ health: s.verdict.state === "tool_exec" ? "active" : "waiting", lock: "alive", runInProgress: true });
          // 2026.7.1 has not written the in-flight run: the trajectory ends with an EARLIER run, if any
          if (s.trajectoryPath) expect(Date.parse(lastLine(s.trajectoryPath).ts)).toBeLessThan(e.startedAt);
          const last = lastLine(s.transcriptPath!).message;
          expect(s.verdict.state === "tool_exec" ? last.stopReason : last.role).toBe(s.verdict.state === "tool_exec" ? "toolUse" : "user");
          break;
        }
        case "running-ended": {
          expect(fs.existsSync(lockPath!)).toBe(false);
          expect(s.verdict).toMatchObject({ state: "complete", drift: true });
          // the transcript's last answer and (when the session has one) the trajectory agree the run ended
          const answer = lastLine(s.transcriptPath!).message;
          expect(answer.role).toBe("assistant");
          expect(s.verdict.finalizeTo).toBe(answer.stopReason === "error" ? "failed" : "done");
          if (s.trajectoryPath) {
            expect(lastLine(s.trajectoryPath)).toMatchObject({ type: "session.ended" });
            expect(lastLine(s.trajectoryPath).data.status).toBe(answer.stopReason === "error" ? "error" : "success");
          }
          break;
        }
        case "running-nolock":
          expect(fs.existsSync(lockPath!)).toBe(false);
          expect(s.verdict.health).toBe("unresponsive");
          break;
        case "no-status":
          expect(e).not.toHaveProperty("status");
          break;
        case "index-only":
          expect(s.transcriptPath).toBeUndefined();
          expect(fs.existsSync(path.join(path.dirname(e.sessionFile), `${s.sessionId}.jsonl`))).toBe(false);
          break;
        case "done":
        case "failed":
        case "killed":
        case "timeout":
          expect(e.runtimeMs).toBe(e.endedAt - e.startedAt);
          expect(e.abortedLastRun).toBe(s.kind === "killed");
          if (s.trajectoryPath) {
            // as real 2026.7.1 writes them: never `interrupted`; aborts and timeouts are `error` + a flag
            const want = { done: "success", failed: "error", killed: "error", timeout: "error" }[s.kind];
            const ended = lastLine(s.trajectoryPath).data;
            expect(ended.status).toBe(want);
            expect(ended.externalAbort).toBe(s.kind === "killed");
            expect(ended.timedOut).toBe(s.kind === "timeout");
          }
          break;
      }
    }
    // times never go backwards in file order
    for (const s of manifest.sessions) {
      for (const [file, field] of [[s.transcriptPath, "timestamp"], [s.trajectoryPath, "ts"]] as const) {
        if (!file) continue;
        const times = jsonLines(file).map((l) => Date.parse(l[field]));
        for (let i = 1; i < times.length; i++) expect(times[i]!, `${file} line ${i}`).toBeGreaterThanOrEqual(times[i - 1]!);
        expect(times.at(-1)!).toBeLessThanOrEqual(NOW);
      }
    }
    // the pointer names the trajectory file for every session that has one
    for (const s of manifest.sessions.filter((x) => x.trajectoryPath)) {
      const ptr = JSON.parse(fs.readFileSync(s.trajectoryPath!.replace(/\.trajectory\.jsonl$/, ".trajectory-path.json"), "utf8"));
      expect(ptr.runtimeFile).toBe(s.trajectoryPath);
    }
    // ages really spread: some within a day, some older than a month
    expect(manifest.sessions.some((s) => NOW - s.updatedAt < DAY)).toBe(true);
    expect(manifest.sessions.some((s) => NOW - s.updatedAt > 30 * DAY)).toBe(true);
  });

  it("every manifest entry is an entry of its agent's index, whatever the number of agents (one main session each)", async () => {
    const deadOwner = await makeDeadOwner();
    for (const agents of [["solo"], ["main", "ops"], ["a", "b", "c", "d"]]) {
      const m = await generateStore({ outDir: path.join(tempDir(), "s"), sessions: 120, agents, seed: 5, now: NOW, deadOwner });
      for (const agent of agents) {
        const index = JSON.parse(fs.readFileSync(path.join(m.stateDir, "agents", agent, "sessions", "sessions.json"), "utf8"));
        const listed = m.sessions.filter((s) => s.agentId === agent);
        expect(Object.keys(index).sort(), agents.join(",")).toEqual(listed.map((s) => s.sessionKey).sort());
        expect(listed.filter((s) => s.sessionKey === `agent:${agent}:main`)).toHaveLength(1);
      }
    }
  });

  it("is deterministic for a seed", async () => {
    const deadOwner = await makeDeadOwner();
    const a = await generateStore({ outDir: path.join(tempDir(), "s"), sessions: 50, seed: 4, now: NOW, deadOwner });
    const b = await generateStore({ outDir: path.join(tempDir(), "s"), sessions: 50, seed: 4, now: NOW, deadOwner });
    const c = await generateStore({ outDir: path.join(tempDir(), "s"), sessions: 50, seed: 5, now: NOW, deadOwner });
    const sig = (m: Manifest) => m.sessions.map((s) => `${s.kind} ${s.sessionKey} ${s.sessionId} ${s.bytes}`);
    expect(sig(b)).toEqual(sig(a));
    expect(sig(c)).not.toEqual(sig(a));
    const ta = fs.readFileSync(a.sessions[5]!.transcriptPath!, "utf8");
    expect(fs.readFileSync(b.sessions[5]!.transcriptPath!, "utf8")).toBe(ta.split(a.stateDir).join(b.stateDir));
  });

  it("writes big files from a repeated chunk with a realistic tail", async () => {
    const m = await generateStore({ outDir: path.join(tempDir(), "s"), sessions: 6, seed: 2, now: NOW, bigFiles: 2, bigFileBytes: 3 * 1024 * 1024 });
    const big = m.sessions.filter((s) => s.big);
    expect(big).toHaveLength(2);
    for (const s of big) {
      expect(s.trajectoryPath).toBeDefined();
      expect(fs.statSync(s.trajectoryPath!).size).toBeGreaterThan(2 * 1024 * 1024);
      // every line is whole JSON and the tail belongs to this session
      const events = jsonLines(s.trajectoryPath!);
      expect(events.every((e) => e.sessionId === s.sessionId)).toBe(true);
      const tr = jsonLines(s.transcriptPath!);
      expect(tr[0]).toMatchObject({ type: "session", id: s.sessionId });
      expect(fs.statSync(s.transcriptPath!).size).toBeGreaterThan(512 * 1024);
    }
    expect(m.sessions.filter((s) => !s.big).every((s) => s.bytes < 1024 * 1024)).toBe(true);
  });
});
