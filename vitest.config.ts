import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: ["test/interop/**", "node_modules/**"],
    // Worker threads, not forked processes: the same test files (test/core, test/ui,
    // test/commands) took 37 s of CPU instead of 52 s, mostly module loading per file. Nothing
    // here needs a process of its own: the built CLI and every lock owner or gateway are spawned.
    pool: "threads",
    // vitest's default is one worker less than the CPUs: ONE on a 2-core machine. Most e2e time is
    // spent waiting for spawned processes, so a second worker overlaps those waits.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
