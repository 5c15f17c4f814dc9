import React from "react";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Heartbeat } from "../../../src/core/types.js";
import { WatchApp, type WatchAppProps } from "../../../src/ui/watch/watch-app.js";
import { CLEAR_SCREEN } from "../../../src/ui/watch/clear-on-resize.js";
import { FakeSource, NOW, hb, oneOfEach, sleep, waitFor } from "../fixtures.js";

const KEY = { up: "\u001B[A", down: "\u001B[B", enter: "\r", esc: "\u001B", ctrlC: "\u0003", backspace: "\u007F" };

type Rendered = ReturnType<typeof render>;
const mounted: Rendered[] = [];

afterEach(() => {
  for (const r of mounted.splice(0)) r.unmount();
});

function mount(source: FakeSource, props: Partial<WatchAppProps> = {}): Rendered & { frame: () => string } {
  const r = render(<WatchApp source={source} now={() => NOW} rows={30} columns={140} {...props} />);
  mounted.push(r);
  return Object.assign(r, { frame: () => r.lastFrame() ?? "" });
}

async function until(r: { frame: () => string }, probe: (frame: string) => boolean): Promise<string> {
  await waitFor(() => probe(r.frame()), r.frame);
  return r.frame();
}

/** Ink only listens for input after its first effects ran: wait for a frame, then type. */
async function press(r: Rendered & { frame: () => string }, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    r.stdin.write(k);
    await sleep(15);
  }
}

const lines = (frame: string) => frame.split("\n");
const selectedLine = (frame: string) => lines(frame).find((l) => l.startsWith("›")) ?? "";
/** session keys of the table rows, top to bottom */
const rowKeys = (frame: string) =>
  lines(frame)
    .filter((l) => /^[› ] [●◐▲✖○] /.test(l))
    .map((l) => /(agent:main:[\w-]+|s-\d+)/.exec(l)?.[1] ?? "?");

describe("WatchApp", () => {
  it("shows every health with its shape and word, and every state", async () => {
    const r = mount(new FakeSource(oneOfEach()));
    const frame = await until(r, (f) => f.includes("e-idle"));
    for (const label of ["● active", "◐ waiting", "▲ stalled", "✖ unresponsive", "○ idle"]) {
      expect(frame).toContain(label);
    }
    for (const state of ["tool exec", "awaiting model", "complete"]) expect(frame).toContain(state);
    expect(lines(frame).find((l) => l.includes("a-active"))).toMatch(/● active.*tool exec.*claude-sonnet-4-5.*exec.*1m05s.*2s ago/);
  });

  it("counts sessions by health in the header", async () => {
    const list = [
      hb({ sessionKey: "s-1", health: "active", state: "awaiting_model" }),
      hb({ sessionKey: "s-2", health: "active", state: "tool_exec" }),
      hb({ sessionKey: "s-3", health: "active", state: "tool_exec" }),
      hb({ sessionKey: "s-4", health: "idle" }),
      hb({ sessionKey: "s-5", health: "unresponsive", state: "tool_exec" }),
    ];
    const r = mount(new FakeSource(list));
    const header = lines(await until(r, (f) => f.includes("s-5")))[0];
    expect(header).toContain("5 sessions");
    expect(header).toContain("● 3 active");
    expect(header).toContain("○ 1 idle");
    expect(header).toContain("✖ 1 unresponsive");
    expect(header).toContain("▲ 0 stalled");
    expect(header).toContain("◐ 0 waiting");
  });

  it("draws one row per session when two stores hold the same agent and key (a copied agent dir), through sorts and reversals", async () => {
    const dup = hb({ sessionKey: "agent:main:main", health: "idle", lastActivityAt: NOW - 60_000 });
    const list = [dup, { ...dup, sessionId: "copy" }, ...oneOfEach()];
    const r = mount(new FakeSource(list));
    let frame = await until(r, (f) => f.includes("e-idle"));
    const count = (f: string) => rowKeys(f).length;
    expect(count(frame)).toBe(list.length);
    for (const k of ["s", "s", "r", "r", "s", KEY.down, KEY.down, "r"]) {
      await press(r, k);
      frame = r.frame();
      expect(count(frame), frame).toBe(list.length);
      expect(rowKeys(frame).filter((key) => key === "agent:main:main")).toHaveLength(2);
    }
  });

  it("moves the selection with down/j and up/k", async () => {
    const r = mount(new FakeSource(oneOfEach()));
    let frame = await until(r, (f) => f.includes("e-idle"));
    const order = rowKeys(frame);
    expect(selectedLine(frame)).toContain(order[0]);
    await press(r, KEY.down);
    frame = await until(r, (f) => selectedLine(f).includes(order[1]));
    await press(r, "j");
    frame = await until(r, (f) => selectedLine(f).includes(order[2]));
    await press(r, "k");
    frame = await until(r, (f) => selectedLine(f).includes(order[1]));
    await press(r, KEY.up, KEY.up, KEY.up); // stops at the top
    frame = await until(r, (f) => selectedLine(f).includes(order[0]));
    expect(lines(frame).filter((l) => l.startsWith("›"))).toHaveLength(1);
  });

  it("applies every key of a burst Ink delivers as one string (key repeat, a paste ending in enter)", async () => {
    const r = mount(new FakeSource(oneOfEach()));
    const frame = await until(r, (f) => f.includes("e-idle"));
    const order = rowKeys(frame);
    r.stdin.write("jj");
    await until(r, (f) => selectedLine(f).includes(order[2]));
    r.stdin.write("k\r");
    await until(r, (f) => selectedLine(f).includes(order[1]) && f.includes("reasons:"));
    // a pasted filter ending in enter, with a character outside the BMP
    r.stdin.write("/zz👍\r");
    await until(r, (f) => f.includes('filter "zz👍"'));
  });

  it("keeps the selection on the same session when rows move", async () => {
    const src = new FakeSource(oneOfEach());
    const r = mount(src);
    await until(r, (f) => f.includes("e-idle"));
    await press(r, "G"); // last row
    await until(r, (f) => selectedLine(f).includes("e-idle"));
    const newcomer = hb({ sessionKey: "agent:main:0-new", health: "unresponsive", state: "tool_exec", lastActivityAt: NOW });
    src.push([newcomer, ...oneOfEach()]);
    const frame = await until(r, (f) => f.includes("0-new"));
    expect(selectedLine(frame)).toContain("e-idle");
  });

  it("keeps the same order for identical updates (ties broken by key)", async () => {
    const same = (ago: number): Heartbeat[] =>
      ["s-3", "s-1", "s-2"].map((k) => hb({ sessionKey: k, health: "active", state: "tool_exec", lastActivityAt: NOW - ago }));
    const src = new FakeSource(same(5_000));
    const r = mount(src);
    const first = await until(r, (f) => f.includes("s-3"));
    expect(rowKeys(first)).toEqual(["s-1", "s-2", "s-3"]);
    src.push(same(4_000).reverse(), NOW + 1);
    const second = await until(r, (f) => f.includes("4s ago"));
    expect(rowKeys(second)).toEqual(["s-1", "s-2", "s-3"]);
  });

  it("cycles the sort field with s and reverses it with r, problems staying first", async () => {
    const r = mount(new FakeSource(oneOfEach()));
    let frame = await until(r, (f) => f.includes("e-idle"));
    expect(frame).toContain("sort activity ↓");
    // default: activity, newest first after the problems
    expect(rowKeys(frame)).toEqual(["agent:main:d-unresponsive", "agent:main:c-stalled", "agent:main:a-active", "agent:main:b-waiting", "agent:main:e-idle"]);
    await press(r, "s");
    frame = await until(r, (f) => f.includes("sort elapsed ↓"));
    // longest turn first; e-idle has no turn start and goes last
    expect(rowKeys(frame)).toEqual(["agent:main:d-unresponsive", "agent:main:c-stalled", "agent:main:a-active", "agent:main:b-waiting", "agent:main:e-idle"]);
    await press(r, "s");
    frame = await until(r, (f) => f.includes("sort session ↑"));
    await press(r, "r");
    frame = await until(r, (f) => f.includes("sort session ↓"));
    expect(rowKeys(frame)).toEqual(["agent:main:d-unresponsive", "agent:main:c-stalled", "agent:main:e-idle", "agent:main:b-waiting", "agent:main:a-active"]);
    expect(lines(frame)[1]).toContain("SESSION ↓");
    await press(r, "r");
    frame = await until(r, (f) => f.includes("sort session ↑"));
    expect(rowKeys(frame)).toEqual(["agent:main:d-unresponsive", "agent:main:c-stalled", "agent:main:a-active", "agent:main:b-waiting", "agent:main:e-idle"]);
  });

  it("filters by text: type, enter applies, esc clears", async () => {
    const r = mount(new FakeSource(oneOfEach()));
    await until(r, (f) => f.includes("e-idle"));
    await press(r, "/", "g", "p", "t", "x", KEY.backspace);
    let frame = await until(r, (f) => f.includes("/gpt"));
    expect(rowKeys(frame)).toHaveLength(5); // not applied while typing
    await press(r, KEY.enter);
    frame = await until(r, (f) => f.includes('filter "gpt"'));
    expect(rowKeys(frame)).toEqual(["agent:main:b-waiting"]);
    expect(lines(frame)[0]).toContain("showing 1");
    expect(lines(frame)[0]).toContain("5 sessions"); // counts stay over everything
    await press(r, "/", KEY.esc);
    frame = await until(r, (f) => !f.includes('filter "') && rowKeys(f).length === 5);
    expect(selectedLine(frame)).toContain("b-waiting"); // the selection stayed on its session
  });

  it("shows problems only with p", async () => {
    const r = mount(new FakeSource(oneOfEach()));
    await until(r, (f) => f.includes("e-idle"));
    await press(r, "p");
    const frame = await until(r, (f) => f.includes("problems only"));
    expect(rowKeys(frame)).toEqual(["agent:main:d-unresponsive", "agent:main:c-stalled"]);
    await press(r, "p");
    await until(r, (f) => rowKeys(f).length === 5);
  });

  it("pauses with space: PAUSED, updates held, released on resume", async () => {
    const src = new FakeSource(oneOfEach());
    const r = mount(src);
    await until(r, (f) => f.includes("e-idle"));
    await press(r, " ");
    await until(r, (f) => f.includes("PAUSED"));
    src.push([...oneOfEach(), hb({ sessionKey: "agent:main:f-late", health: "active", state: "tool_exec" })]);
    let frame = await until(r, (f) => f.includes("1 update held"));
    expect(frame).not.toContain("f-late");
    await press(r, " ");
    frame = await until(r, (f) => f.includes("f-late"));
    expect(frame).not.toContain("PAUSED");
  });

  it("toggles a details pane with the verdict, drift and reasons", async () => {
    const r = mount(new FakeSource(oneOfEach()));
    await until(r, (f) => f.includes("e-idle"));
    expect(r.frame()).not.toContain("reasons:");
    await press(r, KEY.enter); // the unresponsive session is on top
    let frame = await until(r, (f) => f.includes("reasons:"));
    expect(frame).toContain("• lock owner pid 4242 is dead");
    expect(frame).toContain("• no gateway running");
    expect(frame).toContain("index running  ≠ evidence: running in index, lock owner pid 4242 is dead");
    await press(r, "G");
    frame = await until(r, (f) => f.includes("(agrees with the evidence)"));
    expect(frame).toContain("index done");
    await press(r, KEY.enter);
    await until(r, (f) => !f.includes("reasons"));
  });

  it("on a short terminal the details say how many reasons are cut, and f shows them all", async () => {
    // 24 rows: half-height details get 10 lines, full height 19, and these details are 18
    const reasons = Array.from({ length: 10 }, (_, i) => `reason number ${i + 1}`);
    const r = mount(new FakeSource([hb({ sessionKey: "s-many", health: "stalled", state: "tool_exec", reasons })]), { rows: 24, columns: 100 });
    await until(r, (f) => f.includes("s-many"));
    await press(r, KEY.enter);
    let frame = await until(r, (f) => f.includes("reasons:"));
    expect(frame).toMatch(/… \d+ more \(f: full height\)/);
    expect(frame).not.toContain("reason number 10");
    await press(r, "f");
    frame = await until(r, (f) => f.includes("reason number 10"));
    expect(frame).not.toContain(" more");
    expect(selectedLine(frame)).toContain("s-many");
    expect(lines(frame).length).toBeLessThan(24);
    await press(r, "f");
    await until(r, (f) => !f.includes("reason number 10") && /… \d+ more \(f: full height\)/.test(f));
  });

  it("shows and closes the help overlay", async () => {
    const r = mount(new FakeSource(oneOfEach()));
    await until(r, (f) => f.includes("e-idle"));
    await press(r, "?");
    const frame = await until(r, (f) => f.includes("space          pause"));
    expect(frame).not.toContain("e-idle");
    await press(r, "x");
    await until(r, (f) => f.includes("e-idle") && !f.includes("space          pause"));
  });

  it.each([
    ["q", ["q"]],
    ["ctrl-c", [KEY.ctrlC]],
    ["esc", [KEY.esc]],
  ])("quits on %s, calling onExit once and unsubscribing", async (_name, keys) => {
    const src = new FakeSource(oneOfEach());
    const onExit = vi.fn();
    const r = mount(src, { onExit });
    await until(r, (f) => f.includes("e-idle"));
    expect(src.listenerCount).toBe(1);
    await press(r, ...keys);
    await waitFor(() => onExit.mock.calls.length > 0, r.frame);
    await waitFor(() => src.listenerCount === 0, r.frame);
    expect(onExit).toHaveBeenCalledTimes(1);
  });

  it("esc closes details before it quits", async () => {
    const onExit = vi.fn();
    const r = mount(new FakeSource(oneOfEach()), { onExit });
    await until(r, (f) => f.includes("e-idle"));
    await press(r, KEY.enter);
    await until(r, (f) => f.includes("reasons:"));
    await press(r, KEY.esc);
    await until(r, (f) => !f.includes("reasons:"));
    expect(onExit).not.toHaveBeenCalled();
  });

  it("never renders more lines than the terminal has, with 1,000 sessions", async () => {
    const many = Array.from({ length: 1_000 }, (_, i) =>
      hb({ sessionKey: `s-${String(i).padStart(4, "0")}`, health: i % 7 === 0 ? "waiting" : "active", state: "awaiting_model", lastActivityAt: NOW - i * 1_000 }),
    );
    const r = mount(new FakeSource(many), { rows: 20, columns: 100 });
    let frame = await until(r, (f) => f.includes("s-0000"));
    expect(lines(frame).length).toBeLessThan(20);
    expect(rowKeys(frame).length).toBeLessThan(20);
    expect(frame).toMatch(/1-\d+\/1000/);
    await press(r, "G");
    frame = await until(r, (f) => selectedLine(f).includes("s-0999"));
    expect(lines(frame).length).toBeLessThan(20);
    expect(frame).toContain("/1000");
    await press(r, KEY.enter); // details take room from the rows, not from the terminal
    frame = await until(r, (f) => f.includes("reasons"));
    expect(lines(frame).length).toBeLessThan(20);
    expect(selectedLine(frame)).toContain("s-0999");
    r.rerender(<WatchApp source={new FakeSource(many)} now={() => NOW} rows={8} columns={60} />);
    frame = await until(r, (f) => lines(f).length < 8 && f.includes("s-"));
    for (const l of lines(frame)) expect(l.length).toBeLessThanOrEqual(60);
  });

  it("re-lays out when the terminal is resized, then clears the screen and draws the frame from the top", async () => {
    const many = Array.from({ length: 50 }, (_, i) => hb({ sessionKey: `s-${String(i).padStart(2, "0")}`, health: "active", state: "tool_exec" }));
    const r = render(<WatchApp source={new FakeSource(many)} now={() => NOW} />);
    mounted.push(r);
    // the clear that follows a resize (clear-on-resize.ts) comes with the frame drawn again after it
    const frame = () => (r.lastFrame() ?? "").replace(CLEAR_SCREEN, "");
    const cleared = () => r.frames.filter((f) => f.startsWith(CLEAR_SCREEN)).length;
    const size = (rows: number, columns: number) => {
      Object.defineProperty(r.stdout, "rows", { value: rows, configurable: true });
      Object.defineProperty(r.stdout, "columns", { value: columns, configurable: true });
      r.stdout.emit("resize");
    };
    await waitFor(() => frame().includes("s-00"), frame);
    expect(cleared()).toBe(0);
    size(40, 120);
    await waitFor(() => lines(frame()).length === 39, frame);
    size(12, 50);
    await waitFor(() => lines(frame()).length < 12, frame);
    for (const l of lines(frame())) expect(l.length).toBeLessThanOrEqual(50);
    // one clear per settled size: one or two here, as the first size had settled or not
    await waitFor(() => cleared() >= 1, frame);
    expect(r.lastFrame()!.startsWith(CLEAR_SCREEN)).toBe(true);
  });

  it("ticks clocks from the injected clock", async () => {
    let now = NOW;
    const r = mount(new FakeSource(oneOfEach()), { now: () => now, tickMs: 20 });
    let frame = await until(r, (f) => f.includes("e-idle"));
    expect(lines(frame).find((l) => l.includes("a-active"))).toMatch(/1m05s\s+2s ago/);
    now = NOW + 60_000;
    frame = await until(r, (f) => /2m05s\s+1m02s ago/.test(f));
    expect(frame).toContain("updated 1m00s ago");
  });

  it("freezes clocks while paused", async () => {
    let now = NOW;
    let reads = 0;
    const r = mount(new FakeSource(oneOfEach()), { now: () => (reads++, now), tickMs: 20 });
    await until(r, (f) => f.includes("e-idle"));
    await press(r, " ");
    await until(r, (f) => f.includes("PAUSED"));
    now = NOW + 60_000;
    // wait for ticks to have read the moved clock (not for a fixed time, which a loaded machine
    // may spend without a single tick, passing the test without proving anything)
    const after = reads;
    await waitFor(() => reads >= after + 3, r.frame);
    expect(lines(r.frame()).find((l) => l.includes("a-active"))).toMatch(/1m05s\s+2s ago/);
  });

  it("marks a feed that stopped updating", async () => {
    const src = new FakeSource(oneOfEach(), NOW - 400);
    let now = NOW;
    const r = mount(src, { now: () => now, tickMs: 20, staleAfterMs: 10_000 });
    let frame = await until(r, (f) => f.includes("updated 0.4s ago"));
    expect(frame).not.toContain("no updates");
    now = NOW + 15_000;
    frame = await until(r, (f) => f.includes("(no updates)"));
    expect(frame).toContain("updated 15s ago");
  });
});

describe("WatchApp: the warnings banner", () => {
  const STORE = "/state/agents/ops/sessions/sessions.json";
  const CORRUPT = `agent ops: ${STORE} was not read: session index ${STORE} is not valid JSON at 1:3; nothing was read or written`;

  it("names an unreadable store above the table, the other sessions still shown, and clears once it reads again", async () => {
    const src = new FakeSource(oneOfEach());
    src.setWarnings([CORRUPT]);
    const r = mount(src);
    let frame = await until(r, (f) => f.includes("e-idle"));
    expect(lines(frame)[1]).toContain(`⚠ agent ops: ${STORE} was not read`);
    src.setWarnings([]);
    frame = await until(r, (f) => !f.includes("⚠"));
    expect(frame).toContain("e-idle");
    expect(frame).not.toContain("was not read");
  });

  it("a warning that clears with no change to the list leaves the screen on the next tick", async () => {
    const src = new FakeSource(oneOfEach());
    src.setWarnings(["cannot watch /state/agents/main/sessions (EMFILE): re-reading it every few seconds instead"]);
    const r = mount(src, { tickMs: 20 });
    await until(r, (f) => f.includes("cannot watch"));
    src.setWarnings([], false);
    const frame = await until(r, (f) => !f.includes("cannot watch"));
    expect(frame).toContain("e-idle");
  });

  it("many warnings take a few lines and say how many more, within 80 columns", async () => {
    const src = new FakeSource(oneOfEach());
    src.setWarnings(Array.from({ length: 12 }, (_, i) => `agent a${i}: ${"/very/long/path/".repeat(6)}sessions.json was not read`));
    const r = mount(src, { rows: 24, columns: 80 });
    const frame = await until(r, (f) => f.includes("more warnings"));
    for (const l of lines(frame)) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(lines(frame).filter((l) => l.startsWith("⚠"))).toHaveLength(6);
    expect(frame).toContain("⚠ … 7 more warnings");
    expect(lines(frame).length).toBeLessThan(24);
  });
});

describe("watch at 80 columns", () => {
  it("rows whose keys end alike stay told apart, and the footer's key hints fit the line", async () => {
    const keys = ["agent:main:telegram:direct:4242:run:a1-killed", "agent:main:telegram:direct:4242:run:b2-killed", "agent:ops:discord:channel:99887766:thread:7-done", "agent:ops:discord:channel:99887766:thread:8-done"];
    const list = keys.map((sessionKey) => hb({ sessionKey, health: "idle", state: "complete", model: "anthropic/claude-opus-4-1-20250805" }));
    const r = mount(new FakeSource(list), { rows: 20, columns: 80 });
    const frame = await until(r, (f) => f.includes("updated"));
    const all = lines(frame);
    for (const l of all) expect(l.length, l).toBeLessThanOrEqual(80);
    const head = all.find((l) => l.includes("SESSION"))!;
    const start = head.indexOf("SESSION");
    const end = head.indexOf("AGENT");
    const cells = all.filter((l) => l.includes("…") && l.includes("idle")).map((l) => l.slice(start, end).trim());
    expect(cells).toHaveLength(keys.length);
    expect(new Set(cells).size).toBe(keys.length);
    const footer = all.at(-1)!;
    expect(footer).toMatch(/q quit$/);
  });
});

describe("WatchApp: frames only for what changes on screen", () => {
  /** 60 idle sessions an hour and more old: 18 fit in a 24-line terminal, sorted newest first */
  const idleList = (): Heartbeat[] =>
    Array.from({ length: 60 }, (_, i) =>
      hb({ sessionKey: `s-${String(i).padStart(2, "0")}`, health: "idle", state: "complete", lastActivityAt: NOW - 3_600_000 - i * 60_000, reasons: [`ended ${i}m ago`] }),
    );
  /** the same sessions, the last `n` (off screen) with their reasons re-worded, as an era C tick does */
  const rewordTail = (list: Heartbeat[], n: number): Heartbeat[] => list.map((h, i) => (i >= list.length - n ? { ...h, reasons: [`${h.reasons[0]} (re-worded)`] } : h));
  /** React renders an update on a microtask: after one macrotask, a frame it asked for is written */
  const flushed = () => new Promise((r) => setImmediate(r));

  it("an update that only re-words reasons of sessions off screen draws no frame, and the next frame draws it", async () => {
    const list = idleList();
    const src = new FakeSource(list);
    const r = mount(src, { rows: 24, columns: 120 });
    await until(r, (f) => f.includes("s-00"));
    await flushed();
    const before = r.frames.length;
    src.push(rewordTail(list, 10));
    await flushed();
    expect(r.frames.length).toBe(before);
    // the update was taken all the same: the last session, reached and opened, shows its new reason
    await press(r, "G", KEY.enter);
    const frame = await until(r, (f) => f.includes("reasons:"));
    expect(frame).toContain("ended 59m ago (re-worded)");
  });

  it("an update that changes a row on screen, or a session's place, draws a frame", async () => {
    const list = idleList();
    const src = new FakeSource(list);
    const r = mount(src, { rows: 24, columns: 120 });
    await until(r, (f) => f.includes("s-00"));
    src.push(list.map((h, i) => (i === 1 ? { ...h, model: "gpt-5" } : h)));
    await until(r, (f) => f.includes("gpt-5"));
    // an off-screen session turned unresponsive moves to the top
    src.push(list.map((h, i) => (i === 59 ? { ...h, health: "unresponsive" } : h)));
    await until(r, (f) => rowKeys(f)[0] === "s-59");
  });

  it("an update that re-words the reasons of the session whose details are open draws them", async () => {
    const list = idleList();
    const src = new FakeSource(list);
    const r = mount(src, { rows: 24, columns: 120 });
    await until(r, (f) => f.includes("s-00"));
    await press(r, KEY.enter);
    await until(r, (f) => f.includes("ended 0m ago"));
    src.push(list.map((h, i) => (i === 0 ? { ...h, reasons: ["ended 1m ago"] } : h)));
    await until(r, (f) => f.includes("ended 1m ago"));
  });

  it("a clock tick that changes no text on screen draws no frame; one that does, draws", async () => {
    let now = NOW;
    let reads = 0;
    const src = new FakeSource(idleList(), NOW - 400);
    const r = mount(src, { rows: 24, columns: 120, now: () => (reads++, now), tickMs: 20 });
    const ticks = async (n: number): Promise<void> => {
      const after = reads;
      await waitFor(() => reads >= after + n, r.frame);
    };
    await until(r, (f) => f.includes("updated 0.4s ago"));
    await ticks(3);
    const before = r.frames.length;
    // the clock moves a second a tick and the feed keeps up: "updated 0.4s ago" and "1h00m ago" read the same
    for (let i = 0; i < 5; i++) {
      now += 1_000;
      src.updatedAt = now - 400;
      await ticks(2);
    }
    expect(r.frames.length).toBe(before);
    // a minute later every age reads differently
    now += 60_000;
    src.updatedAt = now - 400;
    await until(r, (f) => f.includes("1h01m ago"));
  });
});
