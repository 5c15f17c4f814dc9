// How a failed open of an era C store is said (read-store.ts `explained`): where node:sqlite is
// missing (Node 20, 22.14) each store's refusal names its path (one line per store must say
// which), and a file that could never be read says that instead, since upgrading Node would not
// help it. (The suite runs on Node 24; the built CLI on Node 20 is run by .ci/run's smoke.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UnreadableError } from "../../../src/core/errors.js";
import { NEEDS } from "../../../src/store/sqlite/runtime.js";
import { explained } from "../../../src/store/sqlite/read-store.js";
import { copyRun } from "../../fixtures/real-openclaw-c.js";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

const noRuntime = () => new UnreadableError(`reading OpenClaw's SQLite store needs ${NEEDS}; this is Node 20.20.2 without node:sqlite`);

describe("an era C open that failed, explained", () => {
  it("a healthy store without node:sqlite: the Node 24 message, prefixed with the store's path (once)", () => {
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    const once = explained(noRuntime(), copy.dbPath) as UnreadableError;
    expect(once).toBeInstanceOf(UnreadableError);
    expect(once.message).toBe(`${copy.dbPath}: ${noRuntime().message}`);
    expect((explained(once, copy.dbPath) as Error).message).toBe(once.message);
  });

  it("a file that is not SQLite: says that, not that Node 24 is needed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-no-runtime-"));
    roots.push(dir);
    const file = path.join(dir, "openclaw-agent.sqlite");
    fs.writeFileSync(file, "garbage\n");
    expect((explained(noRuntime(), file) as Error).message).toBe(`${file}: not an SQLite database (its first bytes are not the SQLite header)`);
  });

  it("anything but an UnreadableError (a bug) passes through untouched", () => {
    const bug = new TypeError("x is undefined");
    expect(explained(bug, "/nowhere")).toBe(bug);
  });
});
