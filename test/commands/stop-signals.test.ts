import { describe, expect, it } from "vitest";
import { stopSignals } from "../../src/commands/stop-signals.js";

// SIGUSR2, emitted in-process: only the listeners run, nothing is sent to the test worker
const SIG = "SIGUSR2" as const;

describe("stopSignals: the one way a long-running command hears it should stop", () => {
  it("a signal before onStop is not lost: the callback runs at once", () => {
    const stop = stopSignals([SIG]);
    try {
      process.emit(SIG, SIG);
      expect(stop.requested).toBe(true);
      let called = 0;
      stop.onStop(() => called++);
      expect(called).toBe(1);
    } finally {
      stop.dispose();
    }
  });

  it("a signal after onStop runs the callback; dispose stops listening", () => {
    const before = process.listenerCount(SIG);
    const stop = stopSignals([SIG]);
    let called = 0;
    stop.onStop(() => called++);
    expect(stop.requested).toBe(false);
    process.emit(SIG, SIG);
    expect(called).toBe(1);
    stop.dispose();
    expect(process.listenerCount(SIG)).toBe(before);
  });
});
