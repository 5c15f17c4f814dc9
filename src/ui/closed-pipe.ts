// A reader that goes away (`keepalive | head -1`, `status --help | head -1`) is not an error of
// ours: Node reports it as an 'error' event on stdout/stderr, which, unhandled, kills the process
// with a stack in the middle of whatever it was doing, perhaps an index write. Handled here, once
// for every command: later output is dropped, the work in progress finishes, and a command that
// would run forever (keepalive) is told to stop as if by SIGTERM's first request.
import { EventEmitter } from "node:events";

const closed = new EventEmitter();
let outputClosed = false;
let installed = false;

/** Install once, before any command writes. */
export function guardStdio(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  if (installed) return;
  installed = true;
  for (const stream of streams) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      silence(stream);
      if (!outputClosed) {
        outputClosed = true;
        closed.emit("closed");
      }
    });
  }
}

/** Writes after the reader left go nowhere, and report success so no caller waits on them. */
function silence(stream: NodeJS.WriteStream): void {
  stream.write = ((_chunk: unknown, encodingOrCb?: unknown, cb?: unknown) => {
    const done = typeof encodingOrCb === "function" ? encodingOrCb : cb;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  }) as NodeJS.WriteStream["write"];
}

/** cb runs once when stdout or stderr loses its reader (at once if it already has); returns the unsubscribe. */
export function onOutputClosed(cb: () => void): () => void {
  if (outputClosed) {
    queueMicrotask(cb);
    return () => {};
  }
  closed.once("closed", cb);
  return () => closed.off("closed", cb);
}
