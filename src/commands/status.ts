import { Command, Option } from "commander";
import { formatDuration, parseDurationFlag } from "../core/duration.js";
import { CliError, EXIT } from "../core/errors.js";
import { gatewayWanted } from "../gateway/wanted.js";
import { filterHeartbeats, parseSort, sortHeartbeats, type SortSpec } from "../core/order.js";
import type { Heartbeat } from "../core/types.js";
import { heartbeatJson } from "../ui/heartbeat-json.js";
import { jsonLine, MappedItems } from "../ui/json-chunks.js";
import { nothingToActOn, unreadStoreMessage } from "../ui/messages.js";
import { clockOverride, collect, readHeartbeatView, writeChunks } from "./heartbeats.js";
import { processIo, terminalColumns, type CommandContext, type Io } from "./io.js";
import { addStoreOptions, pickStoreOptions, wholeNumberFlag, type StoreOptions } from "./options.js";
import { gatewayWaitMs, listenToGateway, type GatewayReport } from "./status-gateway.js";

export const STATUS_SCHEMA_VERSION = 1;

const EXIT_HELP = `
Exit codes:
  0   shown; --check: every session fine
  1   --check: a session is stalled (warning)
  2   --check: a session is unresponsive (critical), even when another store could not be read
  3   unknown: a state dir, config or store that cannot be read (the other stores are still
      shown; nothing is written), or --check with nothing to check (no session store found: an
      empty state dir, --agent naming no agent)
  64  bad usage (an unknown flag, a bad value, contradicting flags)
  69  --gateway: the gateway refused this tool (its secret, its protocol, a pairing to approve),
      or our device identity cannot be read or written`;

export function register(program: Command, ctx: CommandContext = { io: processIo(), exit: (c) => (process.exitCode = c) }): void {
  const cmd = program
    .command("status")
    .description("show every session's real state: derived from transcripts, trajectories and locks, not the index alone")
    .option("--json", "machine-readable output (schemaVersion 1, epoch ms)")
    .option("--check", "monitoring exit code: 0 fine, 1 stalled, 2 unresponsive, 3 unknown (a store could not be read, unless 2 applies) or nothing to check (no session index found)")
    .option("--active <duration>", "only sessions with a run in progress or activity this recently (bare number = minutes, e.g. 5 or 90s)", (v) => parseDurationFlag("--active", v, "age"))
    .option("--problems", "only stalled and unresponsive sessions")
    .option("--sort <field[:dir]>", "activity|elapsed|session|agent|state|health|model, :asc or :desc", "activity:desc")
    .option("--limit <n>", "show at most N sessions (the last line, or --json total/matched/omitted, says how many were left out)", (v) => wholeNumberFlag("--limit", v, 1))
    .option("--stall-after <duration|state=duration>", "stall threshold (default diagnostics.stuckSessionWarnMs, else 2m); repeatable, e.g. --stall-after tool_exec=10m", collect, [])
    .addOption(new Option("--no-probe", "do not probe the gateway's /healthz"))
    .option("--gateway", "refine with the live gateway's own events (read-only operator; pairs this tool on first use; also OPENCLAW_SESSIONS_GATEWAY=1)")
    .option("--gateway-wait <duration>", "with --gateway: how long to listen to the gateway (default 2s)", gatewayWaitMs)
    .addHelpText("after", EXIT_HELP);
  addStoreOptions(cmd).action(async (opts) => {
    ctx.exit(await runStatus(statusSettings(opts, ctx.io.env), ctx.io));
  });
}

/** What `status` was asked, checked once: the command itself never sees commander's options. */
export interface StatusSettings {
  store: StoreOptions;
  json: boolean;
  check: boolean;
  problems: boolean;
  /** only sessions with a run in progress or activity this recently */
  activeWithinMs?: number;
  sort: SortSpec;
  limit?: number;
  stallAfter: string[];
  probe: boolean;
  gateway: boolean;
  gatewayWaitMs?: number;
  /** OPENCLAW_SESSIONS_NOW: every verdict judged at this time instead of the wall clock */
  fixedNow?: number;
}

/** commander's options (already parsed flag by flag) and the env -> settings, refusing contradictions (usage, 64). */
export function statusSettings(opts: Record<string, any>, env: Io["env"]): StatusSettings {
  const gateway = gatewayWanted(opts.gateway, env);
  if (opts.gatewayWait !== undefined && !gateway) throw new CliError("--gateway-wait needs --gateway (or OPENCLAW_SESSIONS_GATEWAY=1)", EXIT.usage);
  return {
    store: pickStoreOptions(opts),
    json: Boolean(opts.json),
    check: Boolean(opts.check),
    problems: Boolean(opts.problems),
    activeWithinMs: opts.active,
    sort: parseSort(opts.sort ?? "activity:desc"),
    limit: opts.limit,
    stallAfter: opts.stallAfter ?? [],
    probe: opts.probe !== false,
    gateway,
    gatewayWaitMs: opts.gatewayWait,
    fixedNow: clockOverride(env),
  };
}

export async function runStatus(s: StatusSettings, io: Io): Promise<number> {
  const view = await readHeartbeatView({ ...s.store, stallAfter: s.stallAfter, probe: s.probe, now: s.fixedNow, env: io.env, tmpDir: io.tmpDir });
  const { snapshot } = view;
  let now = view.now;
  let list: Heartbeat[] = view.heartbeats;
  let gateway: GatewayReport | undefined;
  if (s.gateway) {
    gateway = await listenToGateway(view, io, s.gatewayWaitMs, s.fixedNow);
    list = gateway.heartbeats;
    // the output is as of the listen's end, which the gateway's own events may reach
    now = gateway.at;
  }
  const total = list.length;
  list = filterHeartbeats(list, {
    now,
    problemsOnly: s.problems,
    activeWithinMs: s.activeWithinMs,
  });
  list = sortHeartbeats(list, s.sort);
  const matchedList = list;
  const matched = list.length;
  if (s.limit !== undefined) list = list.slice(0, s.limit);
  const omittedBy = [
    ...(s.problems ? ["--problems"] : []),
    ...(s.activeWithinMs !== undefined ? [`--active ${formatDuration(s.activeWithinMs)}`] : []),
    ...(s.limit !== undefined && matched > list.length ? [`--limit ${s.limit}`] : []),
  ];
  // a monitor that checks nothing must not report "fine"
  const nothing = s.check && snapshot.stores.length === 0 && snapshot.eraC.length === 0;

  if (s.json) {
    const doc = {
      schemaVersion: STATUS_SCHEMA_VERSION,
      generatedAt: now,
      stateDir: snapshot.stateDir,
      stores: [...snapshot.stores, ...snapshot.eraC].map(({ agentId, storePath, era }) => ({ agentId, storePath, era })),
      gateway: snapshot.gateway,
      ...(gateway ? { gatewayOverlay: gateway.status } : {}),
      warnings: snapshot.warnings,
      // stores whose sessions are missing from `sessions` (a corrupt index, an era C store not read)
      unreadableStores: snapshot.unread.map(({ agentId, storePath, era, why }) => ({ agentId, storePath, era, why })),
      // every session read, those --problems/--active kept, and how many of them are not listed
      total,
      matched,
      omitted: total - list.length,
      // each session's JSON form is made as it is written
      sessions: new MappedItems(list, (hb) => heartbeatJson(hb, now)),
    };
    // the same text as JSON.stringify(doc, null, 2), written in pieces as the pipe takes them
    await writeChunks(jsonLine(doc), io.stdout);
  } else {
    if (!nothing) for (const w of snapshot.warnings) io.stderr.write(`warning: ${w}\n`);
    // the table (and chalk) load only for it: `status --json` never needs them
    const [{ statusTableLines }, { textLines }] = await Promise.all([import("../ui/status-table.js"), import("../ui/snapshot.js")]);
    await writeChunks(textLines([statusTableLines(list, now, { columns: terminalColumns(io.stdout), omitted: { total, by: omittedBy }, unread: snapshot.unread.length, matched: matchedList })]), io.stdout);
  }

  // A store that could not be read leaves its sessions unknown: exit 3, whatever the others say,
  // except that under --check a session known to be unresponsive (2) still outranks unknown, as
  // Icinga and Nagios rank worst states (an outage seen must page even when a store is unreadable).
  if (snapshot.unread.length > 0) {
    // in text mode the warnings above already said why
    if (s.json) for (const store of snapshot.unread) io.stderr.write(`${unreadStoreMessage(store)}\n`);
    return s.check && checkExitCode(list) === EXIT.critical ? EXIT.critical : EXIT.unknown;
  }
  if (nothing) {
    io.stderr.write(`openclaw-sessions: ${nothingToActOn("check", snapshot.warnings, snapshot.stateDir)}\n`);
    return EXIT.unknown;
  }
  return s.check ? checkExitCode(list) : EXIT.ok;
}

/** Nagios convention: the worst session decides. */
export function checkExitCode(list: readonly Heartbeat[]): number {
  if (list.some((hb) => hb.health === "unresponsive")) return EXIT.critical;
  if (list.some((hb) => hb.health === "stalled")) return EXIT.warning;
  return EXIT.ok;
}
