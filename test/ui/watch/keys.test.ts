import { describe, expect, it } from "vitest";
import { DEFAULT_SORT } from "../../../src/core/order.js";
import { reduceKey, type ViewState } from "../../../src/ui/watch/keys.js";

const base: ViewState = { sort: DEFAULT_SORT, problemsOnly: false, filterText: "", filterMode: false, filterDraft: "", details: false, detailsFull: false, help: false, paused: false };
const ctx = { now: 1_000, page: 10 };

/** Apply keys one after another, as a fast typist or a paste delivers them. */
function run(state: ViewState, ...keys: Array<string | Record<string, boolean>>): { state: ViewState; effects: string[] } {
  const effects: string[] = [];
  for (const k of keys) {
    const [input, key] = typeof k === "string" ? [k, {}] : ["", k];
    const out = reduceKey(state, input, key, ctx);
    state = out.state;
    if (out.effect?.kind === "quit") effects.push("quit");
    if (out.effect?.kind === "move") effects.push(`move ${out.effect.to(5, 100)}`);
  }
  return { state, effects };
}

describe("reduceKey", () => {
  it("moves with arrows, j/k, pages and ends", () => {
    expect(run(base, "j", "k", { downArrow: true }, { upArrow: true }, { pageDown: true }, { pageUp: true }, "g", "G").effects).toEqual([
      "move 6", "move 4", "move 6", "move 4", "move 15", "move -5", "move 0", "move 99",
    ]);
  });

  it("types a filter even when keys come faster than renders", () => {
    const { state } = run(base, "/", "g", "p", "t", "x", { backspace: true }, { return: true });
    expect(state).toMatchObject({ filterMode: false, filterText: "gpt" });
    // letters that are commands outside filter mode are text inside it
    const typed = run(base, "/", "q", "s", "p", " ");
    expect(typed.state.filterDraft).toBe("qsp ");
    expect(typed.effects).toEqual([]);
    expect(typed.state.sort).toEqual(DEFAULT_SORT);
  });

  it("esc in filter mode clears the filter; ctrl-c still quits", () => {
    const applied = run(base, "/", "a", { return: true }).state;
    expect(run(applied, "/", { escape: true }).state).toMatchObject({ filterMode: false, filterText: "" });
    expect(run(applied, "/", { ctrl: true }).effects).toEqual([]);
    expect(reduceKey({ ...applied, filterMode: true }, "c", { ctrl: true }, ctx).effect).toEqual({ kind: "quit" });
  });

  it("esc backs out one level at a time", () => {
    const deep: ViewState = { ...base, details: true, filterText: "x" };
    const r1 = run(deep, { escape: true });
    expect(r1.state).toMatchObject({ details: false, filterText: "x" });
    const r2 = run(r1.state, { escape: true });
    expect(r2.state.filterText).toBe("");
    expect(run(r2.state, { escape: true }).effects).toEqual(["quit"]);
  });

  it("f gives the details full height, opening them if closed; f again halves them; enter and esc close both", () => {
    const full = run(base, "f").state;
    expect(full).toMatchObject({ details: true, detailsFull: true });
    expect(run(full, "f").state).toMatchObject({ details: true, detailsFull: false });
    expect(run(full, { return: true }).state).toMatchObject({ details: false, detailsFull: false });
    expect(run(full, { escape: true }).state).toMatchObject({ details: false, detailsFull: false });
    // reopened with enter, the pane is half height again
    expect(run(run(full, { escape: true }).state, { return: true }).state).toMatchObject({ details: true, detailsFull: false });
  });

  it("cycles sort fields in their natural direction and reverses", () => {
    let s = run(base, "s").state;
    expect(s.sort).toEqual({ field: "elapsed", dir: "desc" });
    s = run(s, "s").state;
    expect(s.sort).toEqual({ field: "session", dir: "asc" });
    s = run(s, "r").state;
    expect(s.sort).toEqual({ field: "session", dir: "desc" });
    const full = run(base, ...Array.from({ length: 7 }, () => "s")).state;
    expect(full.sort).toEqual(DEFAULT_SORT);
  });

  it("pauses at the current instant and resumes", () => {
    const paused = run(base, " ").state;
    expect(paused).toMatchObject({ paused: true, frozenAt: 1_000 });
    expect(run(paused, " ").state).toMatchObject({ paused: false, frozenAt: undefined });
  });

  it("toggles details, problems only and help; any key closes help, q quits from it", () => {
    expect(run(base, { return: true }).state.details).toBe(true);
    expect(run(base, "p").state.problemsOnly).toBe(true);
    const help = run(base, "?").state;
    expect(help.help).toBe(true);
    expect(run(help, "j")).toEqual({ state: { ...help, help: false }, effects: [] });
    expect(run(help, "q").effects).toEqual(["quit"]);
  });

  it("ignores control characters as filter text", () => {
    expect(run(base, "/", "\u001b[2J", "a").state.filterDraft).toBe("a");
  });
});
