import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("demo --era C", () => {
  it("shows an OpenClaw 2026.9 SQLite store (unresponsive running rows, finished ones idle), then removes it", async () => {
    const r = await runCli(["demo", "--era", "C", "--duration", "1s", "--interval", "1s"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo --era C: an OpenClaw 2026\.9 SQLite store of 16 sessions/);
    expect(r.stdout).toMatch(/✖ unresponsive .* running \(stale\)/);
    expect(r.stdout).toMatch(/○ idle /);
    const state = /state dir (\S+) \(removed on exit/.exec(r.stdout)![1]!;
    expect(fs.existsSync(state)).toBe(false);
  });

  it("--generate N --out DIR --era C writes a store that status reads", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "oc-gen-c-")), "state");
    dirs.push(path.dirname(out));
    const gen = await runCli(["demo", "--generate", "40", "--out", out, "--era", "C"]);
    expect(gen.code).toBe(0);
    expect(gen.stdout).toMatch(/wrote 40 sessions .* 2 agent databases/);
    const st = await runCli(["status", "--json", "--no-probe", "--state-dir", out]);
    expect(st.code).toBe(0);
    const doc = JSON.parse(st.stdout);
    expect(doc.sessions).toHaveLength(40);
    expect(doc.stores.every((s: { era: string }) => s.era === "C")).toBe(true);
  });

  it("--era takes B or C", async () => {
    const r = await runCli(["demo", "--era", "D"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--era takes B or C \(got "D"\)/);
  });
});
