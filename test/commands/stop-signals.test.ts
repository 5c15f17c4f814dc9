import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { stopSignals } from "../../src/commands/stop-signals.js";

// SIGUSR2, emitted in-process: only the listeners run, nothing is sent to the test worker
const SIG = "SIGUSR2" as const;

describe("stopSignals: the one way a long-running command hears it should stop", () => {
  it("a signal before onStop is not lost: the callback runs at once", () => {
    const stop = stopSignals({ signals: [SIG] });
    try {
      process.emit(SIG, SIG);
      expect(stop.requested).toBe(true);
      expect(stop.signal).toBe(SIG);
      let called = 0;
      stop.onStop(() => called++);
      expect(called).toBe(1);
    } finally {
      stop.dispose();
    }
  });

  it("a signal after onStop runs the callback; dispose stops listening", () => {
    const before = process.listenerCount(SIG);
    const stop = stopSignals({ signals: [SIG] });
    let called = 0;
    stop.onStop(() => called++);
    expect(stop.requested).toBe(false);
    process.emit(SIG, SIG);
    expect(called).toBe(1);
    stop.dispose();
    expect(process.listenerCount(SIG)).toBe(before);
  });

  it("a second signal goes to onSecond with its name; without onSecond it is ignored", () => {
    const source = new EventEmitter();
    const seconds: string[] = [];
    const stop = stopSignals({ signals: ["SIGINT", "SIGTERM"], source, onSecond: (s) => seconds.push(s) });
    source.emit("SIGINT");
    expect(seconds).toEqual([]);
    source.emit("SIGTERM");
    expect(seconds).toEqual(["SIGTERM"]);
    expect(stop.signal).toBe("SIGINT");
    stop.dispose();
    expect(source.listenerCount("SIGINT") + source.listenerCount("SIGTERM")).toBe(0);

    const quiet = stopSignals({ signals: ["SIGINT"], source });
    source.emit("SIGINT");
    source.emit("SIGINT");
    expect(quiet.requested).toBe(true);
    quiet.dispose();
  });

  it("the caller's abort and request() count as the first signal, and settle the promise", async () => {
    const source = new EventEmitter();
    const seconds: string[] = [];
    const abort = new AbortController();
    const stop = stopSignals({ signals: ["SIGTERM"], source, abort: abort.signal, onSecond: (s) => seconds.push(s) });
    abort.abort();
    await stop.promise;
    expect(stop.requested).toBe(true);
    expect(stop.signal).toBeUndefined();
    source.emit("SIGTERM");
    expect(seconds).toEqual(["SIGTERM"]);
    stop.dispose();

    const piped = stopSignals({ signals: [], source });
    piped.request("SIGPIPE");
    piped.request("SIGINT");
    await piped.promise;
    expect(piped.signal).toBe("SIGPIPE");
  });

  it("sleep ends early on a stop, at once when already stopping, and a finished sleep leaves nothing waiting", async () => {
    const source = new EventEmitter();
    const stop = stopSignals({ signals: ["SIGTERM"], source });
    await stop.sleep(1); // ran out on its own
    const long = stop.sleep(60_000);
    source.emit("SIGTERM");
    await long; // would hang the test for a minute were the wake-up lost
    await stop.sleep(60_000);
    let late = 0;
    stop.onStop(() => late++);
    expect(late).toBe(1);
    stop.dispose();
  });
});
