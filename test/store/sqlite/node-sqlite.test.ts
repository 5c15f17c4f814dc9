// node:sqlite's ExperimentalWarning (printed by Node 22.x on first load) never reaches our output;
// Node 24 prints none, so the filter is proven with the warning Node 22 emits, emitted here.
import { afterEach, describe, expect, it } from "vitest";
import { requireNodeSqlite, withoutSqliteWarning } from "../../../src/store/sqlite/node-sqlite.js";

const seen: string[] = [];
const onWarning = (w: Error) => seen.push(`${w.name}: ${w.message}`);
afterEach(() => {
  process.off("warning", onWarning);
  seen.length = 0;
});

const flush = () => new Promise((r) => setImmediate(r));

describe("withoutSqliteWarning", () => {
  it("drops SQLite's experimental warning (as Node 22 emits it), passes every other warning, and restores emitWarning", async () => {
    process.on("warning", onWarning);
    const original = process.emitWarning;
    const value = withoutSqliteWarning(() => {
      process.emitWarning("SQLite is an experimental feature and might change at any time", "ExperimentalWarning");
      process.emitWarning("SQLite is an experimental feature and might change at any time", { type: "ExperimentalWarning" });
      process.emitWarning("Something else is experimental", "ExperimentalWarning");
      process.emitWarning("a SQLite deprecation", "DeprecationWarning");
      return 42;
    });
    await flush();
    expect(value).toBe(42);
    expect(seen).toEqual(["ExperimentalWarning: Something else is experimental", "DeprecationWarning: a SQLite deprecation"]);
    expect(process.emitWarning).toBe(original);
  });

  it("restores emitWarning when loading throws", () => {
    const original = process.emitWarning;
    expect(() =>
      withoutSqliteWarning(() => {
        throw new Error("no sqlite");
      }),
    ).toThrow("no sqlite");
    expect(process.emitWarning).toBe(original);
  });

  it("requireNodeSqlite gives node:sqlite's DatabaseSync", () => {
    const { DatabaseSync } = requireNodeSqlite<{ DatabaseSync: new (p: string) => { prepare(s: string): { get(): unknown }; close(): void } }>();
    const db = new DatabaseSync(":memory:");
    expect(db.prepare("SELECT 1 AS one").get()).toEqual({ one: 1 });
    db.close();
  });
});
