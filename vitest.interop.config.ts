import { defineConfig } from "vitest/config";

// Runs against a real OpenClaw install (npm openclaw + Node 24); too heavy for CI.
export default defineConfig({
  test: {
    include: ["test/interop/**/*.test.ts"],
    pool: "forks",
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
