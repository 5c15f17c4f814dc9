// File I/O of the simulated OpenClaw. It lives in src/sim, not src/store, on purpose: this code
// plays the gateway (era B), so it writes the way OpenClaw writes, not the way our tool does.
// Everything is synchronous so that a simulation step is atomic with respect to the event loop:
// when a step's event is emitted, its files are already in place.

import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gatewayLockBody, indexText, lockBody, pointerFile } from "./format.js";

export function sessionsDir(stateDir: string, agentId: string): string {
  return path.join(stateDir, "agents", agentId, "sessions");
}

/** Creates `<stateDir>/agents/<id>/sessions` with the modes OpenClaw uses. */
export function ensureSessionsDir(stateDir: string, agentId: string): string {
  const agentsDir = path.join(stateDir, "agents");
  fs.mkdirSync(path.join(agentsDir, agentId), { recursive: true, mode: 0o700 });
  const dir = sessionsDir(stateDir, agentId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); undefined when unreadable. */
export function readStarttime(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm (field 2) may contain spaces and ')': fields are counted after the LAST ')'
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const value = Number(rest[22 - 3]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- sessions.json

/** The gateway's own read: a missing or corrupt index is an empty store (era B behaviour). */
export function readIndex(indexPath: string): Record<string, Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(indexPath, "utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, Record<string, unknown>>;
  } catch {
    // fall through: era B reads a torn index as {}
  }
  return {};
}

/** Whole-file write through `sessions.json.<pid>.<uuid>.tmp` + rename, mode 0600, 2-space JSON. */
export function writeIndex(indexPath: string, index: Record<string, unknown>): void {
  const tmp = path.join(path.dirname(indexPath), `${path.basename(indexPath)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    fs.writeFileSync(tmp, indexText(index), { mode: 0o600 });
    fs.renameSync(tmp, indexPath);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Era B: read-modify-write of the whole file, with no cross-process lock. */
export function updateIndex(
  indexPath: string,
  mutate: (index: Record<string, Record<string, unknown>>) => void,
): Record<string, Record<string, unknown>> {
  const index = readIndex(indexPath);
  mutate(index);
  writeIndex(indexPath, index);
  return index;
}

// ---------------------------------------------------------------- transcripts, trajectories

export function appendLines(file: string, lines: string | readonly string[], mode = 0o644): void {
  const text = typeof lines === "string" ? lines : lines.join("");
  if (text.length > 0) fs.appendFileSync(file, text, { mode });
}

export function writePointer(dir: string, sessionId: string, runtimeFile: string): string {
  const p = path.join(dir, `${sessionId}.trajectory-path.json`);
  fs.writeFileSync(p, pointerFile(sessionId, runtimeFile), { mode: 0o600 });
  return p;
}

// ---------------------------------------------------------------- transcript locks

export interface LockOwner {
  pid: number;
  starttime?: number;
}

/** `<transcript>.lock` created with O_EXCL. Returns false when it already exists. */
export function createLock(transcriptPath: string, owner: LockOwner, createdAt: number, maxHoldMs?: number): boolean {
  try {
    fs.writeFileSync(`${transcriptPath}.lock`, lockBody(owner.pid, createdAt, owner.starttime, maxHoldMs), { flag: "wx", mode: 0o644 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

export function removeLock(transcriptPath: string): void {
  fs.rmSync(`${transcriptPath}.lock`, { force: true });
}

// ---------------------------------------------------------------- lock-owner processes

const IDLE_SCRIPT = "setInterval(()=>{},1e9)";

/** A live stand-in for an embedded runner; `node -e` so it needs nothing but Node. */
export function spawnIdleChild(): ChildProcess {
  return spawn(process.execPath, ["-e", IDLE_SCRIPT], { stdio: "ignore", detached: false });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Waits until /proc shows the child (its starttime is readable). */
export async function ownerOf(child: ChildProcess): Promise<LockOwner> {
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start a lock-owner child process");
  for (let i = 0; i < 200; i++) {
    const starttime = readStarttime(pid);
    if (starttime !== undefined) return { pid, starttime };
    await new Promise((r) => setTimeout(r, 5));
  }
  return { pid };
}

/** A pid that WAS a real process and is dead now (with its starttime), for dead-owner locks. */
export async function makeDeadOwner(): Promise<LockOwner> {
  const child = spawnIdleChild();
  const owner = await ownerOf(child);
  child.kill("SIGKILL");
  await exited(child);
  return owner;
}

// ---------------------------------------------------------------- gateway singleton lock, config

export function gatewayLockDir(tmpDir: string, uid: number = os.userInfo().uid): string {
  return path.join(tmpDir, `openclaw-${uid}`);
}

export function gatewayLockPath(tmpDir: string, configPath: string, uid?: number): string {
  const hash = createHash("sha256").update(configPath).digest("hex").slice(0, 8);
  return path.join(gatewayLockDir(tmpDir, uid), `gateway.${hash}.lock`);
}

export interface GatewayLockSpec {
  tmpDir: string;
  configPath: string;
  pid: number;
  createdAt: number;
  port?: number;
  startTime?: number;
}

export function writeGatewayLock(spec: GatewayLockSpec): string {
  const p = gatewayLockPath(spec.tmpDir, spec.configPath);
  fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
  fs.writeFileSync(p, gatewayLockBody(spec.pid, spec.createdAt, spec.configPath, spec.port, spec.startTime), { mode: 0o600 });
  return p;
}

/** `openclaw.json` (JSON5 on disk in real life; plain JSON is valid JSON5). */
export function writeConfig(stateDir: string, config: Record<string, unknown>): string {
  fs.mkdirSync(stateDir, { recursive: true });
  const p = path.join(stateDir, "openclaw.json");
  fs.writeFileSync(p, JSON.stringify(config, null, 2) + "\n", { mode: 0o644 });
  return p;
}
