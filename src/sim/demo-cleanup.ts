// The demo's closing advice: the `cleanup --finalize-stale --dry-run` an operator would run on
// this store, run for real (dry, nothing written) by the built CLI, the way the user would run it.
// A child process, not an in-process call: the gateway's singleton lock lives in the demo's own
// tmp dir, and the child is told so through TMPDIR exactly like any other reader would be.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export interface CleanupAdvice {
  args: string[];
  /** the command as a user types it */
  commandLine: string;
  output: string;
  /** null when it could not run or was stopped */
  exitCode: number | null;
}

/** A duration `--stale-after` reads back exactly: whole seconds as "15s", anything else in ms. */
export function durationArg(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

export function cleanupArgs(stateDir: string, staleAfterMs: number): string[] {
  return ["cleanup", "--finalize-stale", "--dry-run", "--state-dir", stateDir, "--stale-after", durationArg(staleAfterMs)];
}

export function shellLine(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/** bin/openclaw-sessions.js of this package, found from this file (dist/src/sim or src/sim). */
export function findBin(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = path.dirname(from);
  for (;;) {
    const bin = path.join(dir, "bin", "openclaw-sessions.js");
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(bin)) return bin;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The demo's store reads only its own files: a user's OPENCLAW_* settings must not redirect it. */
export function demoEnv(env: NodeJS.ProcessEnv, tmpDir: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith("OPENCLAW_")) out[k] = v;
  out.TMPDIR = tmpDir;
  return out;
}

export interface AdviceOptions {
  stateDir: string;
  tmpDir: string;
  /** the demo clock's stall threshold; none: cleanup's own default (an era C store, whose dead rows are stale at any age) */
  staleAfterMs?: number;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** told the child's pid, so that a caller leaving in a hurry can kill it */
  onSpawn?: (pid: number) => void;
}

export function adviseCleanup(o: AdviceOptions): Promise<CleanupAdvice> {
  const args = o.staleAfterMs === undefined ? ["cleanup", "--finalize-stale", "--dry-run", "--state-dir", o.stateDir] : cleanupArgs(o.stateDir, o.staleAfterMs);
  const commandLine = shellLine(["openclaw-sessions", ...args]);
  const bin = findBin();
  if (!bin) return Promise.resolve({ args, commandLine, output: "(the openclaw-sessions CLI was not found next to the demo)", exitCode: null });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: demoEnv(o.env, o.tmpDir), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 15_000);
    if (child.pid !== undefined) o.onSpawn?.(child.pid);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ args, commandLine, output: `(could not run it: ${err.message})`, exitCode: null });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ args, commandLine, output, exitCode: code });
    });
  });
}
