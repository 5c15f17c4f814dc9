import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // Interop files need a real OpenClaw (npm run test:interop); their *.unit.test.ts files do not.
    exclude: ["test/interop/**/!(*.unit).test.ts", "node_modules/**"],
    // Worker threads, not forked processes: the same test files (test/core, test/ui,
    // test/commands) took 37 s of CPU instead of 52 s, mostly module loading per file. Nothing
    // here needs a process of its own: the built CLI and every lock owner or gateway are spawned.
    pool: "threads",
    // vitest's default is one worker less than the CPUs: ONE on a 2-core machine. Most e2e time is
    // spent waiting for spawned processes, so a second worker overlaps those waits.
    maxWorkers: 2,
    // Files share their worker's module graph instead of each loading its own: test/core, ui,
    // server and gateway took 23 s of CPU instead of 44 s (mostly imports: 6.7 s instead of
    // 24 s), and tests ran faster on code already compiled. No file depends on a fresh module
    // state: fake timers and env changes are undone in afterEach, and the command tests read
    // which modules a command loads from the source, not from the module cache.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
