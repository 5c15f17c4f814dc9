// The whole command line run in-process, on buffers: what the built CLI would print and exit with,
// without a process per test. The real CLI (its stdio, signals, colour, closed pipes) is checked
// by the smaller set of runs of the built binary under test/e2e.
import { Writable } from "node:stream";
import { runProgram } from "../../../src/program.js";
import type { Io } from "../../../src/commands/io.js";
import { scrubbedEnv, withDoc, type CliResult } from "../../e2e/helpers/cli.js";

export interface RunOptions {
  /** added to a scrubbed copy of this process's env (no OPENCLAW_*, NO_COLOR, FORCE_COLOR), as runCli does */
  env?: Record<string, string | undefined>;
  /** stdout is a terminal this wide (default: a pipe) */
  columns?: number;
  /** ends a command that runs until stopped, as SIGTERM would */
  stop?: AbortSignal;
}

/** A stream that keeps what is written to it. */
export class Sink extends Writable {
  text = "";
  isTTY?: boolean;
  columns?: number;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
    // tests waiting on output wake on this instead of polling a clock
    this.emit("data-written");
  }
}

export function bufferIo(opts: RunOptions = {}): Io & { stdout: Sink; stderr: Sink } {
  const env = scrubbedEnv(opts.env);
  const stdout = new Sink();
  if (opts.columns !== undefined) {
    stdout.isTTY = true;
    stdout.columns = opts.columns;
  }
  // the gateway's lock dir is found through TMPDIR, as os.tmpdir() finds it in a child
  return { stdout, stderr: new Sink(), stdin: process.stdin, env, tmpDir: opts.env?.TMPDIR };
}

/** `openclaw-sessions ...args` in-process: exit code and output, as runCli gives them for the built CLI. */
export async function run(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  const io = bufferIo(opts);
  const code = await runProgram(args, io, opts.stop);
  return { code, signal: null, stdout: io.stdout.text, stderr: io.stderr.text };
}

/** run with --json, parsed; fails with stderr when stdout is not JSON. */
export async function runJson(args: readonly string[], opts: RunOptions = {}): Promise<{ result: CliResult; doc: any }> {
  return withDoc(await run([...args, "--json"], opts));
}

/** What stdout holds after a run that failed with exit 3 and one stderr line: nothing, or with --json the error document. */
export function unknownFailureStdout(args: readonly string[], stderr: string): string {
  if (!args.includes("--json")) return "";
  const message = stderr.replace(/^openclaw-sessions: /, "").replace(/\n$/, "");
  return `${JSON.stringify({ schemaVersion: 1, error: { exitCode: 3, kind: "unknown", message } })}\n`;
}
