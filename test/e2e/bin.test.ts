// The bin wrapper's start-up: Node's compile cache is turned on only where its dir can be made,
// because Node 24 spins forever on a cache dir (or a recursive mkdir) it cannot create.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../fixtures/store-builder.js";
import { REPO_ROOT, runCli } from "./helpers/cli.js";
import * as nodeModule from "node:module";

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };

describe("bin/openclaw-sessions.js", () => {
  it.each(["/proc/no-such-dir", "/no-such-dir"])("TMPDIR=%s (cannot hold a cache) still runs, without a cache", async (tmp) => {
    const r = await runCli(["--version"], { env: { TMPDIR: tmp }, timeoutMs: 15_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("keeps the compile cache in TMPDIR/node-compile-cache where it can (Node >= 22.1), and nothing else there", async () => {
    const tmp = makeTempDir("ocs-bin-tmp-");
    const r = await runCli(["--version"], { env: { TMPDIR: tmp } });
    expect(r.code).toBe(0);
    const hasCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === "function";
    expect(fs.readdirSync(tmp)).toEqual(hasCache ? ["node-compile-cache"] : []);
  });
});
