import { Command, Option } from "commander";

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
    .option("--state-dir <dir>", "OpenClaw state dir (default: $OPENCLAW_STATE_DIR, else ~/.openclaw)")
    .option("--store <file>", "read this sessions.json only")
    .option("--agent <id>", "only this agent's sessions")
    .option("--all-agents", "every agent's sessions (the default)")
    .option("--profile <name>", "OpenClaw profile: state dir ~/.openclaw-<name>")
    .addOption(new Option("--no-color", "no colour (also: NO_COLOR=1)"));
}

export function pickStoreOptions(opts: Record<string, unknown>): StoreOptions {
  return {
    stateDir: opts.stateDir as string | undefined,
    store: opts.store as string | undefined,
    agent: opts.agent as string | undefined,
    allAgents: opts.allAgents as boolean | undefined,
    profile: opts.profile as string | undefined,
  };
}
