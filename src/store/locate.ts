// Finds the state dir and config file exactly the way OpenClaw 2026.7 does
// (src/config/paths.ts, src/infra/home-dir.ts, src/cli/profile.ts in its source), so that
// `openclaw-sessions` with no options looks at the same files as `openclaw` itself.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type Env = Record<string, string | undefined>;

export interface LocateOptions {
  stateDir?: string;
  profile?: string;
  /** --store: a store inside an agents tree belongs to that tree's state dir (and its config) */
  store?: string;
}

export interface Located {
  stateDir: string;
  configPath: string;
  /** how the state dir was chosen, for error messages and `--json` */
  source: "option" | "store" | "env" | "profile" | "default" | "legacy";
}

const LEGACY_STATE_DIRNAMES = [".clawdbot"];
const LEGACY_CONFIG_FILENAMES = ["clawdbot.json"];

function clean(value: string | undefined): string | undefined {
  const v = value?.trim();
  // OpenClaw treats the strings "undefined"/"null" (from careless shell exports) as unset.
  return v && v !== "undefined" && v !== "null" ? v : undefined;
}

/** OpenClaw's home: $OPENCLAW_HOME (may start with ~), else $HOME, else os.homedir(). */
export function resolveHome(env: Env = process.env): string {
  const osHome = clean(env.HOME) ?? clean(env.USERPROFILE) ?? clean(os.homedir()) ?? process.cwd();
  const explicit = clean(env.OPENCLAW_HOME);
  if (!explicit) return path.resolve(osHome);
  return path.resolve(explicit.replace(/^~(?=$|[\\/])/, osHome));
}

/** Expands a leading `~` against OpenClaw's home and makes the path absolute. */
export function expandUserPath(input: string, env: Env = process.env): string {
  const trimmed = input.trim();
  if (trimmed.startsWith("~")) return path.resolve(trimmed.replace(/^~(?=$|[\\/])/, resolveHome(env)));
  return path.resolve(trimmed);
}

function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

export function locateStateDir(opts: LocateOptions = {}, env: Env = process.env): Omit<Located, "configPath"> {
  if (clean(opts.stateDir)) return { stateDir: expandUserPath(opts.stateDir!, env), source: "option" };
  // `--store <dir>/agents/<id>/sessions/sessions.json` (or `.../agent/openclaw-agent.sqlite`) names
  // its state dir: its config, gateway and locks are that dir's, whatever OPENCLAW_STATE_DIR says
  const store = clean(opts.store) ? expandUserPath(opts.store!, env) : undefined;
  const tree = store ? placeOfStoreFile(store)?.stateDir : undefined;
  if (tree) return { stateDir: tree, source: "store" };
  const override = clean(env.OPENCLAW_STATE_DIR);
  // OpenClaw's --profile only fills OPENCLAW_STATE_DIR when it is unset: the env var wins.
  if (override) return { stateDir: expandUserPath(override, env), source: "env" };
  const home = resolveHome(env);
  const profile = clean(opts.profile);
  if (profile && profile.toLowerCase() !== "default") {
    return { stateDir: path.join(home, `.openclaw-${profile}`), source: "profile" };
  }
  const newDir = path.join(home, ".openclaw");
  if (profile || exists(newDir)) return { stateDir: newDir, source: profile ? "profile" : "default" };
  for (const name of LEGACY_STATE_DIRNAMES) {
    const legacy = path.join(home, name);
    if (exists(legacy)) return { stateDir: legacy, source: "legacy" };
  }
  return { stateDir: newDir, source: "default" };
}

/** $OPENCLAW_CONFIG_PATH, else <stateDir>/openclaw.json (or a legacy clawdbot.json that exists). */
export function locateConfigPath(stateDir: string, env: Env = process.env): string {
  const override = clean(env.OPENCLAW_CONFIG_PATH);
  if (override) return expandUserPath(override, env);
  const canonical = path.join(stateDir, "openclaw.json");
  if (exists(canonical)) return canonical;
  for (const name of LEGACY_CONFIG_FILENAMES) {
    const legacy = path.join(stateDir, name);
    if (exists(legacy)) return legacy;
  }
  return canonical;
}

export function locate(opts: LocateOptions = {}, env: Env = process.env): Located {
  const { stateDir, source } = locateStateDir(opts, env);
  return { stateDir, source, configPath: locateConfigPath(stateDir, env) };
}

/**
 * Where a file sits in an OpenClaw agents tree: `<stateDir>/agents/<agentId>/<dir>/<file>`, with
 * `dir` `sessions` (a sessions.json) or `agent` (an era C openclaw-agent.sqlite). undefined for a
 * file elsewhere (a copy, a backup). The one place that reads a state dir and agent id off a path.
 * A path through a symlinked dir (`--store ~/link/sessions.json`, link -> an agent's sessions dir)
 * is placed where the dir really is: that file is the tree's, with its agent database and config
 * beside it, which decide whether it may be written at all.
 */
export function placeInAgentsTree(file: string, dir: "sessions" | "agent"): { stateDir: string; agentId: string } | undefined {
  const given = path.resolve(file);
  const place = placeByName(given, dir);
  if (place) return place;
  // a link to the file itself, or a path through a linked dir (the file may not exist yet)
  for (const real of [realpathOrNone(given), realDirOf(given)]) {
    if (real && real !== given) {
      const found = placeByName(real, dir);
      if (found) return found;
    }
  }
  return undefined;
}

function realpathOrNone(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

function realDirOf(file: string): string | undefined {
  const dir = realpathOrNone(path.dirname(file));
  return dir === undefined ? undefined : path.join(dir, path.basename(file));
}

function placeByName(file: string, dir: "sessions" | "agent"): { stateDir: string; agentId: string } | undefined {
  const parent = path.dirname(file);
  const idDir = path.dirname(parent);
  const agentsDir = path.dirname(idDir);
  if (path.basename(parent) !== dir || path.basename(agentsDir) !== "agents") return undefined;
  return { stateDir: path.dirname(agentsDir), agentId: path.basename(idDir) };
}

/** A store file of either kind (a sessions.json or an agent database) placed in an agents tree. */
export function placeOfStoreFile(file: string): { stateDir: string; agentId: string } | undefined {
  return placeInAgentsTree(file, "sessions") ?? placeInAgentsTree(file, "agent");
}
