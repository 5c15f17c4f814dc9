// Preload (NODE_OPTIONS=--require) that makes Node 24, which loads node:sqlite silently, warn as
// Node 22 does when node:sqlite first loads: process.emitWarning(..., "ExperimentalWarning"),
// synchronously, while the module loads. Without it the built-CLI test of our warning filter
// (src/store/sqlite/node-sqlite.ts) could not fail on the Node the suite runs on.
const Module = require("node:module");

const load = Module._load;
let warned = false;
Module._load = function (request, ...rest) {
  if (!warned && (request === "node:sqlite" || request === "sqlite")) {
    warned = true;
    process.emitWarning("SQLite is an experimental feature and might change at any time", "ExperimentalWarning");
  }
  return load.call(this, request, ...rest);
};
