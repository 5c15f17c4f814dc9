// What the numbers were measured on: they mean little without it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

export interface Machine {
  date: string;
  cpus: number;
  cpuModel: string;
  ramGiB: number;
  node: string;
  kernel: string;
  /** filesystem type of the bench stores' disk, when `stat -f` says */
  fs?: string;
  /** 1-minute load average when the bench started: other work on the machine skews timings */
  load1: number;
}

export function describeMachine(dir: string): Machine {
  let cpuModel = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpuModel = m[1]!.trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  let fsType: string | undefined;
  try {
    fsType = execFileSync("stat", ["-f", "-c", "%T", dir], { encoding: "utf8" }).trim();
  } catch {
    fsType = undefined;
  }
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    fs: fsType,
    load1: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

export function machineLine(m: Machine): string {
  return `${m.date.slice(0, 16).replace("T", " ")} UTC, ${m.cpus} CPU (${m.cpuModel}), ${m.ramGiB} GiB RAM, node ${m.node}, ${m.kernel}${m.fs ? `, ${m.fs}` : ""}; load average ${m.load1} at start`;
}
