import React from "react";
import { Text } from "ink";
import type { Heartbeat } from "../../core/types.js";
import type { GatewayIndicator } from "./source.js";
import { DOTS, HEALTH_ORDER } from "../dots.js";
import { countByHealth } from "../status-table.js";

export interface HeaderProps {
  all: readonly Heartbeat[];
  shown: number;
  /** with --gateway: whether the live overlay is connected (else the files decide alone) */
  gateway?: GatewayIndicator;
}

/** Counts over every session, not just the filtered ones: a filter must not hide a problem's existence. */
export function Header({ all, shown, gateway }: HeaderProps): React.JSX.Element {
  const counts = countByHealth(all);
  return (
    <Text wrap="truncate-end">
      <Text bold>openclaw-sessions</Text>
      {` ${all.length} session${all.length === 1 ? "" : "s"}`}
      {HEALTH_ORDER.map((h) => {
        const style = DOTS[h];
        const zero = counts[h] === 0;
        return (
          <Text key={h} color={zero || style.dim ? undefined : style.color} dimColor={zero || style.dim}>
            {`  ${style.shape} ${counts[h]} ${style.word}`}
          </Text>
        );
      })}
      {shown !== all.length ? <Text dimColor>{`  · showing ${shown}`}</Text> : null}
      {gateway ? <GatewayMark gateway={gateway} /> : null}
    </Text>
  );
}

/** `gateway live` while the overlay refines the rows; `gateway off` (files only) and why, otherwise. */
export function gatewayMarkText(g: GatewayIndicator): string {
  if (g.connected) return `  · gateway live (protocol ${g.protocol ?? "?"})`;
  // no reason yet: the first attempt is under way
  return g.reason ? `  · gateway off, files only: ${g.reason}` : "  · gateway connecting, files only";
}

function GatewayMark({ gateway }: { gateway: GatewayIndicator }): React.JSX.Element {
  return <Text color={gateway.connected ? "green" : "yellow"}>{gatewayMarkText(gateway)}</Text>;
}
