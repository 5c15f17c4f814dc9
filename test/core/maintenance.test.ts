import { describe, expect, it } from "vitest";
import { CliError, EXIT, UnreadableError } from "../../src/core/errors.js";
import {
  idleResetConfigured,
  maintenanceSection,
  resolveMaintenancePolicy,
  resolveRunTimeoutMs,
  resolveStaleAfterMs,
} from "../../src/core/maintenance.js";

const DAY = 86_400_000;

describe("resolveMaintenancePolicy", () => {
  it("defaults to era B's enforce / 30d / 500", () => {
    expect(resolveMaintenancePolicy(undefined)).toEqual({
      mode: "enforce",
      pruneAfterMs: 30 * DAY,
      maxEntries: 500,
      apply: true,
      source: { mode: "default", pruneAfter: "default", maxEntries: "default" },
    });
    expect(resolveMaintenancePolicy(undefined, {}, { era: "C" }).maxEntries).toBe(5000);
  });

  it.each([
    [{ pruneAfter: "7d" }, 7 * DAY],
    [{ pruneAfter: "7" }, 7 * DAY],
    [{ pruneAfter: 14 }, 14 * DAY],
    [{ pruneAfter: "1h30m" }, 5_400_000],
    [{ pruneDays: 3 }, 3 * DAY],
    [{ pruneAfter: "2d", pruneDays: 9 }, 2 * DAY],
  ])("reads %j as %i ms (a bare number is days)", (raw, ms) => {
    const r = resolveMaintenancePolicy(raw);
    expect(r.pruneAfterMs).toBe(ms);
    expect(r.source.pruneAfter).toBe("config");
  });

  it("warn mode reports only, unless --enforce", () => {
    expect(resolveMaintenancePolicy({ mode: "warn" })).toMatchObject({ mode: "warn", apply: false });
    expect(resolveMaintenancePolicy({ mode: "warn" }, { enforce: true })).toMatchObject({ mode: "warn", apply: true });
  });

  it("flags override the config", () => {
    const r = resolveMaintenancePolicy(
      { mode: "enforce", pruneAfter: "30d", maxEntries: 100 },
      { mode: "warn", pruneAfter: "12h", maxEntries: "20" },
    );
    expect(r).toMatchObject({ mode: "warn", pruneAfterMs: 12 * 3_600_000, maxEntries: 20, source: { mode: "flag", pruneAfter: "flag", maxEntries: "flag" } });
  });

  it.each([
    [{ mode: "delete" }, /openclaw\.json: session\.maintenance\.mode must be "enforce" or "warn" \(got "delete"\)/],
    [{ pruneAfter: "3 weeks" }, /session\.maintenance\.pruneAfter must be a duration like "30d"/],
    [{ pruneAfter: "0d" }, /pruneAfter must be longer than 0/],
    [{ pruneAfter: true }, /pruneAfter must be a duration/],
    [{ pruneDays: "x" }, /session\.maintenance\.pruneDays must be a duration/],
    [{ maxEntries: 0 }, /maxEntries must be a whole number of at least 1 \(got 0\)/],
    [{ maxEntries: 2.5 }, /maxEntries must be a whole number/],
    [[1, 2], /session\.maintenance must be an object/],
  ])("config %j is refused with a clear message (exit 3)", (raw, message) => {
    let err: unknown;
    try {
      resolveMaintenancePolicy(raw, {}, { configLabel: "/home/op/.openclaw/openclaw.json" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnreadableError);
    expect((err as CliError).exitCode).toBe(EXIT.unknown);
    expect((err as Error).message).toMatch(/^\/home\/op\/\.openclaw\/openclaw\.json: /);
    expect((err as Error).message).toMatch(message);
  });

  it.each([
    [{ mode: "yes" }, /^--mode must be "enforce" or "warn"/],
    [{ pruneAfter: "soon" }, /^--prune-after must be a duration/],
    [{ maxEntries: "-3" }, /^--max-entries must be a whole number/],
    [{ maxEntries: "ten" }, /^--max-entries must be a whole number/],
  ])("flag %j is a usage error (exit 64)", (overrides, message) => {
    expect(() => resolveMaintenancePolicy(undefined, overrides)).toThrow(message);
    try {
      resolveMaintenancePolicy(undefined, overrides);
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect(e).not.toBeInstanceOf(UnreadableError);
      expect((e as CliError).exitCode).toBe(EXIT.usage);
    }
  });

  it("maintenanceSection digs session.maintenance out of a parsed config", () => {
    expect(maintenanceSection({ session: { maintenance: { mode: "warn" } } })).toEqual({ mode: "warn" });
    expect(maintenanceSection({ session: {} })).toBeUndefined();
    expect(maintenanceSection(null)).toBeUndefined();
  });
});

describe("resolveStaleAfterMs", () => {
  it.each([
    [undefined, 600_000],
    ["30", 1_800_000],
    ["90s", 90_000],
    ["1h", 3_600_000],
  ])("%j -> %i ms (a bare number is minutes)", (flag, ms) => expect(resolveStaleAfterMs(flag)).toBe(ms));

  it.each(["0", "abc", "-5m"])("refuses %j", (flag) => expect(() => resolveStaleAfterMs(flag)).toThrow(/^--stale-after must be/));
});

describe("resolveRunTimeoutMs", () => {
  it.each([
    [{}, 172_800_000],
    [{ agents: { defaults: { timeoutSeconds: 3600 } } }, 3_600_000],
    [{ agents: { defaults: { timeoutSeconds: 0 } } }, Number.POSITIVE_INFINITY],
  ])("%j -> %d", (config, ms) => expect(resolveRunTimeoutMs(config)).toBe(ms));

  it("refuses a non-number", () => {
    expect(() => resolveRunTimeoutMs({ agents: { defaults: { timeoutSeconds: "1h" } } }, "cfg.json")).toThrow(
      /^cfg\.json: agents\.defaults\.timeoutSeconds must be a number of seconds/,
    );
  });
});

describe("idleResetConfigured", () => {
  it.each([
    [{}, false],
    [{ session: { reset: { mode: "daily", atHour: 4 } } }, false],
    [{ session: { reset: { mode: "daily", idleMinutes: 120 } } }, true],
    [{ session: { reset: { mode: "idle" } } }, true],
    [{ session: { reset: { idleMinutes: 0 } } }, false],
    [{ session: { resetByType: { group: { idleMinutes: 60 } } } }, true],
    [{ session: { resetByChannel: { discord: { mode: "idle" } } } }, true],
  ])("%j -> %s", (config, on) => expect(idleResetConfigured(config)).toBe(on));
});
