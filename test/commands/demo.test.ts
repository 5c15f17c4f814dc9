// `demo --generate` writes a static store and `demo` refuses bad usage: in-process. The demo
// itself (its simulator, runner processes, serve, signals and the temp dir it removes) runs as
// the built CLI in test/e2e/demo.test.ts and demo-era-c.test.ts.
import fs from "node:fs";
import path from "node:path";
import { cleanupStateDirs, makeTempDir } from "../fixtures/store-builder.js";
import { afterEach, describe, expect, it } from "vitest";
import { run, runJson } from "./helpers/run.js";

afterEach(cleanupStateDirs);

describe("demo --generate", () => {
  it("one session is said as one (\"wrote 1 session\"), in both formats, and a store under 100 sessions has no huge files unless asked", async () => {
    for (const era of [[], ["--era", "C"]]) {
      const out = path.join(makeTempDir("demo-e2e-gen1-"), "store");
      const r = await run(["demo", "--generate", "1", ...era, "--out", out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`wrote 1 session to ${out}`);
      expect(r.stdout).not.toContain("huge files");
      const bytes = fs.readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
      expect(bytes).toBeLessThan(2 * 1024 * 1024);
    }
  });

  it("writes a static store of N sessions over agents, with some files tens of MB, that status reads", async () => {
    const out = path.join(makeTempDir("demo-e2e-gen-"), "store");
    const r = await run(["demo", "--generate", "200", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote 200 sessions to ${out}`);
    const { result, doc } = await runJson(["status", "--state-dir", out, "--no-probe"]);
    expect(result.code).toBe(0);
    expect(doc.sessions).toHaveLength(200);
    // the config carries OpenClaw 2026.7's stamp, as a real one does: read as era B, not "A or B"
    expect(new Set(doc.stores.map((s: any) => s.era))).toEqual(new Set(["B"]));
    const agents = new Set(doc.sessions.map((s: any) => s.agentId));
    expect(agents.size).toBeGreaterThanOrEqual(3);
    const sizes: number[] = [];
    for (const agent of agents) {
      const dir = path.join(out, "agents", String(agent), "sessions");
      for (const f of fs.readdirSync(dir)) sizes.push(fs.statSync(path.join(dir, f)).size);
    }
    expect(Math.max(...sizes)).toBeGreaterThan(10 * 1024 * 1024);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(20 * 1024 * 1024);
    // and a realistic spread of verdicts, not 200 copies of one
    expect(new Set(doc.sessions.map((s: any) => s.health)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(doc.sessions.map((s: any) => s.storeStatus)).size).toBeGreaterThanOrEqual(4);
  });

  it("--out onto a file: refused as not a directory, exit 4 (as demo --help's exit table says), the file untouched", async () => {
    const file = path.join(makeTempDir("demo-e2e-gen-"), "a-file");
    fs.writeFileSync(file, "x");
    const r = await run(["demo", "--generate", "5", "--out", file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(`openclaw-sessions: --out ${file}: not a directory\n`);
    expect(fs.readFileSync(file, "utf8")).toBe("x");
  });

  it("needs --out, and refuses a directory that is not empty", async () => {
    const r1 = await run(["demo", "--generate", "5"]);
    expect(r1.code).toBe(64);
    expect(r1.stderr).toMatch(/--out/);
    const out = makeTempDir("demo-e2e-gen-");
    fs.writeFileSync(path.join(out, "keep.me"), "x");
    const r2 = await run(["demo", "--generate", "5", "--out", out]);
    expect(r2.code).toBe(4);
    expect(fs.readdirSync(out)).toEqual(["keep.me"]);
  });
});

describe("demo --era C", () => {
  it("--generate N --out DIR --era C writes a store that status reads", async () => {
    const out = path.join(makeTempDir("oc-gen-c-"), "state");
    const gen = await run(["demo", "--generate", "40", "--out", out, "--era", "C"]);
    expect(gen.code).toBe(0);
    expect(gen.stdout).toMatch(/wrote 40 sessions .* 2 agent databases/);
    const st = await run(["status", "--json", "--no-probe", "--state-dir", out]);
    expect(st.code).toBe(0);
    const doc = JSON.parse(st.stdout);
    expect(doc.sessions).toHaveLength(40);
    expect(doc.stores.every((s: { era: string }) => s.era === "C")).toBe(true);
  });

  it("--era takes B or C", async () => {
    const r = await run(["demo", "--era", "D"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--era takes B or C \(got "D"\)/);
  });
});
