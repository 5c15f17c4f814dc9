// A directory or a byte-order mark where a regular JSON file belongs: one line naming the file and
// what is there, in-process. (A FIFO, which could block open(2), is run through the built CLI in
// test/e2e/hostile-files.test.ts.)
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyRealState, indexPath, makeTempDir } from "../fixtures/store-builder.js";
import { run } from "./helpers/run.js";

const env = () => ({ TMPDIR: makeTempDir("ocs-hostile-tmp-"), XDG_STATE_HOME: makeTempDir("ocs-hostile-xdg-") });

describe("other things where a file belongs", () => {
  it("sessions.json is a directory: exit 3 naming it (no bare EISDIR)", async () => {
    const state = copyRealState("s1-quick-done");
    const index = indexPath(state, "main");
    fs.rmSync(index);
    fs.mkdirSync(index);
    const r = await run(["status", "--no-probe", "--state-dir", state], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${index} is a directory, not a regular file`);
  });

  it("sessions.json with a byte-order mark: exit 3 saying so, the file untouched; cleanup writes nothing", async () => {
    const state = copyRealState("s1-quick-done");
    const index = indexPath(state, "main");
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(index)]);
    fs.writeFileSync(index, bytes);
    for (const args of [["status", "--no-probe"], ["cleanup", "--no-probe"]]) {
      const r = await run([...args, "--state-dir", state], { env: env() });
      expect(r.code, args.join(" ")).toBe(3);
      expect(r.stderr).toContain(`session index ${index} starts with a byte-order mark (UTF-8 BOM)`);
      expect(r.stderr).not.toContain("not valid JSON at 1:1");
    }
    expect(fs.readFileSync(index).equals(bytes)).toBe(true);
  });

  it("--store naming OpenClaw's config: exit 3 saying it is not a session index, for status and cleanup; the file untouched", async () => {
    const state = copyRealState("s1-quick-done");
    // a config in plain JSON (the fixture's is JSON5, which is refused as "not valid JSON" already)
    const config = path.join(state, "openclaw.json");
    fs.writeFileSync(config, `${JSON.stringify({ meta: { lastTouchedVersion: "2026.7.1" }, agents: { defaults: { timeoutSeconds: 600 } } }, null, 2)}\n`);
    const bytes = fs.readFileSync(config);
    for (const args of [["status", "--no-probe"], ["status", "--no-probe", "--json"], ["cleanup", "--no-probe"]]) {
      const r = await run([...args, "--store", config], { env: env() });
      expect(r.code, args.join(" ")).toBe(3);
      expect(r.stderr).toContain(`${config} is not a session index: none of its`);
    }
    expect(fs.readFileSync(config).equals(bytes)).toBe(true);
  });

  it("openclaw.json with a byte-order mark is read, as OpenClaw's JSON5 reads it", async () => {
    const state = copyRealState("s1-quick-done");
    const config = path.join(state, "openclaw.json");
    fs.writeFileSync(config, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(config)]));
    const r = await run(["status", "--no-probe", "--state-dir", state], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });
});
