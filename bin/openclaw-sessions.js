#!/usr/bin/env node
// chalk ignores NO_COLOR and reads FORCE_COLOR once at load: map both before anything imports it.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "" || process.argv.includes("--no-color")) {
  process.env.FORCE_COLOR = "0";
}
await import("../dist/src/cli.js");
