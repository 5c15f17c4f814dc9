// What each key does to the view, as a pure function. Keys are applied one after another to the
// latest state (not to the state of the last render), so fast typing or a paste ("/gpt") never
// loses a key to a mode switch that has not rendered yet.
import type { Key } from "ink";
import { nextSort, type SortState } from "./arrange.js";

export interface ViewState {
  sort: SortState;
  problemsOnly: boolean;
  /** the applied text filter */
  filterText: string;
  /** typing a filter: keys edit `filterDraft` */
  filterMode: boolean;
  filterDraft: string;
  details: boolean;
  /** the details pane takes the table's room but the selected row: every reason on a short terminal */
  detailsFull: boolean;
  help: boolean;
  paused: boolean;
  /** the instant every clock shows while paused */
  frozenAt?: number;
}

export type KeyEffect = { kind: "quit" } | { kind: "move"; to: (from: number, total: number) => number };

export interface KeyContext {
  now: number;
  /** rows per page, for page up/down */
  page: number;
}

const isPrintable = (input: string): boolean => input.length > 0 && !/[\u0000-\u001f\u007f-\u009f]/.test(input);

const move = (to: (from: number, total: number) => number): KeyEffect => ({ kind: "move", to });

export function reduceKey(s: ViewState, input: string, key: Partial<Key>, ctx: KeyContext): { state: ViewState; effect?: KeyEffect } {
  if (key.ctrl && input === "c") return { state: s, effect: { kind: "quit" } };
  if (s.filterMode) {
    if (key.return) return { state: { ...s, filterMode: false, filterText: s.filterDraft.trim() } };
    if (key.escape) return { state: { ...s, filterMode: false, filterText: "", filterDraft: "" } };
    if (key.backspace || key.delete) return { state: { ...s, filterDraft: [...s.filterDraft].slice(0, -1).join("") } };
    if (key.upArrow) return { state: s, effect: move((i) => i - 1) };
    if (key.downArrow) return { state: s, effect: move((i) => i + 1) };
    if (!key.ctrl && !key.meta && isPrintable(input)) return { state: { ...s, filterDraft: s.filterDraft + input } };
    return { state: s };
  }
  if (s.help) {
    // any key closes the overlay; q still quits from it
    return input === "q" ? { state: s, effect: { kind: "quit" } } : { state: { ...s, help: false } };
  }
  if (key.escape) {
    // esc backs out one level: details, then the filter, then the program
    if (s.details) return { state: { ...s, details: false, detailsFull: false } };
    if (s.filterText) return { state: { ...s, filterText: "", filterDraft: "" } };
    return { state: s, effect: { kind: "quit" } };
  }
  if (key.upArrow) return { state: s, effect: move((i) => i - 1) };
  if (key.downArrow) return { state: s, effect: move((i) => i + 1) };
  if (key.pageUp) return { state: s, effect: move((i) => i - ctx.page) };
  if (key.pageDown) return { state: s, effect: move((i) => i + ctx.page) };
  if (key.home) return { state: s, effect: move(() => 0) };
  if (key.end) return { state: s, effect: move((_i, total) => total - 1) };
  if (key.return) return { state: { ...s, details: !s.details, detailsFull: false } };
  switch (input) {
    case "q":
      return { state: s, effect: { kind: "quit" } };
    case "k":
      return { state: s, effect: move((i) => i - 1) };
    case "j":
      return { state: s, effect: move((i) => i + 1) };
    case "g":
      return { state: s, effect: move(() => 0) };
    case "G":
      return { state: s, effect: move((_i, total) => total - 1) };
    case "s":
      return { state: { ...s, sort: nextSort(s.sort) } };
    case "r":
      return { state: { ...s, sort: { ...s.sort, dir: s.sort.dir === "asc" ? "desc" : "asc" } } };
    case "p":
      return { state: { ...s, problemsOnly: !s.problemsOnly } };
    case "/":
      return { state: { ...s, filterMode: true, filterDraft: s.filterText } };
    case " ":
      return { state: s.paused ? { ...s, paused: false, frozenAt: undefined } : { ...s, paused: true, frozenAt: ctx.now } };
    case "f":
      // full-height details, opening them if closed; again: back to half
      return { state: s.details && s.detailsFull ? { ...s, detailsFull: false } : { ...s, details: true, detailsFull: true } };
    case "?":
      return { state: { ...s, help: true } };
    default:
      return { state: s };
  }
}
