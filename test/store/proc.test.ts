import { spawn } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { isPidAlive, ownerState, processCommand, readProcStartTime } from "../../src/store/proc.js";

async function exitedChildPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  const pid = child.pid!;
  await new Promise((resolve) => child.on("exit", resolve));
  // node reaps the child on exit: the pid is free now
  return pid;
}

describe("proc", () => {
  it("our own pid is alive with a start time", () => {
    expect(isPidAlive(process.pid)).toBe(true);
    const st = readProcStartTime(process.pid);
    expect(st).toBeGreaterThan(0);
    expect(ownerState(process.pid, st)).toBe("alive");
    expect(ownerState(process.pid)).toBe("alive");
  });

  it("a spawned child that exited is dead", async () => {
    const pid = await exitedChildPid();
    expect(isPidAlive(pid)).toBe(false);
    expect(readProcStartTime(pid)).toBeUndefined();
    expect(ownerState(pid, 123)).toBe("dead");
  });

  it("a live pid with another start time was reused", () => {
    const st = readProcStartTime(process.pid)!;
    expect(ownerState(process.pid, st + 1)).toBe("reused");
  });

  it("pid 1 exists even when we may not signal it (EPERM counts as alive)", () => {
    expect(isPidAlive(1)).toBe(true);
  });

  it("invalid pids are dead", () => {
    for (const pid of [0, -1, 1.5, Number.NaN]) expect(isPidAlive(pid)).toBe(false);
  });

  it("a process's command line names it (arguments joined by spaces, cut to the limit); a gone pid has none", async () => {
    expect(processCommand(process.pid, 10_000)).toBe(fs.readFileSync(`/proc/${process.pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" "));
    expect(processCommand(process.pid)!.startsWith(process.argv0)).toBe(true);
    const cut = processCommand(process.pid, 8)!;
    expect(cut).toHaveLength(8);
    expect(cut.endsWith("…")).toBe(true);
    expect(processCommand(await exitedChildPid())).toBeUndefined();
    expect(processCommand(0)).toBeUndefined();
  });
});
