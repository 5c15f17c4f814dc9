// Is a lock's owner still running, and is it still the same process? Pids are reused, so a
// lock's `starttime` (field 22 of /proc/<pid>/stat, in clock ticks since boot) is compared when
// both sides are known.
import fs from "node:fs";

export type ProcOwner = "alive" | "dead" | "reused";

function statFields(pid: number): string[] | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm (field 2) is in parentheses and may itself contain ") " or spaces
    const close = raw.lastIndexOf(")");
    if (close < 0) return undefined;
    return raw.slice(close + 1).trim().split(/\s+/);
  } catch {
    return undefined;
  }
}

export function isValidPid(pid: unknown): pid is number {
  return typeof pid === "number" && Number.isInteger(pid) && pid > 0;
}

/** Signal 0 reaches it (EPERM: it exists under another user) and it is not a zombie. */
export function isPidAlive(pid: number): boolean {
  if (!isValidPid(pid)) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // a zombie has exited; only its parent has not reaped it yet (fields after comm: state first)
  return statFields(pid)?.[0] !== "Z";
}

/** Field 22 (starttime) of /proc/<pid>/stat; undefined off Linux or when the pid is gone. */
export function readProcStartTime(pid: number): number | undefined {
  if (!isValidPid(pid)) return undefined;
  const value = Number.parseInt(statFields(pid)?.[19] ?? "", 10);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * How a running process was started (/proc/<pid>/cmdline, cut to `max` characters), to name a
 * lock's holder; undefined when unknown. Not comm: Node 24 names its main thread "MainThread".
 */
export function processCommand(pid: number, max = 100): string | undefined {
  if (!isValidPid(pid)) return undefined;
  try {
    const text = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    if (!text) return undefined;
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  } catch {
    return undefined;
  }
}

export function ownerState(pid: number, starttime?: number): ProcOwner {
  if (!isPidAlive(pid)) return "dead";
  if (starttime === undefined || !Number.isFinite(starttime)) return "alive";
  const current = readProcStartTime(pid);
  return current !== undefined && current !== starttime ? "reused" : "alive";
}

/** ownerState for a starttime read from a lock body, where anything may be written. */
export function ownerOfLockBody(pid: number, starttime: unknown): ProcOwner {
  return ownerState(pid, typeof starttime === "number" ? starttime : undefined);
}
