// Process liveness as OpenClaw judges it for its lock files: signal 0, plus the start time
// (field 22 of /proc/<pid>/stat) to tell a reused pid from the original owner.
import fs from "node:fs";

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else: alive, never steal from it
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** Clock ticks since boot at which `pid` started; undefined off Linux or when it is gone. */
export function procStartTime(pid: number): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // the command name (field 2) may hold spaces and parentheses: count from the last ')'
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const value = Number(fields[19]);
  return Number.isFinite(value) ? value : undefined;
}

export type Ownership = "alive" | "dead" | "reused";

export function ownerOf(pid: number, starttime: unknown): Ownership {
  if (!pidAlive(pid)) return "dead";
  if (typeof starttime === "number") {
    const actual = procStartTime(pid);
    if (actual !== undefined && actual !== starttime) return "reused";
  }
  return "alive";
}
