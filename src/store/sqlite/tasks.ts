// The gateway's run registry: `task_runs` in the global `state/openclaw.sqlite`, a row per
// gateway run with its owner pid and start identity. OpenClaw calls a `running` task orphaned
// when that pid is dead or its start time differs (src/tasks/task-execution-owner.ts). A copied
// store often lacks this DB: then tasks are unknown, which weakens no verdict the agent DB and
// the locks decide on their own.
import fs from "node:fs";
import path from "node:path";
import type { TaskRunInfo } from "../../core/types.js";
import { isValidPid, ownerState } from "../proc.js";
import { openStoreDb, tableColumns } from "./open.js";
import { num, str } from "./rows.js";
import type { Database, Statement } from "./runtime.js";

export function globalDbPath(stateDir: string): string {
  return path.join(stateDir, "state", "openclaw.sqlite");
}

export interface TaskReader {
  known: boolean;
  /** the latest task_runs row of a session key */
  latest(sessionKey: string): TaskRunInfo | undefined;
  close(): void;
  /** why tasks are unknown, when they are */
  note?: string;
}

export function openTaskReader(stateDir: string, ownerAlive: boolean): TaskReader {
  const file = globalDbPath(stateDir);
  // a copied store often has no global DB: the reasons say so where it matters, no warning here
  if (!fs.existsSync(file)) return { ...unknown(""), note: undefined };
  let db: Database;
  let problem: string | undefined;
  try {
    ({ db, problem } = openStoreDb(file, ownerAlive));
  } catch (err) {
    return unknown(`${(err as Error).message}: gateway tasks unknown`);
  }
  let stmt: Statement;
  try {
    // the owner columns came with OpenClaw 2026.9.5; before, a task's owner is unknown
    const columns = tableColumns(db, "task_runs");
    const col = (name: string) => (columns.has(name) ? name : "NULL");
    stmt = db.prepare(
      `SELECT run_id, status, ${col("execution_owner_pid")} AS pid, ${col("execution_owner_start_identity")} AS identity, error,
              COALESCE(last_event_at, ended_at, started_at, created_at) AS at, COALESCE(started_at, created_at) AS started
       FROM task_runs WHERE requester_session_key = ? ORDER BY created_at DESC LIMIT 1`,
    );
  } catch (err) {
    db.close();
    return unknown(`${file}: no readable task_runs (${(err as Error).message}): gateway tasks unknown`);
  }
  return {
    known: true,
    latest(sessionKey) {
      const r = stmt.get(sessionKey);
      if (!r) return undefined;
      const pid = num(r.pid);
      const identity = r.identity === null || r.identity === undefined ? undefined : String(r.identity);
      const start = identity !== undefined && /^\d+$/.test(identity) ? Number(identity) : undefined;
      const info: TaskRunInfo = {
        runId: str(r.run_id) ?? "",
        status: str(r.status) ?? "unknown",
        owner: pid !== undefined && isValidPid(pid) ? ownerState(pid, start) : "unknown",
      };
      if (pid !== undefined) info.ownerPid = pid;
      if (identity !== undefined) info.ownerStartIdentity = identity;
      const error = str(r.error);
      if (error) info.error = error;
      const at = num(r.at);
      if (at !== undefined) info.updatedAt = at;
      const started = num(r.started);
      if (started !== undefined) info.startedAt = started;
      return info;
    },
    close: () => db.close(),
    ...(problem ? { note: problem } : {}),
  };
}

function unknown(note: string): TaskReader {
  return { known: false, latest: () => undefined, close: () => {}, note };
}
