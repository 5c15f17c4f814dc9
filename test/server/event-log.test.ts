import { describe, expect, it } from "vitest";
import { EventLog, type Frame } from "../../src/server/event-log.js";

const frame = (seq: number): Frame => ({ type: "heartbeat", seq, json: `{"seq":${seq}}` });

describe("EventLog", () => {
  it("gives each event the next seq, starting after the first one", () => {
    const log = new EventLog(10, 100);
    expect(log.seq).toBe(100);
    expect(log.append(frame).seq).toBe(101);
    expect(log.append(frame).seq).toBe(102);
    expect(log.seq).toBe(102);
  });

  it("replays exactly the events after since, and nothing when since is current", () => {
    const log = new EventLog(10, 0);
    for (let i = 0; i < 5; i++) log.append(frame);
    expect(log.after(2)!.map((f) => f.seq)).toEqual([3, 4, 5]);
    expect(log.after(0)!.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log.after(5)).toEqual([]);
  });

  it("says resync (undefined) once since is older than the ring, or is not a seq it reached", () => {
    const log = new EventLog(3, 0);
    for (let i = 0; i < 7; i++) log.append(frame);
    expect(log.oldest()).toBe(5);
    expect(log.after(4)!.map((f) => f.seq)).toEqual([5, 6, 7]);
    expect(log.after(3)).toBeUndefined();
    expect(log.after(8)).toBeUndefined();
    expect(log.after(-1)).toBeUndefined();
    expect(log.after(1.5)).toBeUndefined();
  });

  it("an empty log resumes only from its current seq", () => {
    const log = new EventLog(3, 50);
    expect(log.after(50)).toEqual([]);
    expect(log.after(49)).toBeUndefined();
  });

  it("refuses a frame that does not carry the seq it was given", () => {
    const log = new EventLog(3, 0);
    expect(() => log.append(() => frame(7))).toThrow(/not the next/);
  });
});
