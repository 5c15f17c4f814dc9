import React from "react";
import { Text } from "ink";
import { formatAge } from "../format.js";
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
}

const KEYS = "↑↓/jk select  enter details  s sort  r reverse  / filter  p problems  space pause  ? help  q quit";

export function Footer(props: FooterProps): React.JSX.Element {
  const now = useNow();
  const lastUpdateAt = props.lastUpdateAt();
  if (props.filterMode) {
    return (
      <Text wrap="truncate-end">
        <Text color="cyan">{`/${props.filterDraft}`}</Text>
        <Text inverse> </Text>
        <Text dimColor>{"  enter apply  esc clear"}</Text>
      </Text>
    );
  }
  const age = now - lastUpdateAt;
  // an event-driven feed that goes quiet this long is broken, not calm: the source refreshes periodically
  const stale = !props.paused && lastUpdateAt > 0 && age > props.staleAfterMs;
  const status = lastUpdateAt <= 0 ? (
    <Text dimColor>waiting for the first update</Text>
  ) : props.paused ? (
    <Text color="yellow" bold inverse>{` PAUSED${props.held > 0 ? ` (${props.held} update${props.held === 1 ? "" : "s"} held)` : ""} `}</Text>
  ) : (
    <Text color={stale ? "yellow" : undefined} dimColor={!stale}>
      {`updated ${formatAge(age)} ago${stale ? " (no updates)" : ""}`}
    </Text>
  );
  const facts = [
    props.range,
    `sort ${props.sort.field} ${props.sort.dir === "asc" ? "↑" : "↓"}`,
    props.problemsOnly ? "problems only" : undefined,
    props.filterText ? `filter "${props.filterText}"` : undefined,
  ].filter(Boolean);
  return (
    <Text wrap="truncate-end">
      {status}
      <Text>{`  ${facts.join(" · ")}`}</Text>
      <Text dimColor>{`  ${KEYS}`}</Text>
    </Text>
  );
}
