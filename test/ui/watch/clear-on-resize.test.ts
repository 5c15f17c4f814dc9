import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CLEAR_SCREEN, RESIZE_SETTLE_MS, clearAfterResize } from "../../../src/ui/watch/clear-on-resize.js";

class FakeTerminal extends EventEmitter {
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit("resize");
  }
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe("clearAfterResize", () => {
  it("clears the screen once the size has settled: one clear after a drag of several resizes", () => {
    const term = new FakeTerminal(160, 40);
    const written: string[] = [];
    clearAfterResize(term, (t) => written.push(t));
    term.resize(140, 40);
    vi.advanceTimersByTime(RESIZE_SETTLE_MS - 10);
    term.resize(100, 40);
    term.resize(80, 40);
    vi.advanceTimersByTime(RESIZE_SETTLE_MS - 1);
    expect(written).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(written).toEqual([CLEAR_SCREEN]);
    term.resize(80, 20); // a height change re-wraps nothing, but moves the frame: cleared too
    vi.advanceTimersByTime(RESIZE_SETTLE_MS);
    expect(written).toEqual([CLEAR_SCREEN, CLEAR_SCREEN]);
  });

  it("a resize event with the same size clears nothing; once stopped, a pending clear is dropped", () => {
    const term = new FakeTerminal(100, 30);
    const written: string[] = [];
    const stop = clearAfterResize(term, (t) => written.push(t));
    term.emit("resize");
    vi.advanceTimersByTime(RESIZE_SETTLE_MS);
    expect(written).toEqual([]);
    term.resize(60, 30);
    stop();
    vi.advanceTimersByTime(RESIZE_SETTLE_MS);
    term.resize(50, 30);
    vi.advanceTimersByTime(RESIZE_SETTLE_MS);
    expect(written).toEqual([]);
  });
});
