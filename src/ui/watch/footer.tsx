import React from "react";
import { Text } from "ink";
import { displayWidth, formatAge } from "../format.js";
import type { SortState } from "./arrange.js";
import { useNow } from "./clock.js";

export interface FooterProps {
  /** read on every tick: a periodic refresh that changed nothing still counts as an update */
  lastUpdateAt: () => number;
  staleAfterMs: number;
  paused: boolean;
  held: number;
  filterMode: boolean;
  filterDraft: string;
  filterText: string;
  problemsOnly: boolean;
  sort: SortState;
  /** "12-30/1000" when the rows do not all fit */
  range?: string;
  /** terminal columns: the key hints shorten to fit (default: the full hints) */
  width?: number;
}

/** Key hints from the fullest to the shortest; the footer shows the fullest that fits its line. */
export const KEY_HINTS = [
  "↑↓/jk select  enter details  s sort  r reverse  / filter  p problems  space pause  ? help  q quit",
  "↑↓ select  enter details  s sort  / filter  p problems  ? help  q quit",
  "enter details  / filter  ? help  q quit",
  "? help  q quit",
  "? help",
];

/** The fullest hint that fits in `room` cells (after the two-space gap), else none. */
export function keyHint(room: number | undefined): string {
  if (room === undefined) return KEY_HINTS[0];
  return KEY_HINTS.find((k) => displayWidth(k) + 2 <= room) ?? "";
}

/** What the footer says about the feed at `now`; yellow once the feed is stale. */
function feedStatus(props: FooterProps, now: number, lastUpdateAt: number): { text: string; stale: boolean } {
  const age = now - lastUpdateAt;
  // an event-driven feed that goes quiet this long is broken, not calm: the source refreshes periodically
  const stale = !props.paused && lastUpdateAt > 0 && age > props.staleAfterMs;
  const text =
    lastUpdateAt <= 0
      ? "waiting for the first update"
      : props.paused
        ? ` PAUSED${props.held > 0 ? ` (${props.held} update${props.held === 1 ? "" : "s"} held)` : ""} `
        : `updated ${formatAge(age)} ago${stale ? " (no updates)" : ""}`;
  return { text, stale };
}

export function Footer(props: FooterProps): React.JSX.Element {
  // re-rendered by a tick only when the feed's age reads differently
  const now = useNow((t) => {
    if (props.filterMode) return "";
    const s = feedStatus(props, t, props.lastUpdateAt());
    return `${s.stale} ${s.text}`;
  });
  if (props.filterMode) {
    return (
      <Text wrap="truncate-end">
        <Text color="cyan">{`/${props.filterDraft}`}</Text>
        <Text inverse> </Text>
        <Text dimColor>{"  enter apply  esc clear"}</Text>
      </Text>
    );
  }
  const lastUpdateAt = props.lastUpdateAt();
  const { text: statusText, stale } = feedStatus(props, now, lastUpdateAt);
  const status = lastUpdateAt <= 0 ? (
    <Text dimColor>waiting for the first update</Text>
  ) : props.paused ? (
    <Text color="yellow" bold inverse>
      {statusText}
    </Text>
  ) : (
    <Text color={stale ? "yellow" : undefined} dimColor={!stale}>
      {statusText}
    </Text>
  );
  const facts = [
    props.range,
    `sort ${props.sort.field} ${props.sort.dir === "asc" ? "↑" : "↓"}`,
    props.problemsOnly ? "problems only" : undefined,
    props.filterText ? `filter "${props.filterText}"` : undefined,
  ].filter(Boolean);
  const factsText = `  ${facts.join(" · ")}`;
  const hint = keyHint(props.width === undefined ? undefined : props.width - displayWidth(statusText) - displayWidth(factsText));
  return (
    <Text wrap="truncate-end">
      {status}
      <Text>{factsText}</Text>
      {hint ? <Text dimColor>{`  ${hint}`}</Text> : null}
    </Text>
  );
}
