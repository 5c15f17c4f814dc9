#!/usr/bin/env node
// chalk ignores NO_COLOR and reads FORCE_COLOR once at load: map both before anything imports it.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "" || process.argv.includes("--no-color")) {
  process.env.FORCE_COLOR = "0";
}
// Node >= 22.1 caches compiled modules (under os.tmpdir(); NODE_DISABLE_COMPILE_CACHE=1 turns it
// off): most of a command's start-up is compiling them. A cache that cannot be written is only slower.
try {
  (await import("node:module")).enableCompileCache?.();
} catch {
  // never fatal
}
await import("../dist/src/cli.js");
