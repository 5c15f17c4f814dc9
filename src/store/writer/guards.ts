// The refusals that come before any lock or write.
import fs from "node:fs";
import path from "node:path";
import { WriteRefusedError } from "../../core/errors.js";
import type { Era } from "../../core/types.js";
import { agentDbPath, probeAgentDb } from "../era.js";
import { placeInAgentsTree } from "../locate.js";
import { realIndexPath } from "./real-path.js";

export function refuseEraC(era: Era, storePath: string): void {
  if (era !== "C") return;
  throw new WriteRefusedError(
    `refusing to write ${storePath}: this OpenClaw install keeps sessions in SQLite (2026.8+), and a sessions.json ` +
      "there stops the gateway from starting. Use `openclaw sessions cleanup`, or upgrade openclaw-sessions",
  );
}

/**
 * The disk's own word, whatever era the caller was told: a sessions.json whose agent dir holds an
 * OpenClaw 2026.8+ database (session_nodes) is a leftover the gateway refuses to start beside, or
 * imports on migration. Written, our statuses would be imported over restart recovery. The store
 * layer never offers such an index for writing; this holds even if a path slips past it.
 */
export function refuseBesideAgentDb(storePath: string, realPath: string): void {
  const place = placeInAgentsTree(realPath, "sessions");
  if (!place) return;
  const db = agentDbPath(place.stateDir, place.agentId);
  if (probeAgentDb(db).kind !== "has") return;
  throw new WriteRefusedError(
    `refusing to write ${storePath}: agent ${place.agentId} keeps its sessions in ${db} (OpenClaw 2026.8+), and a sessions.json ` +
      "beside it is never written (the gateway refuses to start while it is there unimported)",
  );
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** Both the path as given and where it really leads must lie inside <stateDir>/agents. */
export function refuseOutsideAgentsTree(storePath: string, agentsRoot: string, allowOutside?: boolean): void {
  if (allowOutside) return;
  const given = path.resolve(storePath);
  const real = realOrResolved(storePath);
  const rootGiven = path.resolve(agentsRoot);
  const rootReal = realOrResolved(agentsRoot);
  const ok = (inside(rootGiven, given) || inside(rootReal, given)) && (inside(rootReal, real) || inside(rootGiven, real));
  if (!ok) {
    throw new WriteRefusedError(
      `refusing to write ${storePath}: it is outside the agents tree ${agentsRoot} (pass --store to name it explicitly)`,
    );
  }
}

/**
 * Re-run under the gateway's lock and again right before the rename: a directory on the index's
 * path swapped for a symlink while we waited for a lock would otherwise send our backup, temp file
 * and rename wherever it now points. The path must still lead where it led when we took our lock
 * (the path we rename onto included), and still lie inside the agents tree.
 */
export function refuseMovedIndex(storePath: string, realPath: string, agentsRoot: string, allowOutside?: boolean): void {
  const now = realIndexPath(storePath);
  const target = realIndexPath(realPath);
  if (now !== realPath || target !== realPath) {
    throw new WriteRefusedError(
      `refusing to write ${storePath}: it now leads to ${now === realPath ? target : now}, not ${realPath} as when its lock was taken ` +
        "(a directory on its path was replaced meanwhile); nothing written",
    );
  }
  refuseOutsideAgentsTree(storePath, agentsRoot, allowOutside);
}

export interface ShrinkCheck {
  storePath: string;
  beforeCount: number;
  afterCount: number;
  removals: number;
  beforeBytes: number;
  afterBytes: number;
  maxShrinkRatio: number;
}

/** The "read as {}" failure: a result far smaller than what was read is a bug, not a plan. */
export function refuseDrasticShrink(c: ShrinkCheck): void {
  if (c.afterCount < c.beforeCount - c.removals) {
    throw new WriteRefusedError(
      `refusing to write ${c.storePath}: it would drop from ${c.beforeCount} to ${c.afterCount} entries but only ${c.removals} removals were planned`,
    );
  }
  if (c.removals === 0 && c.afterBytes < c.beforeBytes * c.maxShrinkRatio) {
    throw new WriteRefusedError(
      `refusing to write ${c.storePath}: it would shrink from ${c.beforeBytes} to ${c.afterBytes} bytes with no entry removed`,
    );
  }
}
