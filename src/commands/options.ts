import { Command, Option } from "commander";
import { UsageError } from "../core/errors.js";

/** Options every command accepts to find the stores, as OpenClaw finds them. */
export interface StoreOptions {
  stateDir?: string;
  store?: string;
  agent?: string;
  allAgents?: boolean;
  profile?: string;
}

export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option("--state-dir <dir>", "OpenClaw state dir (default: $OPENCLAW_STATE_DIR, else <home>/.openclaw with home $OPENCLAW_HOME or $HOME, else a legacy ~/.clawdbot when only that exists)")
    .option("--store <file>", "read this store only: a sessions.json, or an OpenClaw 2026.8+ openclaw-agent.sqlite")
    .option("--agent <id>", "only this agent's sessions")
    .option("--all-agents", "every agent's sessions (the default)")
    .option("--profile <name>", "OpenClaw profile: state dir ~/.openclaw-<name>")
    .addOption(new Option("--no-color", "no colour (also: NO_COLOR=1)"));
}

/** The store options, refused (usage, 64) when they contradict each other, before anything is read. */
export function pickStoreOptions(opts: Record<string, unknown>): StoreOptions {
  refuseTogether(opts, ["agent", "--agent"], ["allAgents", "--all-agents"], "--agent picks one agent, --all-agents every agent: use one");
  refuseTogether(opts, ["store", "--store"], ["agent", "--agent"], "--store reads that one file, whatever its agent: drop --agent");
  refuseTogether(opts, ["store", "--store"], ["allAgents", "--all-agents"], "--store reads that one file only: drop --all-agents");
  return {
    stateDir: opts.stateDir as string | undefined,
    store: opts.store as string | undefined,
    agent: opts.agent as string | undefined,
    allAgents: opts.allAgents as boolean | undefined,
    profile: opts.profile as string | undefined,
  };
}

/** Two flags that say opposite things: one line naming both and what to do. */
export function refuseTogether(opts: Record<string, unknown>, a: [string, string], b: [string, string], advice: string): void {
  const given = (v: unknown) => v !== undefined && v !== false;
  if (given(opts[a[0]]) && given(opts[b[0]])) throw new UsageError(`${a[1]} and ${b[1]} contradict each other: ${advice}`);
}

/**
 * The one validator of whole-number flags: `text` as given on the command line, decimal digits
 * only (Number() also reads "", " 81", "0x1F90", "1e3" and "0b101"), within [min, max].
 */
export function wholeNumberFlag(flag: string, text: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
  const n = typeof text === "string" && /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.POSITIVE_INFINITY ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} takes a whole number ${range} (got "${String(text)}")`);
  }
  return n;
}
