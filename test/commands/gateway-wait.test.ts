import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { gatewayWaitMs } from "../../src/commands/status-gateway.js";

describe("--gateway-wait goes through the one duration-flag parser", () => {
  it("reads a period: a bare number is seconds", () => {
    expect(gatewayWaitMs("2")).toBe(2_000);
    expect(gatewayWaitMs("500ms")).toBe(500);
    expect(gatewayWaitMs("1m")).toBe(60_000);
  });

  it.each([
    ["soon", '--gateway-wait must be a duration like 60, 0.5, 90s or 2m (a bare number is seconds) (got "soon")'],
    ["0", '--gateway-wait must be longer than 0 (got "0")'],
    ["11m", '--gateway-wait must be at most 10m00s (got "11m")'],
  ])("refuses %j as a usage error saying what it takes", (text, message) => {
    expect(() => gatewayWaitMs(text)).toThrow(UsageError);
    expect(() => gatewayWaitMs(text)).toThrow(message);
  });
});
