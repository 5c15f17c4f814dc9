// node:sqlite, required without its ExperimentalWarning: Node prints "ExperimentalWarning: SQLite
// is an experimental feature" on the first load in some releases (22.x), and our stdout and
// stderr are for the user's sessions. The reader and the simulator's era C writer load it here.
import { createRequire } from "node:module";

/** `require("node:sqlite")`, dropping only SQLite's own experimental warning while it loads. */
export function requireNodeSqlite<T>(): T {
  const require = createRequire(import.meta.url);
  return withoutSqliteWarning(() => require("node:sqlite") as T);
}

/** Runs `load` with SQLite's experimental warning dropped; every other warning passes. */
export function withoutSqliteWarning<T>(load: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : typeof warning === "object" ? warning.name : (rest[0] as { type?: string } | undefined)?.type;
    if (/sqlite/i.test(text) && (type === "ExperimentalWarning" || /experimental/i.test(text))) return;
    return (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = original;
  }
}
