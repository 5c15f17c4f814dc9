// What a command reads from and writes to besides its settings: the streams and the environment
// it was given. The CLI hands over the process's own; tests hand over buffers and a chosen env,
// so a command's behaviour is checked in-process, without spawning the CLI.
import type { Env } from "../store/locate.js";
import type { SignalSource } from "./stop-signals.js";

export interface OutStream extends NodeJS.WritableStream {
  /** a terminal: the table fits its width, the live view can draw */
  isTTY?: boolean;
  columns?: number;
}

export interface InStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Env;
  /** the OS temp dir, where OpenClaw's gateway keeps its singleton lock (default os.tmpdir()) */
  tmpDir?: string;
  /** where stop signals (SIGINT, SIGTERM, SIGHUP) come from: the process unless a test hands its own */
  signals?: SignalSource;
}

/** How a command's action hands its exit code back to whoever runs the program. */
export interface CommandContext {
  io: Io;
  exit(code: number): void;
  /** ends a command that runs until stopped (watch) as SIGTERM would: how tests and `demo` stop it */
  stop?: AbortSignal;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** The width a table is cut to: a terminal's, never a pipe's. */
export function terminalColumns(out: OutStream): number | undefined {
  return out.isTTY ? out.columns : undefined;
}
