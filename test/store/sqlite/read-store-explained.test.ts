// How a failed open of an era C store is said (read-store.ts `explained`): where node:sqlite is
// missing (Node 20, 22.14) each store's refusal names its path (one line per store must say
// which), and a file that could never be read says that instead, since upgrading Node would not
// help it. (The suite runs on Node 24; the built CLI on Node 20 is run by .ci/run's smoke.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DamagedStoreError, UnreadableError } from "../../../src/core/errors.js";
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

  it("SQLite's own 'malformed' where the file walk found no session_nodes: damaged, not 'not an OpenClaw database' (damage can hide the table)", () => {
    const foreign = path.join(import.meta.dirname, "..", "fixtures", "era", "no-sessions.sqlite");
    const damaged = new DamagedStoreError(`${foreign}: damaged (database disk image is malformed)`);
    expect((explained(damaged, foreign) as Error).message).toBe(damaged.message);
    // without SQLite's word, a readable database without the table is still called foreign
    expect((explained(new UnreadableError("no such table: schema_meta"), foreign) as Error).message).toMatch(/without OpenClaw's session tables/);
  });

  it("a -wal or -shm this user may not open: named, with the permission problem and what to do, as for the database itself", () => {
    const copy = copyRun("c1-quick-done");
    roots.push(copy.root);
    // run as root the suite may open anything: the refusal the kernel gives another user is stubbed
    const realOpen = fs.openSync;
    const spy = vi.spyOn(fs, "openSync").mockImplementation(((file: fs.PathLike, ...rest: unknown[]) => {
      if (String(file).endsWith("-shm")) throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
      return (realOpen as (...a: unknown[]) => number)(file, ...rest);
    }) as typeof fs.openSync);
    try {
      const sqliteSaid = new UnreadableError(`cannot read ${copy.dbPath}: unable to open database file`);
      expect((explained(sqliteSaid, copy.dbPath) as Error).message).toBe(
        `${copy.dbPath}: permission denied: this user (uid ${process.getuid!()}) cannot read its -shm ${fs.realpathSync(copy.dbPath)}-shm; run as the gateway's user or grant read access`,
      );
    } finally {
      spy.mockRestore();
    }
    // readable sidecars: SQLite's words stand
    expect((explained(new UnreadableError(`cannot read ${copy.dbPath}: disk I/O error`), copy.dbPath) as Error).message).toBe(`cannot read ${copy.dbPath}: disk I/O error`);
  });

  it("anything but an UnreadableError (a bug) passes through untouched", () => {
    const bug = new TypeError("x is undefined");
    expect(explained(bug, "/nowhere")).toBe(bug);
  });
});
