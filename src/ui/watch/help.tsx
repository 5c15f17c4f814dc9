import React from "react";
import { Box, Text } from "ink";

export const HELP_LINES: readonly string[] = [
  "keys",
  "  ↑ ↓  j k       select a session (pgup pgdn, g G: page, first, last)",
  "  enter          details of the selected session: verdict, reasons, index drift",
  "  f              details at full height, for every reason (again: half)",
  "  s  r           cycle the sort field, reverse it (problems always first)",
  "  /              filter by text: type, enter applies, esc clears",
  "  p              problems only (unresponsive, stalled)",
  "  space          pause: freeze the view, hold updates",
  "  ?              this help (any key closes it)",
  "  esc            close help or details, clear the filter, else quit",
  "  q  ctrl-c      quit",
  "",
  "health  ● active  ◐ waiting  ▲ stalled  ✖ unresponsive  ○ idle",
];

export function Help({ height }: { height: number }): React.JSX.Element {
  return (
    <Box flexDirection="column">
      {HELP_LINES.slice(0, Math.max(1, height)).map((line, i) => (
        <Text key={i} wrap="truncate-end" bold={i === 0}>
          {line || " "}
        </Text>
      ))}
    </Box>
  );
}
