// The warnings that hold now (an index that does not parse, a store that cannot be read, a dir
// that cannot be watched), drawn above the table and re-read from the source: a warning that
// cleared leaves the screen, unlike lines printed above the view.
import React, { useCallback, useEffect, useState } from "react";
import { Box, Text } from "ink";
import type { HeartbeatSource } from "./source.js";

/** At most `max` lines: the first warnings, then how many more there are. */
export function bannerLines(warnings: readonly string[], max: number): string[] {
  if (warnings.length <= max) return warnings.map((w) => `⚠ ${w}`);
  const shown = Math.max(0, max - 1);
  const more = warnings.length - shown;
  return [...warnings.slice(0, shown).map((w) => `⚠ ${w}`), `⚠ … ${more} more warning${more === 1 ? "" : "s"}`];
}

/**
 * The source's current warnings, re-read on the clock tick (a warning can clear or appear with no
 * update) and by `refresh`, which the view calls after every update of the source (drawn or
 * not); a new array only when they changed, so an unchanged banner costs no frame.
 */
export function useWarnings(source: HeartbeatSource, tickMs: number): { warnings: string[]; refresh: () => void } {
  const [warnings, setWarnings] = useState<string[]>(() => source.warnings?.() ?? []);
  const refresh = useCallback((): void => {
    const next = source.warnings?.() ?? [];
    setWarnings((prev) => (prev.length === next.length && prev.every((w, i) => w === next[i]) ? prev : next));
  }, [source]);
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, tickMs);
    return () => clearInterval(timer);
  }, [refresh, tickMs]);
  return { warnings, refresh };
}

export function Banner({ lines }: { lines: readonly string[] }): React.JSX.Element | null {
  if (lines.length === 0) return null;
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} color="yellow" wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}
