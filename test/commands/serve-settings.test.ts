import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { serveSettings } from "../../src/commands/serve.js";

describe("serve --heartbeat-interval goes through the one duration-flag parser", () => {
  it("defaults to 5s", () => {
    expect(serveSettings({}).heartbeatIntervalMs).toBe(5_000);
  });

  it("reads a period like every other: a bare number is seconds, not milliseconds", () => {
    expect(serveSettings({ heartbeatInterval: "2" }).heartbeatIntervalMs).toBe(2_000);
    expect(serveSettings({ heartbeatInterval: "500ms" }).heartbeatIntervalMs).toBe(500);
    expect(serveSettings({ heartbeatInterval: "1m30s" }).heartbeatIntervalMs).toBe(90_000);
  });

  it.each([
    ["soon", '--heartbeat-interval must be a duration like 60, 0.5, 90s or 2m (a bare number is seconds) (got "soon")'],
    ["50ms", '--heartbeat-interval must be at least 100ms (got "50ms")'],
    ["0", '--heartbeat-interval must be at least 100ms (got "0")'],
  ])("refuses %j as a usage error saying what it takes", (text, message) => {
    expect(() => serveSettings({ heartbeatInterval: text })).toThrow(UsageError);
    expect(() => serveSettings({ heartbeatInterval: text })).toThrow(message);
  });
});
