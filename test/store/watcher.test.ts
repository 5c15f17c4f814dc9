import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { classifyName, watchStores, type StoreChange, type StoreWatcher } from "../../src/store/watcher.js";

let root: string;
let dir: string;
let watcher: StoreWatcher | undefined;
let calls: StoreChange[][];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; calls: ${describeCalls()}`);
    await sleep(10);
  }
}

function describeCalls(): string {
  return JSON.stringify(calls.map((batch) => batch.map((c) => ({ dir: c.dir, names: [...c.names], rescan: c.rescan }))));
}

/** The change for `d` in any batch from `from` on that satisfies `pred`. */
function findChange(d: string, pred: (c: StoreChange) => boolean, from = 0): StoreChange | undefined {
  for (const batch of calls.slice(from)) for (const c of batch) if (c.dir === d && pred(c)) return c;
  return undefined;
}

function atomicWrite(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function start(dirs: string[], opts: Parameters<typeof watchStores>[2] = {}): StoreWatcher {
  watcher = watchStores(dirs, (changes) => calls.push(changes), opts);
  return watcher;
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-watch-"));
  dir = path.join(root, "agents", "main", "sessions");
  fs.mkdirSync(dir, { recursive: true });
  calls = [];
});

afterEach(() => {
  watcher?.close();
  watcher = undefined;
  vi.restoreAllMocks();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("classifyName", () => {
  it.each([
    ["sessions.json", { kind: "index" }],
    ["abc.jsonl", { kind: "session", sessionId: "abc" }],
    ["abc.jsonl.lock", { kind: "session", sessionId: "abc" }],
    ["abc.trajectory.jsonl", { kind: "session", sessionId: "abc" }],
    ["abc.trajectory-path.json", { kind: "session", sessionId: "abc" }],
    ["sessions.json.123.4f2a.tmp", null],
    ["abc.jsonl.tmp", null],
    ["sessions.json.lock", null],
    ["sessions.json.bak.1760000000000", null],
    ["abc.jsonl.deleted.2026-07-01T12-34-56.789Z", null],
    [".jsonl", null],
    ["notes.txt", null],
  ])("%s", (name, expected) => {
    expect(classifyName(name)).toEqual(expected);
  });
});

describe("watchStores", () => {
  it("fires on an atomic replace of sessions.json, and again on the next one", async () => {
    const index = path.join(dir, "sessions.json");
    fs.writeFileSync(index, "{}");
    start([dir]);
    atomicWrite(index, '{"a":1}');
    await waitFor(() => findChange(dir, (c) => c.index && c.names.has("sessions.json")), "first replace");
    const seen = calls.length;
    atomicWrite(index, '{"a":2}');
    await waitFor(() => findChange(dir, (c) => c.index && c.names.has("sessions.json"), seen), "second replace");
    for (const batch of calls) for (const c of batch) for (const n of c.names) expect(n.endsWith(".tmp")).toBe(false);
  });

  it("coalesces a burst into one callback that includes its last name", async () => {
    // a quiet time far longer than a loaded machine pauses between 30 appends: a split burst then
    // means the watcher split it, not that this process was descheduled for 150 ms
    start([dir], { debounceMs: 1_500, maxWaitMs: 20_000 });
    for (let i = 0; i < 30; i++) fs.appendFileSync(path.join(dir, `s${i}.jsonl`), "{}\n");
    await waitFor(() => calls.length > 0, "the burst", 25_000);
    // a marker written after the burst's callback: a split burst's rest was queued before it, so
    // it comes before or with the marker, never after (no fixed wait for "nothing else came")
    fs.appendFileSync(path.join(dir, "marker.jsonl"), "{}\n");
    await waitFor(() => findChange(dir, (c) => c.sessionIds.has("marker")), "the marker", 25_000);
    expect(calls).toHaveLength(2);
    expect([...calls[1][0].names]).toEqual(["marker.jsonl"]);
    const [change] = calls[0];
    expect(change.names.has("s29.jsonl")).toBe(true);
    expect(change.sessionIds.size).toBe(30);
  });

  it("delivers a steady stream within the max wait instead of starving", async () => {
    start([dir], { debounceMs: 100, maxWaitMs: 300 });
    const file = path.join(dir, "busy.jsonl");
    // appends 5 times faster than the debounce's quiet time: only the max wait can deliver (the
    // test's timeout, not a wall-clock deadline, is the limit)
    let appends = 0;
    while (calls.length === 0) {
      fs.appendFileSync(file, "{}\n");
      appends++;
      await sleep(20);
    }
    expect(appends).toBeGreaterThan(1);
    expect(calls[0][0].sessionIds).toEqual(new Set(["busy"]));
  });

  it("maps transcript, trajectory, pointer and lock names to their sessionId", async () => {
    start([dir]);
    fs.appendFileSync(path.join(dir, "sess-1.jsonl"), '{"type":"message"}\n');
    fs.writeFileSync(path.join(dir, "sess-2.jsonl.lock"), '{"pid":1}');
    fs.appendFileSync(path.join(dir, "sess-3.trajectory.jsonl"), "{}\n");
    fs.writeFileSync(path.join(dir, "sess-4.trajectory-path.json"), "{}");
    const change = await waitFor(() => findChange(dir, (c) => c.sessionIds.has("sess-4")), "all four");
    const ids = new Set(calls.flat().flatMap((c) => [...c.sessionIds]));
    expect([...ids].sort()).toEqual(["sess-1", "sess-2", "sess-3", "sess-4"]);
    expect(change.index).toBe(false);
  });

  it("ignores *.tmp and unrelated files", async () => {
    start([dir]);
    fs.writeFileSync(path.join(dir, "sessions.json.99.abc.tmp"), "{}");
    fs.writeFileSync(path.join(dir, "readme.txt"), "x");
    fs.appendFileSync(path.join(dir, "real.jsonl"), "{}\n");
    await waitFor(() => findChange(dir, (c) => c.names.has("real.jsonl")), "real.jsonl");
    const names = calls.flat().flatMap((c) => [...c.names]);
    expect(names).toEqual(["real.jsonl"]);
  });

  it("picks up a directory created after start (two levels missing)", async () => {
    const later = path.join(root, "agents", "ops", "sessions");
    start([later], { retryMs: 60_000 }); // the ancestor watch, not the retry interval, must catch it
    fs.mkdirSync(later, { recursive: true });
    await waitFor(() => findChange(later, (c) => c.rescan), "appearance");
    const seen = calls.length;
    atomicWrite(path.join(later, "sessions.json"), "{}");
    await waitFor(() => findChange(later, (c) => c.names.has("sessions.json"), seen), "a write inside it");
  });

  it("re-arms when the directory vanishes and is re-created (same inode number)", async () => {
    start([dir]);
    fs.rmSync(dir, { recursive: true });
    await waitFor(() => findChange(dir, (c) => c.rescan), "vanish");
    const seen = calls.length;
    fs.mkdirSync(dir);
    await waitFor(() => findChange(dir, (c) => c.rescan, seen), "re-creation");
    const seen2 = calls.length;
    atomicWrite(path.join(dir, "sessions.json"), "{}");
    await waitFor(() => findChange(dir, (c) => c.names.has("sessions.json"), seen2), "a write in the new directory");
  });

  it("re-arms from the check interval when the directory is renamed away (no event)", async () => {
    start([dir], { retryMs: 50 });
    fs.renameSync(dir, `${dir}.old`);
    await waitFor(() => findChange(dir, (c) => c.rescan), "the loss");
    fs.mkdirSync(dir);
    const seen = calls.length;
    await waitFor(() => findChange(dir, (c) => c.rescan, seen), "re-creation");
    const seen2 = calls.length;
    fs.appendFileSync(path.join(dir, "x.jsonl"), "{}\n");
    await waitFor(() => findChange(dir, (c) => c.sessionIds.has("x"), seen2), "a write in the new directory");
  });

  it("survives a watcher 'error' event: re-arms and asks for a rescan", async () => {
    const made: fs.FSWatcher[] = [];
    const real = fs.watch;
    vi.spyOn(fs, "watch").mockImplementation(((...args: Parameters<typeof fs.watch>) => {
      const w = real(...args);
      made.push(w);
      return w;
    }) as typeof fs.watch);
    const errors: Error[] = [];
    start([dir], { onError: (e) => errors.push(e) });
    expect(made).toHaveLength(1);
    made[0].emit("error", Object.assign(new Error("boom"), { code: "EIO" }));
    await waitFor(() => findChange(dir, (c) => c.rescan), "rescan after error");
    expect(errors.map((e) => e.message)).toEqual(["boom"]);
    expect(made.length).toBe(2);
    const seen = calls.length;
    fs.appendFileSync(path.join(dir, "after.jsonl"), "{}\n");
    await waitFor(() => findChange(dir, (c) => c.sessionIds.has("after"), seen), "events after re-arm");
  });

  it("watches several directories and reports each under its own dir", async () => {
    const other = path.join(root, "agents", "ops", "sessions");
    fs.mkdirSync(other, { recursive: true });
    start([dir, other]);
    fs.appendFileSync(path.join(other, "o.jsonl"), "{}\n");
    fs.appendFileSync(path.join(dir, "m.jsonl"), "{}\n");
    await waitFor(() => findChange(other, (c) => c.sessionIds.has("o")) && findChange(dir, (c) => c.sessionIds.has("m")), "both");
    expect(findChange(other, (c) => c.sessionIds.has("m"))).toBeUndefined();
  });

  it("close() stops callbacks and leaves no open handles", async () => {
    await sleep(20); // handles closed by the previous test are released on a later tick
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const before = count("FSEventWrap");
    const timersBefore = count("Timeout");
    // a second watcher on the same dir, told apart from the one under test, says when the file
    // events have reached this process: no fixed sleep decides "arrived" or "nothing came"
    const control: StoreChange[][] = [];
    const seen = (id: string) => control.some((b) => b.some((c) => c.sessionIds.has(id)));
    const probe = watchStores([dir], (changes) => control.push(changes), { debounceMs: 1 });
    const w = start([dir, path.join(root, "missing", "sessions")], { debounceMs: 200 });
    expect(count("FSEventWrap")).toBeGreaterThan(before);
    fs.appendFileSync(path.join(dir, "pending.jsonl"), "{}\n"); // a change still in its debounce window
    await waitFor(() => seen("pending"), "the pending change to arrive");
    w.close();
    w.close(); // idempotent
    fs.appendFileSync(path.join(dir, "late.jsonl"), "{}\n");
    await waitFor(() => seen("late"), "the late change to arrive");
    // the closed watcher's debounce window (200 ms) has passed once its own timer would have fired:
    // a control with the same window, armed by the same late event, delivers first
    const window: StoreChange[][] = [];
    const same = watchStores([dir], (changes) => window.push(changes), { debounceMs: 200 });
    fs.appendFileSync(path.join(dir, "later.jsonl"), "{}\n");
    await waitFor(() => window.length > 0, "a 200 ms window to pass");
    same.close();
    probe.close();
    expect(calls).toHaveLength(0);
    // closed handles leave the list on a later turn of the loop; a leaked one never does
    await waitFor(() => count("FSEventWrap") === before, `the watch handles to be released (${count("FSEventWrap")} of ${before})`);
    expect(count("Timeout")).toBeLessThanOrEqual(timersBefore);
  });
});
