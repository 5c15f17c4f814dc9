// One era C store (an agent's openclaw-agent.sqlite) read into the Evidence every era shares.
// One connection per read, closed at the end: no read transaction outlives a statement.
import fs from "node:fs";
import { DamagedStoreError, UnreadableError } from "../../core/errors.js";
import type { Evidence, GatewayInfo, StoreRef } from "../../core/types.js";
import { agentDbProblem, probeAgentDb, sidecarAccessProblem } from "../era.js";
import { isValidAgentId } from "../agents.js";
import { placeInAgentsTree } from "../locate.js";
import { checkAgentSchema, openStoreDb, sidecars, type AgentSchema, type OpenMode } from "./open.js";
import { readEraCOwner } from "./owner.js";
import { eachSessionRow } from "./rows.js";
import { sqliteRuntime, type Database } from "./runtime.js";
import { tailReader, type TailReader } from "./tails.js";
import { isTerminal } from "../../core/health/runInProgress.js";
import { openTaskReader, type TaskReader } from "./tasks.js";

export interface EraCRead {
  evidence: Evidence[];
  warnings: string[];
  /** the state dir's owner (gateway or embedded run), shared by every session */
  owner: GatewayInfo;
}

/** <stateDir>/agents/<id>/agent/openclaw-agent.sqlite -> <stateDir>; undefined for a file elsewhere (a copy). */
export function stateDirOfAgentDb(dbPath: string): string | undefined {
  return placeInAgentsTree(dbPath, "agent")?.stateDir;
}

/**
 * One agent database kept open on one connection (watch polls `PRAGMA data_version` on it);
 * each read is a few short statements, each its own implicit transaction.
 */
export interface EraCConnection {
  readonly store: StoreRef;
  readonly stateDir?: string;
  /** immutable: a quiescent copy; it must be reopened if an owner comes alive */
  readonly mode: OpenMode;
  /**
   * The connection no longer reads what is on disk, so the caller reopens: the main file was
   * replaced or removed (another inode: a restored backup; the old one is all this connection
   * sees), or, opened immutable, the file changed or a sidecar came or went since (a writer
   * started, or wrote and closed), which SQLite, trusting the pages it cached, never notices. A
   * plain connection sees every commit itself.
   */
  changedOnDisk(): boolean;
  /** `each`: each session's evidence is handed to it as read and not kept (`evidence` stays empty) */
  read(owner: GatewayInfo, each?: (ev: Evidence) => void): EraCRead;
  /** changes whenever another connection commits: the cheap "did anything change" probe */
  dataVersion(): number;
  close(): void;
}

export function openEraCStore(store: StoreRef, ownerAlive: boolean, stateDir = stateDirOfAgentDb(store.storePath)): EraCConnection {
  let rt: ReturnType<typeof sqliteRuntime>;
  let db: Database;
  let mode: OpenMode;
  let schema: AgentSchema;
  let openProblem: string | undefined;
  let before: ReturnType<typeof storeFileFacts>;
  try {
    // the files as they are before the open: a sidecar that appears during it is a change after it
    before = storeFileFacts(store.storePath);
    rt = sqliteRuntime();
    ({ db, mode, problem: openProblem } = openStoreDb(store.storePath, ownerAlive));
  } catch (err) {
    throw explained(err, store.storePath);
  }
  const opened = mode === "plain" ? before.ino : before.all;
  try {
    schema = checkAgentSchema(db, store.storePath);
  } catch (err) {
    db.close();
    throw explained(err, store.storePath);
  }
  const { agentId, copied } = agentOfDatabase(store, schema);
  const version = db.prepare("PRAGMA data_version");
  const tails = tailReader(db, rt, store.storePath, (w) => currentWarnings?.push(w), schema.zstdTranscripts);
  let currentWarnings: string[] | undefined;
  return {
    store,
    stateDir,
    mode,
    // a plain connection's poll costs one stat, an immutable one's three
    changedOnDisk: () => (mode === "plain" ? inodeNow(store.storePath) : storeFileFacts(store.storePath).all) !== opened,
    dataVersion: () => Number(version.get()?.data_version ?? 0),
    close: () => db.close(),
    read(owner, each) {
      // said once, by the first read: the open is what went wrong
      const warnings: string[] = openProblem ? [openProblem] : [];
      openProblem = undefined;
      if (copied) warnings.push(copied);
      currentWarnings = warnings;
      try {
        const evidence: Evidence[] = [];
        readEvidence(db, { ...store, agentId }, stateDir, owner, tails, warnings, each ?? ((ev) => evidence.push(ev)));
        return { evidence, warnings, owner };
      } catch (err) {
        if (err instanceof UnreadableError) throw err;
        throw new UnreadableError(`cannot read ${store.storePath}: ${(err as Error).message}`);
      } finally {
        currentWarnings = undefined;
      }
    },
  };
}

/**
 * An open that failed, said plainly when the file itself is the reason (no permission on it or on
 * its -wal or -shm, not SQLite, cut short, damaged, no session tables): SQLite's own words ("unable to open database file", "file is not
 * a database") do not say what to do, and without Node 24 the file's state is still worth knowing.
 * Asked only after a failure: a healthy store's open costs nothing more.
 */
export function explained(err: unknown, dbPath: string): unknown {
  // a file system error (EACCES on the agent dir, ELOOP) is this store's problem, not the run's
  const fsError = typeof (err as NodeJS.ErrnoException)?.code === "string" && !(err instanceof UnreadableError);
  if (fsError) err = new UnreadableError((err as Error).message);
  if (!(err instanceof UnreadableError)) return err;
  const probe = probeAgentDb(dbPath);
  // SQLite found damage where the file format walk saw no session_nodes: the damage hid the table
  // (a scribbled schema row reads as another name), so "not OpenClaw's database" would be wrong
  const damageHidTable = probe.kind === "lacks" && err instanceof DamagedStoreError;
  const problem = damageHidTable ? undefined : (agentDbProblem(dbPath, probe) ?? sidecarAccessProblem(dbPath));
  if (problem) return new UnreadableError(`${dbPath}: ${problem}`);
  // every message names its store: one line per store must say which (e.g. "needs Node 24")
  return err.message.includes(dbPath) ? err : new UnreadableError(`${dbPath}: ${err.message}`);
}

/**
 * What tells an open it is out of date: the main file's inode (`ino`, all a plain connection
 * compares: it sees commits itself); for an immutable one, and for a store whose open failed,
 * also its size and mtime and which sidecars exist (`all`). A gone file is "gone" in both.
 */
export function storeFileFacts(dbPath: string): { ino: string; all: string } {
  const st = fs.statSync(dbPath, { throwIfNoEntry: false });
  if (!st) return { ino: GONE, all: GONE };
  const side = sidecars(dbPath);
  return { ino: String(st.ino), all: `${st.ino}:${st.size}:${st.mtimeMs}|${side.wal ? "wal" : ""}|${side.shm ? "shm" : ""}` };
}

const GONE = "gone";

function inodeNow(dbPath: string): string {
  const st = fs.statSync(dbPath, { throwIfNoEntry: false });
  return st ? String(st.ino) : GONE;
}

/** One read of one store: open, read, close. */
export function readEraCStore(store: StoreRef, opts: { stateDir?: string; owner?: GatewayInfo; each?: (ev: Evidence) => void } = {}): EraCRead {
  const stateDir = opts.stateDir ?? stateDirOfAgentDb(store.storePath);
  const owner = opts.owner ?? ownerOf(stateDir);
  const conn = openEraCStore(store, owner.alive, stateDir);
  try {
    return conn.read(owner, opts.each);
  } finally {
    conn.close();
  }
}

export function ownerOf(stateDir: string | undefined): GatewayInfo {
  return stateDir ? readEraCOwner(stateDir) : { alive: false, probe: "skipped", noStateDir: true };
}

function readEvidence(
  db: Database,
  store: StoreRef,
  stateDir: string | undefined,
  owner: GatewayInfo,
  tails: TailReader,
  warnings: string[],
  each: (ev: Evidence) => void,
): void {
  // the task registry is opened at the first `running` row, if any: only those rows read it
  let tasks: TaskReader | undefined;
  let tasksOpened = false;
  try {
    const { invalid, unparsed } = eachSessionRow(db, (row) => {
      const { entry } = row;
      // an agent database holds that agent's sessions: the agent is where OpenClaw opens it, not
      // the key's prefix, so a copy in another agent's dir is not shown as the original's twice
      const ev: Evidence = { agentId: store.agentId, sessionKey: row.sessionKey, entry, era: "C", gateway: owner };
      if (isTerminal(entry.status)) {
        // A finished row is judged from the row alone (era C claims a run only for `running` or
        // embedded status-less rows, runInProgress.ts): its model, start and end are columns,
        // so its transcript and trajectory are not read (two statements per row saved, 90 % of rows).
        const notRead = finishedRowNotes(entry.status!, entry.endedAt);
        ev.trajectoryProblem = notRead.trajectory;
        ev.transcriptProblem = notRead.transcript;
      } else {
        ev.transcript = tails.transcript(entry.sessionId, row.transcriptUpdatedAt);
        const trajectory = tails.trajectory(entry.sessionId);
        if (trajectory) ev.trajectory = trajectory;
        else ev.trajectoryProblem = NO_TRAJECTORY_ROWS;
      }
      // the task registry decides only `running` rows (era C liveness, src/core/health/README.md)
      if (entry.status === "running") {
        if (!tasksOpened) {
          tasksOpened = true;
          tasks = stateDir ? openTaskReader(stateDir, owner.alive) : undefined;
          if (tasks?.note) warnings.push(tasks.note);
        }
        ev.tasksKnown = tasks?.known ?? false;
        const task = tasks?.latest(row.sessionKey);
        if (task) ev.task = task;
      }
      each(ev);
    });
    if (unparsed.length > 0) warnings.unshift(rowsNotRead(store.storePath, unparsed, "whose entry_json is not JSON, judged from their columns alone"));
    if (invalid.length > 0) warnings.unshift(rowsNotRead(store.storePath, invalid, "OpenClaw marks invalid (entry_valid = -1), skipped"));
  } finally {
    tasks?.close();
  }
}

/** A run's trajectory rows are inserted when it ends: a live or killed first run has none yet. */
export const NO_TRAJECTORY_ROWS = "no trajectory rows for this session yet (OpenClaw stores a run's trajectory when the run ends)";

/** What the reasons say of a finished row's transcript and trajectory, which are not read. */
/** "<db>: 3 session row(s) <what>: key1, key2, key3" (at most five keys named). */
function rowsNotRead(dbPath: string, keys: readonly string[], what: string): string {
  return `${dbPath}: ${keys.length} session row(s) ${what}: ${keys.slice(0, 5).join(", ")}${keys.length > 5 ? ", ..." : ""}`;
}

export function finishedRowNotes(status: string, endedAt: number | undefined): { trajectory: string; transcript: string } {
  const at = endedAt === undefined ? "" : ` at ${new Date(endedAt).toISOString()}`;
  return {
    trajectory: `run ended (${status})${at}: the row says so; a finished row's trajectory is not read`,
    transcript: `transcript not read: the row is finished (${status})`,
  };
}

/**
 * Whose sessions a database holds: the agent whose dir it sits in, where OpenClaw opens it (a copy
 * in another agent's dir is that agent's, with a warning); a file outside any agents tree (a
 * backup named by --store) is the agent its schema_meta names.
 */
export function agentOfDatabase(store: Pick<StoreRef, "agentId" | "storePath">, schema: Pick<AgentSchema, "agentId">): { agentId: string; copied?: string } {
  if (stateDirOfAgentDb(store.storePath) === undefined) return { agentId: schema.agentId !== undefined && isValidAgentId(schema.agentId) ? schema.agentId : store.agentId };
  if (schema.agentId === undefined || schema.agentId === store.agentId) return { agentId: store.agentId };
  return {
    agentId: store.agentId,
    copied: `${store.storePath} is agent ${JSON.stringify(schema.agentId)}'s database (its schema_meta says so) in agent ${JSON.stringify(store.agentId)}'s dir: a copy? Its sessions are shown as ${store.agentId}'s, where OpenClaw would read them`,
  };
}
