// Times one command as a WHOLE PROCESS: wall time from spawn to exit (node startup included, as a
// user sees it), its CPU time and its peak RSS. Peak RSS and CPU come from GNU time
// (`/usr/bin/time -f "%M %U %S"`, the kernel's accounting of the child at exit); without it, peak
// RSS is polled from /proc/<pid>/status VmHWM, which can miss a peak reached between polls.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const GNU_TIME = "/usr/bin/time";

export interface RunResult {
  ms: number;
  /** peak resident set, bytes (undefined when it could not be measured) */
  peakRss?: number;
  /** user + system CPU time, ms (GNU time only; 10 ms resolution): less sensitive than wall time to other load on the machine */
  cpuMs?: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdoutBytes: number;
  /** the first 2 KB of stderr, to explain a failure */
  stderr: string;
  /** the first 64 KB of stdout, for sanity checks */
  stdoutHead: string;
  timedOut: boolean;
}

export interface TimedSpawn {
  argv: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function hasGnuTime(): boolean {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let rssFileSeq = 0;

/** Runs argv[0] with argv[1..]; stdin is /dev/null and stdout a pipe drained here (not a TTY). */
export async function timedRun(job: TimedSpawn, useGnuTime = hasGnuTime()): Promise<RunResult> {
  const rssFile = path.join(os.tmpdir(), `openclaw-bench-${process.pid}-${rssFileSeq++}.rss`);
  const [cmd, ...args] = useGnuTime ? [GNU_TIME, "-f", "%M %U %S", "-o", rssFile, ...job.argv] : job.argv;
  const started = process.hrtime.bigint();
  // its own process group, so a timeout can stop it and its child (GNU time runs node as a child)
  const child = spawn(cmd!, args, { stdio: ["ignore", "pipe", "pipe"], env: job.env, detached: true });
  let stdoutBytes = 0;
  let stdoutHead = "";
  let stderr = "";
  child.stdout!.on("data", (b: Buffer) => {
    stdoutBytes += b.length;
    if (stdoutHead.length < 65536) stdoutHead += b.toString("utf8");
  });
  child.stderr!.on("data", (b: Buffer) => {
    if (stderr.length < 2048) stderr += b.toString("utf8");
  });
  let polledPeak = 0;
  const poll = useGnuTime ? undefined : setInterval(() => (polledPeak = Math.max(polledPeak, vmHwm(child.pid) ?? 0)), 10);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  }, job.timeoutMs ?? 300_000);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, s) => resolve({ code: c, signal: s }));
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  let peakRss: number | undefined = polledPeak > 0 ? polledPeak : undefined;
  let cpuMs: number | undefined;
  if (useGnuTime) {
    const text = readAndRemove(rssFile);
    // GNU time writes "Command exited with non-zero status N" before the format's line
    const lines = text.trim().split("\n");
    const [kb, user, sys] = (lines[lines.length - 1] ?? "").split(" ").map(Number);
    if (Number.isFinite(kb) && kb! > 0) peakRss = kb! * 1024;
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuMs = (user! + sys!) * 1000;
  }
  return { ms, peakRss, cpuMs, exitCode: code, signal, stdoutBytes, stderr: stderr.trim(), stdoutHead, timedOut };
}

function readAndRemove(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** VmHWM (peak RSS so far) of a live process, bytes. */
function vmHwm(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
