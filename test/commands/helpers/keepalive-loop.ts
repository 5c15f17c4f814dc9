// `keepalive` run in-process: its log on a buffer, its stop signals from an emitter instead of the
// process (the real signals, and the second signal's immediate exit, are checked on the built CLI
// under test/e2e).
import { EventEmitter } from "node:events";
import type { KeepaliveIo } from "../../../src/commands/keepalive.js";
import { runProgram } from "../../../src/program.js";
import { RecordLog, type Loop } from "../../e2e/keepalive-fixture.js";
import { bufferIo, Sink } from "./run.js";

/** A Sink that hands every chunk to a RecordLog as it is written. */
class LogSink extends Sink {
  log?: RecordLog;
  override _write(chunk: Buffer | string, enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.log?.write(chunk.toString());
    super._write(chunk, enc, done);
  }
}

export interface InProcessLoop extends Loop {
  /** delivers SIGINT or SIGTERM to this loop only; only the first (a second would exit this process) */
  signal(sig: "SIGINT" | "SIGTERM"): void;
}

const running = new Set<InProcessLoop>();

/** Stops every in-process loop a test left running (call from afterEach): one SIGTERM, as a user would. */
export async function stopLoopsInProcess(): Promise<void> {
  const all = [...running];
  for (const l of all) l.signal("SIGTERM");
  await Promise.all(all.map((l) => l.exit));
}

/** `openclaw-sessions keepalive ...args` in this process; ends when a test signals it. */
export function startLoopInProcess(args: string[], env: Record<string, string>): InProcessLoop {
  const base = bufferIo({ env });
  const stdout = new LogSink();
  const signals = new EventEmitter();
  let signalled = false;
  const io: KeepaliveIo = { ...base, stdout, signals };
  let exited!: (result: { code: number; signal: null }) => void;
  const exit = new Promise<{ code: number; signal: null }>((resolve) => (exited = resolve));
  // listening before the loop starts: its first record is written before its first await
  const log = new RecordLog(exit, () => base.stderr.text);
  stdout.log = log;
  void runProgram(["keepalive", ...args], io).then((code) => exited({ code, signal: null }));
  const loop: InProcessLoop = {
    pid: process.pid,
    records: log.records,
    stdout: () => log.out,
    stderr: () => base.stderr.text,
    exit,
    waitFor: (pred, timeoutMs) => log.waitFor(pred, timeoutMs),
    signal: (sig) => {
      if (signalled) return;
      signalled = true;
      signals.emit(sig);
    },
  };
  running.add(loop);
  void exit.then(() => running.delete(loop));
  return loop;
}
