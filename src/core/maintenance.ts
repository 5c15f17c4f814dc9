// The cleanup / finalize / keepalive settings, resolved from raw `openclaw.json` values and CLI
// flags. Config errors are UnreadableError (exit 3, naming the config file and key); flag errors
// are usage errors (exit 64). Unlike the gateway, which silently falls back to defaults on a bad
// pruneAfter, we refuse: a tool that deletes entries must not guess what the user meant.

import { parseDuration, parseDurationFlag } from "./duration.js";
import { CliError, EXIT, UnreadableError } from "./errors.js";
import { DEFAULT_RUN_TIMEOUT_MS, DEFAULT_STALE_AFTER_MS } from "./thresholds.js";
import type { Era } from "./types.js";

export { DEFAULT_RUN_TIMEOUT_MS, DEFAULT_STALE_AFTER_MS };

export type MaintenanceMode = "enforce" | "warn";

export interface MaintenancePolicy {
  mode: MaintenanceMode;
  pruneAfterMs: number;
  maxEntries: number;
}

export type SettingSource = "default" | "config" | "flag";

export interface ResolvedMaintenance extends MaintenancePolicy {
  /** false = warn mode without --enforce: report only, change nothing */
  apply: boolean;
  source: { mode: SettingSource; pruneAfter: SettingSource; maxEntries: SettingSource };
}

export interface MaintenanceOverrides {
  mode?: string;
  pruneAfter?: string | number;
  maxEntries?: string | number;
  /** `--enforce`: apply even when the mode is warn (as `openclaw sessions cleanup --enforce`) */
  enforce?: boolean;
}

export const MAINTENANCE_DEFAULTS: Readonly<MaintenancePolicy> = {
  mode: "enforce",
  pruneAfterMs: 30 * 86_400_000,
  maxEntries: 500,
};
/** era C (SQLite) raised the cap */
export const ERA_C_MAX_ENTRIES = 5000;

interface Where {
  /** the config file, for messages */
  configLabel: string;
}

function configError(where: Where, key: string, problem: string): UnreadableError {
  return new UnreadableError(`${where.configLabel}: session.maintenance.${key} ${problem}`);
}

function flagError(flag: string, problem: string): CliError {
  return new CliError(`${flag} ${problem}`, EXIT.usage);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `session.maintenance` of a parsed openclaw.json (undefined when absent). */
export function maintenanceSection(config: unknown): unknown {
  if (!isRecord(config) || !isRecord(config.session)) return undefined;
  return config.session.maintenance;
}

function readMode(value: unknown, fail: (problem: string) => CliError): MaintenanceMode {
  const text = typeof value === "string" ? value.trim().toLowerCase() : undefined;
  if (text === "enforce" || text === "warn") return text;
  throw fail(`must be "enforce" or "warn" (got ${JSON.stringify(value)})`);
}

/** OpenClaw's duration syntax with a bare number meaning DAYS; must be > 0. */
function readPruneAfter(value: unknown, fail: (problem: string) => CliError): number {
  if (typeof value !== "string" && typeof value !== "number") {
    throw fail(`must be a duration like "30d", "12h" or a number of days (got ${JSON.stringify(value)})`);
  }
  let ms: number;
  try {
    ms = parseDuration(value, "d");
  } catch {
    throw fail(`must be a duration like "30d", "12h" or a number of days (got ${JSON.stringify(value)})`);
  }
  if (!(ms > 0)) throw fail(`must be longer than 0 (got ${JSON.stringify(value)})`);
  return ms;
}

function readMaxEntries(value: unknown, fail: (problem: string) => CliError): number {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) {
    throw fail(`must be a whole number of at least 1 (got ${JSON.stringify(value)})`);
  }
  return n;
}

/**
 * Policy = defaults (era B: enforce, 30d, 500; era C cap 5000) <- `session.maintenance` <- flags.
 * `raw` is the `session.maintenance` value (see maintenanceSection); `pruneDays` is read when
 * `pruneAfter` is absent, as OpenClaw does.
 */
export function resolveMaintenancePolicy(
  raw: unknown,
  overrides: MaintenanceOverrides = {},
  opts: { era?: Era; configLabel?: string } = {},
): ResolvedMaintenance {
  const where: Where = { configLabel: opts.configLabel ?? "openclaw.json" };
  if (raw !== undefined && raw !== null && !isRecord(raw)) {
    throw new UnreadableError(`${where.configLabel}: session.maintenance must be an object (got ${JSON.stringify(raw)})`);
  }
  const cfg = (raw ?? {}) as Record<string, unknown>;
  const policy: MaintenancePolicy = {
    ...MAINTENANCE_DEFAULTS,
    maxEntries: opts.era === "C" ? ERA_C_MAX_ENTRIES : MAINTENANCE_DEFAULTS.maxEntries,
  };
  const source: ResolvedMaintenance["source"] = { mode: "default", pruneAfter: "default", maxEntries: "default" };

  if (cfg.mode !== undefined) {
    policy.mode = readMode(cfg.mode, (p) => configError(where, "mode", p));
    source.mode = "config";
  }
  const pruneKey = cfg.pruneAfter !== undefined ? "pruneAfter" : cfg.pruneDays !== undefined ? "pruneDays" : undefined;
  if (pruneKey) {
    policy.pruneAfterMs = readPruneAfter(cfg[pruneKey], (p) => configError(where, pruneKey, p));
    source.pruneAfter = "config";
  }
  if (cfg.maxEntries !== undefined) {
    policy.maxEntries = readMaxEntries(cfg.maxEntries, (p) => configError(where, "maxEntries", p));
    source.maxEntries = "config";
  }

  if (overrides.mode !== undefined) {
    policy.mode = readMode(overrides.mode, (p) => flagError("--mode", p));
    source.mode = "flag";
  }
  if (overrides.pruneAfter !== undefined) {
    policy.pruneAfterMs = parseDurationFlag("--prune-after", overrides.pruneAfter, "unit-required");
    source.pruneAfter = "flag";
  }
  if (overrides.maxEntries !== undefined) {
    policy.maxEntries = readMaxEntries(overrides.maxEntries, (p) => flagError("--max-entries", p));
    source.maxEntries = "flag";
  }
  return { ...policy, apply: policy.mode === "enforce" || overrides.enforce === true, source };
}

/** `--stale-after`: an age (bare number = minutes); must be > 0. */
export function resolveStaleAfterMs(flag: string | number | undefined): number {
  if (flag === undefined) return DEFAULT_STALE_AFTER_MS;
  return parseDurationFlag("--stale-after", flag, "age");
}

/**
 * Whole-run timeout from `agents.defaults.timeoutSeconds` of a parsed openclaw.json. 0 means no
 * timeout in OpenClaw: we then never finalize a run for its age alone (Infinity).
 */
export function resolveRunTimeoutMs(config: unknown, configLabel = "openclaw.json"): number {
  const agents = isRecord(config) && isRecord(config.agents) ? config.agents : undefined;
  const defaults = agents && isRecord(agents.defaults) ? agents.defaults : undefined;
  const raw = defaults?.timeoutSeconds;
  if (raw === undefined || raw === null) return DEFAULT_RUN_TIMEOUT_MS;
  if (typeof raw !== "number" || !Number.isFinite(raw) || raw < 0) {
    throw new UnreadableError(`${configLabel}: agents.defaults.timeoutSeconds must be a number of seconds (got ${JSON.stringify(raw)})`);
  }
  return raw === 0 ? Number.POSITIVE_INFINITY : raw * 1000;
}

/**
 * Is OpenClaw's idle reset configured anywhere (session.reset, resetByType, resetByChannel)?
 * Idle reset is the only reader of `lastInteractionAt`, so keepalive writes that field only then
 * (or when the entry already carries it).
 */
export function idleResetConfigured(config: unknown): boolean {
  const session = isRecord(config) && isRecord(config.session) ? config.session : undefined;
  if (!session) return false;
  const hasIdle = (r: unknown) =>
    isRecord(r) && ((typeof r.idleMinutes === "number" && r.idleMinutes > 0) || r.mode === "idle");
  // legacy `session.idleMinutes` still sets the idle expiry in 2026.7.1 (reset-policy.ts)
  if (hasIdle(session.reset) || hasIdle({ idleMinutes: session.idleMinutes })) return true;
  for (const group of [session.resetByType, session.resetByChannel]) {
    if (isRecord(group) && Object.values(group).some(hasIdle)) return true;
  }
  return false;
}
