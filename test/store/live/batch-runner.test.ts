import { describe, expect, it } from "vitest";
import { BatchRunner } from "../../../src/store/live/batch-runner.js";
import { queueStore, type Pending } from "../../../src/store/live/pending.js";

/** A batch that stays open until the test releases it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe("BatchRunner: a live source's work, one batch at a time", () => {
  it("changes queued while a batch runs form the next batch, applied together once it ends", async () => {
    const batches: string[][] = [];
    const first = gate();
    const runner = new BatchRunner(
      async (work: Pending) => {
        batches.push([...work.stores.keys()]);
        if (batches.length === 1) await first.opened;
      },
      (err) => {
        throw err;
      },
      () => true,
    );
    queueStore(runner.pending, "a", false);
    runner.kick();
    queueStore(runner.pending, "b", false);
    runner.kick();
    queueStore(runner.pending, "c", false);
    expect(batches).toEqual([["a"]]);
    first.open();
    await runner.settled();
    expect(batches).toEqual([["a"], ["b", "c"]]);
  });

  it("a batch that throws is reported and the next change still runs", async () => {
    const errors: string[] = [];
    let calls = 0;
    const runner = new BatchRunner(
      async () => {
        if (++calls === 1) throw new Error("disk gone");
      },
      (err) => errors.push(err.message),
      () => true,
    );
    queueStore(runner.pending, "a", false);
    runner.kick();
    await runner.settled();
    queueStore(runner.pending, "a", false);
    runner.kick();
    await runner.settled();
    expect(errors).toEqual(["disk gone"]);
    expect(calls).toBe(2);
  });

  it("nothing runs while it may not (the first read, or closed), and queued work waits for the next kick", async () => {
    let may = false;
    let calls = 0;
    const runner = new BatchRunner(async () => void calls++, () => {}, () => may);
    queueStore(runner.pending, "a", false);
    runner.kick();
    await runner.settled();
    expect(calls).toBe(0);
    expect(runner.busyFor()).toBe(0);
    may = true;
    runner.kick();
    await runner.settled();
    expect(calls).toBe(1);
  });
});
