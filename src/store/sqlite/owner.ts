// The era C owner: the singleton lock JSON a gateway (or an embedded `openclaw agent --local`
// run) writes under the STATE dir since 2026.8 (`tmp/openclaw-<uid>/gateway.<hash>.lock`), and
// its POSIX lock on the `.lock.sqlite` sibling. Alive = pid alive (a zombie is dead) and its
// /proc start time equals the JSON's `startTime` (OpenClaw's src/infra/gateway-lock.ts).
import fs from "node:fs";
import path from "node:path";
import type { GatewayInfo } from "../../core/types.js";
import { lockBodyFields, type LockBodyFields } from "../lock-body.js";
import { lockDirName, lockDirsIn } from "../lock-dirs.js";
import { ownerOfLockBody } from "../proc.js";
import { posixWriteLock } from "./proc-locks.js";

export function stateLockDir(stateDir: string, uid?: number): string {
  return path.join(stateDir, "tmp", lockDirName(uid));
}

/**
 * The `gateway.<hash>.lock` files of this state dir (not `gateway.state.lock`), in every lock dir
 * under its tmp/ (each named for its owner's uid, which need not be ours). The hash is of the
 * config path the owner was started with, which a copied or moved state dir no longer matches, so
 * every candidate is read; the newest live one wins, else the newest.
 */
export function readEraCOwner(stateDir: string, procLocks?: string): GatewayInfo {
  // each lock dir is listed once: its lock JSONs, and the `.lock.sqlite` files held when none is left
  const locks: string[] = [];
  const sqliteLocks: string[] = [];
  for (const dir of lockDirsIn(path.join(stateDir, "tmp"))) {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      continue; // not a dir, or not ours to read
    }
    for (const name of names) {
      if (/^gateway\.[^.]+\.lock$/.test(name) && name !== "gateway.state.lock") locks.push(path.join(dir, name));
      else if (/^gateway\.[^.]+\.lock\.sqlite$/.test(name) && name !== "gateway.state.lock.sqlite") sqliteLocks.push(path.join(dir, name));
    }
  }
  let best: GatewayInfo | undefined;
  for (const lockPath of locks) {
    const info = readOne(lockPath, procLocks);
    if (!info) continue;
    if (!best || (info.alive && !best.alive) || (info.alive === best.alive && (info.startedAt ?? 0) > (best.startedAt ?? 0))) best = info;
  }
  if (best) return best;
  // no JSON: a clean stop removes it; the POSIX lock may still say someone holds the lock file
  const sqliteLock = locks.length === 0 ? sqliteLocks[0] : undefined;
  const held = sqliteLock ? posixWriteLock(sqliteLock, procLocks) : { state: "unknown" as const };
  return { alive: false, probe: "skipped", posixLock: held.state === "held" ? "held" : held.state, ...(held.state === "held" ? { pid: held.pid } : {}) };
}

function readOne(lockPath: string, procLocks?: string): GatewayInfo | undefined {
  let body: LockBodyFields | undefined;
  try {
    const st = fs.statSync(lockPath);
    if (!st.isFile() || st.size > 64 * 1024) return undefined;
    body = lockBodyFields(fs.readFileSync(lockPath, "utf8"));
    if (!body) return undefined;
  } catch {
    return undefined;
  }
  const { pid, createdAt, port } = body;
  const held = posixWriteLock(`${lockPath}.sqlite`, procLocks);
  const info: GatewayInfo = {
    lockPath,
    alive: pid !== undefined && ownerOfLockBody(pid, body.starttime) === "alive",
    probe: "skipped",
    role: body.role === "agent-embedded" ? "agent-embedded" : "gateway",
    posixLock: held.state,
  };
  if (pid !== undefined) info.pid = pid;
  if (createdAt !== undefined) info.startedAt = createdAt;
  if (port !== undefined) info.port = port;
  return info;
}
