// The details pane: everything the verdict rests on for the selected session, including where
// the index disagrees with the evidence.
import React from "react";
import { Box, Text } from "ink";
import type { Heartbeat } from "../../core/types.js";
import { DOTS } from "../dots.js";
import { clean, displayName, displayWidth, formatAgo, formatElapsed, stateWord } from "../format.js";
import { useNow } from "./clock.js";

export interface DetailLine {
  text: string;
  tone?: "title" | "warn" | "dim";
}

/** A model no run recorded is the one OpenClaw would use: say where it is set. */
const MODEL_FROM: Record<NonNullable<Heartbeat["modelSource"]>, string> = {
  run: "",
  override: " (session override)",
  "agent-config": " (agent's configured model)",
  "default-config": " (configured default)",
};

/** The pane's lines, most important first: a short pane cuts reasons, never the verdict. */
export function detailLines(hb: Heartbeat, now: number): DetailLine[] {
  const style = DOTS[hb.health];
  const lines: DetailLine[] = [
    { text: `── ${displayName(hb)} ──`, tone: "title" },
    { text: `key ${clean(hb.sessionKey)}  agent ${clean(hb.agentId)}  id ${clean(hb.sessionId)}` },
    {
      text: `health ${style.shape} ${style.word}  state ${stateWord(hb.state)}  model ${hb.model ? `${clean(hb.model)}${MODEL_FROM[hb.modelSource ?? "run"]}` : "-"}  tool ${hb.toolName ? clean(hb.toolName) : "-"}`,
    },
    { text: `turn ${formatElapsed(hb, now)}  last activity ${formatAgo(hb.lastActivityAt, now)}${hb.turnId ? `  turn id ${clean(hb.turnId)}` : ""}` },
  ];
  const index = hb.storeStatus ? clean(hb.storeStatus) : "no status";
  lines.push(
    hb.drift
      ? { text: `index ${index}  ≠ evidence: ${clean(hb.drift)}`, tone: "warn" }
      : { text: `index ${index}  (agrees with the evidence)`, tone: "dim" },
  );
  lines.push(
    hb.outcome
      ? { text: `outcome ${hb.outcome}${hb.outcomeReason ? `: ${clean(hb.outcomeReason)}` : ""}`, tone: hb.outcome === "lost" ? "warn" : undefined }
      : { text: "outcome - (a run is in progress, or how it ended is not known yet)", tone: "dim" },
  );
  if (hb.reasons.length === 0) lines.push({ text: "reasons: none recorded", tone: "dim" });
  else {
    lines.push({ text: "reasons:" });
    for (const r of hb.reasons) lines.push({ text: `  • ${clean(r)}` });
  }
  return lines;
}

/** Continuation lines of a wrapped detail line start here, under its text. */
const CONTINUED = "    ";

/**
 * Each line cut into lines of at most `width` cells, at spaces where it can be (a reason is read
 * whole, not cut at the terminal's edge); a word longer than a line is split where it must be.
 */
export function wrapDetailLines(lines: readonly DetailLine[], width: number): DetailLine[] {
  const room = Math.max(CONTINUED.length + 8, Math.floor(width));
  const out: DetailLine[] = [];
  for (const line of lines) {
    if (displayWidth(line.text) <= room) {
      out.push(line);
      continue;
    }
    let current = "";
    const flush = (): void => {
      out.push({ ...line, text: current });
      current = CONTINUED;
    };
    for (const word of line.text.split(/(?<= )/)) {
      if (displayWidth(current + word) <= room) {
        current += word;
        continue;
      }
      if (current.trim() !== "") flush();
      for (const ch of word) {
        if (displayWidth(current + ch) > room) flush();
        current += ch;
      }
    }
    if (current.trim() !== "") out.push({ ...line, text: current });
  }
  return out;
}

/** `full`: the pane already has all the room it can get, so no key would show more. */
export function Details({ hb, height, width, full = false }: { hb: Heartbeat; height: number; width: number; full?: boolean }): React.JSX.Element {
  const now = useNow((t) => detailLines(hb, t).map((l) => l.text).join("\n"));
  const all = wrapDetailLines(detailLines(hb, now), width);
  let shown = all.slice(0, height);
  if (all.length > height && height > 1) {
    shown = [...all.slice(0, height - 1), { text: `  … ${all.length - height + 1} more${full ? "" : " (f: full height)"}`, tone: "dim" }];
  }
  return (
    <Box flexDirection="column">
      {shown.map((line, i) => (
        <Text
          key={i}
          wrap="truncate-end"
          bold={line.tone === "title"}
          color={line.tone === "warn" ? "yellow" : undefined}
          dimColor={line.tone === "dim"}
        >
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
