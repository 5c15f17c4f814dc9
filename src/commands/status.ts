import { Command, Option } from "commander";
import { formatDuration, parseDurationFlag } from "../core/duration.js";
import { CliError, EXIT } from "../core/errors.js";
import { gatewayWanted } from "../gateway/wanted.js";
import { filterHeartbeats, parseSort, sortHeartbeats } from "../core/order.js";
import type { Heartbeat } from "../core/types.js";
import { heartbeatJson, jsonLine, MappedItems, textLines } from "../ui/snapshot.js";
import { statusTableLines } from "../ui/status-table.js";
import { unreadStoreMessage, noIndexMessage } from "../ui/messages.js";
import { collect, readHeartbeatView, writeChunks } from "./heartbeats.js";
import { addStoreOptions, pickStoreOptions, wholeNumberFlag } from "./options.js";
import { gatewayWaitMs, listenToGateway, type GatewayReport } from "./status-gateway.js";

export const STATUS_SCHEMA_VERSION = 1;

export function register(program: Command): void {
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
    .option("--gateway-wait <duration>", "with --gateway: how long to listen to the gateway (default 2s)", gatewayWaitMs);
  addStoreOptions(cmd).action(async (opts) => {
    process.exitCode = await runStatus(opts);
  });
}

export async function runStatus(opts: Record<string, any>): Promise<number> {
  const sort = parseSort(opts.sort);
  const useGateway = gatewayWanted(opts.gateway);
  if (opts.gatewayWait !== undefined && !useGateway) throw new CliError("--gateway-wait needs --gateway (or OPENCLAW_SESSIONS_GATEWAY=1)", EXIT.usage);
  const view = await readHeartbeatView({ ...pickStoreOptions(opts), stallAfter: opts.stallAfter, probe: opts.probe });
  const { snapshot, now } = view;
  let list: Heartbeat[] = view.heartbeats;
  let gateway: GatewayReport | undefined;
  if (useGateway) {
    gateway = await listenToGateway(view, opts.gatewayWait);
    list = gateway.heartbeats;
  }
  const total = list.length;
  list = filterHeartbeats(list, {
    now,
    problemsOnly: Boolean(opts.problems),
    activeWithinMs: opts.active,
  });
  list = sortHeartbeats(list, sort);
  const matched = list.length;
  if (opts.limit !== undefined) list = list.slice(0, opts.limit);
  const omittedBy = [
    ...(opts.problems ? ["--problems"] : []),
    ...(opts.active !== undefined ? [`--active ${formatDuration(opts.active)}`] : []),
    ...(opts.limit !== undefined && matched > list.length ? [`--limit ${opts.limit}`] : []),
  ];
  // a monitor that checks nothing must not report "fine"
  const nothing = opts.check && snapshot.stores.length === 0 && snapshot.eraC.length === 0;

  if (opts.json) {
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
    await writeChunks(jsonLine(doc));
  } else {
    if (!nothing) for (const w of snapshot.warnings) process.stderr.write(`warning: ${w}\n`);
    await writeChunks(textLines([statusTableLines(list, now, { columns: process.stdout.isTTY ? process.stdout.columns : undefined, omitted: { total, by: omittedBy } })]));
  }

  // A store that could not be read leaves its sessions unknown: exit 3, whatever the others say,
  // except that under --check a session known to be unresponsive (2) still outranks unknown, as
  // Icinga and Nagios rank worst states (an outage seen must page even when a store is unreadable).
  if (snapshot.unread.length > 0) {
    // in text mode the warnings above already said why
    if (opts.json) for (const store of snapshot.unread) process.stderr.write(`${unreadStoreMessage(store)}\n`);
    return opts.check && checkExitCode(list) === EXIT.critical ? EXIT.critical : EXIT.unknown;
  }
  if (nothing) {
    const why = snapshot.warnings.length > 0 ? snapshot.warnings.join("; ") : noIndexMessage(snapshot.stateDir);
    process.stderr.write(`openclaw-sessions: nothing to check: ${why}\n`);
    return EXIT.unknown;
  }
  return opts.check ? checkExitCode(list) : EXIT.ok;
}

/** Nagios convention: the worst session decides. */
export function checkExitCode(list: readonly Heartbeat[]): number {
  if (list.some((hb) => hb.health === "unresponsive")) return EXIT.critical;
  if (list.some((hb) => hb.health === "stalled")) return EXIT.warning;
  return EXIT.ok;
}
