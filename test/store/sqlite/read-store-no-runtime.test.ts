// Where node:sqlite is missing (Node 20, 22.14): each era C store says so in its own words, naming
// its path (one refusal line per store must say which), and a file that could never be read says
// that instead, since upgrading Node would not help it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { UnreadableError } from "../../../src/core/errors.js";
import { readEraCStore } from "../../../src/store/sqlite/read-store.js";
import { copyRun } from "../../fixtures/real-openclaw-c.js";

vi.mock("../../../src/store/sqlite/runtime.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/store/sqlite/runtime.js")>();
  const { UnreadableError: Unreadable } = await import("../../../src/core/errors.js");
  return {
    ...real,
    sqliteRuntime: () => {
      throw new Unreadable(`reading OpenClaw's SQLite store needs ${real.NEEDS}; this is Node 20.20.2 without node:sqlite`);
    },
  };
});

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe("readEraCStore without node:sqlite", () => {
  it("a healthy store: the Node 24 message, prefixed with the store's path", () => {
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    expect(() => readEraCStore({ agentId: "main", storePath: copy.dbPath, era: "C" })).toThrow(
      new UnreadableError(`${copy.dbPath}: reading OpenClaw's SQLite store needs Node 24 (as OpenClaw 2026.8+ itself requires), whose bundled SQLite is >= 3.51.3 and has zstd; this is Node 20.20.2 without node:sqlite`),
    );
  });

  it("a file that is not SQLite: says that, not that Node 24 is needed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-no-runtime-"));
    roots.push(dir);
    const file = path.join(dir, "openclaw-agent.sqlite");
    fs.writeFileSync(file, "garbage\n");
    expect(() => readEraCStore({ agentId: "main", storePath: file, era: "C" })).toThrow(new UnreadableError(`${file}: not an SQLite database (its first bytes are not the SQLite header)`));
  });
});
