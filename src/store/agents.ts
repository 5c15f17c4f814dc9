// Which session stores to read: every agent OpenClaw knows (config and disk), one agent
// (--agent), or one index file (--store).
import fs from "node:fs";
import path from "node:path";
import type { StoreOptions } from "../commands/options.js";
import { CliError, EXIT, UnreadableError } from "../core/errors.js";
import { configuredAgentIds, sessionStorePath, type OpenClawConfig } from "./config.js";
import { agentDbPath, probeAgentDb } from "./era.js";
import { expandUserPath, placeOfStoreFile, type Env } from "./locate.js";

export const DEFAULT_AGENT_ID = "main";
const VALID_AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function isValidAgentId(id: string): boolean {
  return VALID_AGENT_ID.test(id);
}

/** OpenClaw's normalizeAgentId: lowercase, invalid runs -> "-", trimmed dashes, "main" if empty. */
export function normalizeAgentId(value: string | undefined): string {
  const trimmed = (value ?? "").trim();
  if (!trimmed) return DEFAULT_AGENT_ID;
  const lower = trimmed.toLowerCase();
  if (VALID_AGENT_ID.test(lower)) return lower;
  return (
    lower
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+/, "")
      .replace(/-+$/, "")
      .slice(0, 64) || DEFAULT_AGENT_ID
  );
}

/** Agent dirs under <stateDir>/agents with valid ids (others are not OpenClaw's). */
export function agentIdsOnDisk(stateDir: string): string[] {
  try {
    return fs
      .readdirSync(path.join(stateDir, "agents"), { withFileTypes: true })
      .filter((e) => e.isDirectory() && isValidAgentId(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Config agents first (their order), then the ones only found on disk; "main" when none. */
export function listAgentIds(stateDir: string, config: OpenClawConfig): string[] {
  const ids = new Set<string>();
  for (const id of configuredAgentIds(config)) ids.add(normalizeAgentId(id));
  for (const id of agentIdsOnDisk(stateDir)) ids.add(id);
  if (ids.size === 0) ids.add(DEFAULT_AGENT_ID);
  return [...ids];
}

export function defaultStorePath(stateDir: string, agentId: string): string {
  return path.join(stateDir, "agents", agentId, "sessions", "sessions.json");
}

/** agents/<id>/sessions/sessions.json or agents/<id>/agent/openclaw-agent.sqlite -> <id>; anything else -> "main" (OpenClaw's default). */
export function agentIdFromStorePath(storePath: string): string {
  const id = placeOfStoreFile(storePath)?.agentId;
  return id !== undefined && isValidAgentId(id) ? id : DEFAULT_AGENT_ID;
}

export interface StoreTarget {
  agentId: string;
  /** the sessions.json path (it may not exist) */
  storePath: string;
  /** named explicitly by --agent or --store: a missing index is worth a warning */
  explicit: boolean;
}

/** The stores selected by the options. Paths are not checked here (era and existence come later). */
export function selectStores(stateDir: string, config: OpenClawConfig, opts: StoreOptions, env: Env = process.env): StoreTarget[] {
  if (opts.store) {
    if (opts.agent) throw new CliError("use either --store or --agent, not both", EXIT.usage);
    const storePath = expandUserPath(opts.store, env);
    if (!fs.existsSync(storePath)) throw new UnreadableError(`no session index at ${storePath} (check --store)`);
    return [{ agentId: agentIdFromStorePath(storePath), storePath, explicit: true }];
  }
  const pathFor = (agentId: string) => sessionStorePath(config, agentId, env) ?? defaultStorePath(stateDir, agentId);
  if (opts.agent) {
    const agentId = normalizeAgentId(opts.agent);
    return [{ agentId, storePath: pathFor(agentId), explicit: true }];
  }
  // A session.store without {agentId} makes every JSON-era agent share one file: read it once, as
  // the first such agent's. An era C agent keeps its own database whatever session.store says.
  const all = listAgentIds(stateDir, config).map((agentId) => ({ agentId, storePath: pathFor(agentId), explicit: false }));
  const uses = new Map<string, number>();
  for (const t of all) uses.set(t.storePath, (uses.get(t.storePath) ?? 0) + 1);
  const seen = new Set<string>();
  return all.filter((t) => {
    if (uses.get(t.storePath) === 1) return true;
    // an agent database that has sessions, or cannot be read (it may have), keeps its own store
    const db = probeAgentDb(agentDbPath(stateDir, t.agentId)).kind;
    if (db === "has" || db === "unreadable") return true;
    if (seen.has(t.storePath)) return false;
    seen.add(t.storePath);
    return true;
  });
}
