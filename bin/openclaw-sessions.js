#!/usr/bin/env node
// chalk ignores NO_COLOR and reads FORCE_COLOR once at load: map both before anything imports it.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "" || process.argv.includes("--no-color")) {
  process.env.FORCE_COLOR = "0";
}
// Node >= 22.1 caches compiled modules (NODE_DISABLE_COMPILE_CACHE=1 turns it off): most of a
// command's start-up is compiling them. Node's own default dir is under os.tmpdir(), but given a
// dir it cannot create (a TMPDIR that does not exist, under /proc) Node 24.22 spins forever (as does
// its recursive mkdir there), so the dir is made here, one level, and the cache is only turned on
// once it exists. Never fatal: only slower.
try {
  const { enableCompileCache } = await import("node:module");
  if (enableCompileCache && !process.env.NODE_DISABLE_COMPILE_CACHE) {
    const [{ mkdirSync, statSync }, { tmpdir }, { join }] = await Promise.all([import("node:fs"), import("node:os"), import("node:path")]);
    const dir = join(tmpdir(), "node-compile-cache");
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if (err?.code !== "EEXIST") throw err;
    }
    if (statSync(dir).isDirectory()) enableCompileCache(dir);
  }
} catch {
  // no cache
}
await import("../dist/src/cli.js");
