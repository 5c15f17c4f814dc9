// Reads openclaw.json (JSON5) and exposes the few keys this tool honours. Values stay raw
// (e.g. "30d" or 30): src/core/duration.ts parses them, so the decisions stay in pure code.
import fs from "node:fs";
import { createRequire } from "node:module";
import { formatDuration } from "../core/duration.js";
import { UnreadableError } from "../core/errors.js";
import { resolveRunTimeoutMs } from "../core/maintenance.js";
import { DEFAULT_RUN_TIMEOUT_MS, stuckSessionWarnMsProblem } from "../core/thresholds.js";
import type { Evidence } from "../core/types.js";
import { expandUserPath, type Env } from "./locate.js";
import { NotRegularFileError, readRegularFileSync } from "./regular-file.js";

export type OpenClawConfig = Record<string, unknown>;
/** A duration as written in the config: "30d", "1h30m", or a bare number. */
export type RawDuration = string | number;

export interface LoadedConfig {
  config: OpenClawConfig;
  /** the file existed */
  found: boolean;
  warnings: string[];
}

export const DEFAULT_GATEWAY_PORT = 18789;

export function loadConfig(configPath: string): LoadedConfig {
  let text: string;
  try {
    const bytes = readRegularFileSync(configPath);
    // A missing config is normal: OpenClaw runs on its defaults.
    if (!bytes) return { config: {}, found: false, warnings: [] };
    // JSON5 (OpenClaw's parser for this file) skips a leading byte-order mark, and so do we
    text = bytes.toString("utf8");
  } catch (err) {
    if (err instanceof NotRegularFileError) throw new UnreadableError(`cannot read config: ${err.message} (point OPENCLAW_CONFIG_PATH at the file)`);
    throw new UnreadableError(`cannot read config ${configPath}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? {} : parseJson5(text);
  } catch (err) {
    const e = err as Error & { lineNumber?: number; columnNumber?: number };
    const where = e.lineNumber !== undefined ? ` at ${e.lineNumber}:${e.columnNumber ?? 0}` : "";
    const why = e.message.replace(/^JSON5: /, "").replace(/ at \d+:\d+$/, "");
    throw new UnreadableError(`cannot parse config ${configPath}${where}: ${why} (fix the file or point OPENCLAW_CONFIG_PATH elsewhere)`);
  }
  if (!isRecord(parsed)) {
    throw new UnreadableError(`cannot use config ${configPath}: the top level is not an object`);
  }
  const warnings = findIncludes(parsed).map(
    (at) => `${configPath}: "$include" at ${at || "top level"} is not followed; settings from included files are not seen`,
  );
  warnings.push(...thresholdWarnings(parsed, configPath));
  return { config: parsed, found: true, warnings };
}

/**
 * The keys every verdict is judged with (store/thresholds.ts) that are set but not usable as
 * written, and what is used instead: without this they fell back to OpenClaw's defaults without a
 * word (cleanup refuses a bad timeout where it decides a write; every command says it here).
 */
function thresholdWarnings(config: OpenClawConfig, configPath: string): string[] {
  const warnings: string[] = [];
  const stuck = stuckSessionWarnMsProblem(stuckSessionWarnMs(config));
  if (stuck) warnings.push(`${configPath}: ${stuck}`);
  try {
    resolveRunTimeoutMs(config, configPath);
  } catch (err) {
    warnings.push(`${(err as Error).message}: status, watch, serve and keepalive judge runs against OpenClaw's default ${formatDuration(DEFAULT_RUN_TIMEOUT_MS)}; cleanup refuses to run until it is fixed`);
  }
  return warnings;
}

function findIncludes(value: unknown, at = ""): string[] {
  if (!isRecord(value)) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === "$include") out.push(at);
    else out.push(...findIncludes(child, at ? `${at}.${key}` : key));
  }
  return out;
}

/**
 * JSON5.parse, with json5 loaded only for text that is not plain JSON: OpenClaw writes its config
 * as plain JSON, which JSON.parse reads to the same value (JSON5 is a superset; json5 >= 2.2.2
 * also keeps a `__proto__` key as an own property), and loading json5 is ~10 ms of every command's
 * start-up. A byte-order mark, a comment or a trailing comma fail JSON.parse and go to json5,
 * whose error messages are the ones reported.
 */
function parseJson5(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const JSON5 = createRequire(import.meta.url)("json5") as { parse(text: string): unknown };
    return JSON5.parse(text);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at a dotted path, or undefined when any step is missing or not an object. */
export function getPath(config: OpenClawConfig, dotted: string): unknown {
  let cur: unknown = config;
  for (const key of dotted.split(".")) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function rawDuration(v: unknown): RawDuration | undefined {
  return typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** session.store with {agentId} substituted and ~ expanded; undefined = the default path. */
export function sessionStorePath(config: OpenClawConfig, agentId: string, env: Env = process.env): string | undefined {
  const store = str(getPath(config, "session.store"))?.trim();
  if (!store) return undefined;
  return expandUserPath(store.replaceAll("{agentId}", agentId), env);
}

/** session.store names one file for every agent (no {agentId} in it): its keys say whose each session is. */
export function sessionStoreShared(config: OpenClawConfig): boolean {
  const store = str(getPath(config, "session.store"))?.trim();
  return !!store && !store.includes("{agentId}");
}

export interface MaintenanceConfig {
  mode?: string;
  pruneAfter?: RawDuration;
  maxEntries?: number;
}

export function maintenanceConfig(config: OpenClawConfig): MaintenanceConfig {
  return {
    mode: str(getPath(config, "session.maintenance.mode")),
    pruneAfter: rawDuration(getPath(config, "session.maintenance.pruneAfter")),
    maxEntries: num(getPath(config, "session.maintenance.maxEntries")),
  };
}

export interface ResetConfig {
  mode?: string;
  atHour?: number;
  idleMinutes?: number;
}

export function resetConfig(config: OpenClawConfig): ResetConfig {
  return {
    mode: str(getPath(config, "session.reset.mode")),
    atHour: num(getPath(config, "session.reset.atHour")),
    idleMinutes: num(getPath(config, "session.reset.idleMinutes")),
  };
}

export function stuckSessionWarnMs(config: OpenClawConfig): unknown {
  return getPath(config, "diagnostics.stuckSessionWarnMs");
}

export function agentTimeoutSeconds(config: OpenClawConfig): number | undefined {
  return num(getPath(config, "agents.defaults.timeoutSeconds"));
}

/** agents.list[].id, as written (validation happens in agents.ts). */
export function configuredAgentIds(config: OpenClawConfig): string[] {
  const list = getPath(config, "agents.list");
  if (!Array.isArray(list)) return [];
  return list.flatMap((a) => (isRecord(a) && typeof a.id === "string" ? [a.id] : []));
}

/** A model setting as OpenClaw accepts it: "provider/model", or `{ primary: "provider/model", fallbacks }`. */
function primaryModel(v: unknown): string | undefined {
  const model = typeof v === "string" ? v : isRecord(v) ? str(v.primary) : undefined;
  return model?.trim() || undefined;
}

/**
 * The model OpenClaw runs an agent's session on when the session names none: the agent's own
 * `agents.list[].model`, else `agents.defaults.model`.
 */
export function configuredModel(config: OpenClawConfig, agentId: string): Evidence["configuredModel"] {
  const list = getPath(config, "agents.list");
  const own = Array.isArray(list) ? list.find((a) => isRecord(a) && a.id === agentId) : undefined;
  const fromAgent = isRecord(own) ? primaryModel(own.model) : undefined;
  if (fromAgent) return { model: fromAgent, from: "agent-config" };
  const fromDefaults = primaryModel(getPath(config, "agents.defaults.model"));
  return fromDefaults ? { model: fromDefaults, from: "default-config" } : undefined;
}

/** meta.lastTouchedVersion: the OpenClaw version that last wrote the config, e.g. "2026.4.26". */
export function lastTouchedVersion(config: OpenClawConfig): string | undefined {
  return str(getPath(config, "meta.lastTouchedVersion"));
}

/** $OPENCLAW_GATEWAY_PORT (a port or host:port), else gateway.port, else 18789 (19001 for --profile dev). */
export function gatewayPort(config: OpenClawConfig, env: Env = process.env, profile?: string): number {
  const fromEnv = parsePortEnv(env.OPENCLAW_GATEWAY_PORT);
  if (fromEnv !== undefined) return fromEnv;
  const fromConfig = num(getPath(config, "gateway.port"));
  if (fromConfig !== undefined && fromConfig > 0) return fromConfig;
  // OpenClaw's `--profile dev` exports OPENCLAW_GATEWAY_PORT=19001 when unset.
  if (profile?.trim() === "dev") return 19001;
  return DEFAULT_GATEWAY_PORT;
}

function parsePortEnv(raw: string | undefined): number | undefined {
  const t = raw?.trim();
  if (!t) return undefined;
  const m = /^(?:\[[^\]]+\]:|[^:[\]]+:)?(\d+)$/.exec(t);
  if (!m) return undefined;
  const port = Number(m[1]);
  return port >= 1 && port <= 65535 ? port : undefined;
}
