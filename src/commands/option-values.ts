// What no option of ours takes as its value, refused before any command runs (exit 64): another
// option (`cleanup --active-key --dry-run` made "--dry-run" the key, and the cleanup wrote for
// real) and an empty value (`--store "$UNSET"` was taken as no --store: every agent's index).
// commander gives an option that requires a value whatever word comes next, so it is checked here.
import type { Command, Option } from "commander";
import { UsageError } from "../core/errors.js";

/** Throws a UsageError for the first option given on the command line with such a value. */
export function refuseOptionValues(cmd: Command): void {
  // commander keeps help and version apart from cmd.options
  const flags = new Set(["-h", "-V", ...cmd.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined)]);
  for (const option of cmd.options as Option[]) {
    if (!option.required && !option.optional) continue;
    const name = option.attributeName();
    if (cmd.getOptionValueSource(name) !== "cli") continue;
    const value: unknown = cmd.getOptionValue(name);
    const flag = option.long ?? option.short ?? option.flags;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== "string") continue;
      if (v.trim() === "") throw new UsageError(`${flag} is empty: give it a value or leave it out (an unset variable?)`);
      if (v.startsWith("--") || flags.has(v)) {
        const never = v.startsWith("--") ? ` (a value starting with "--" is never taken: write a path so named as ./${v})` : "";
        throw new UsageError(`${flag} was given the option "${v}" as its value: put ${flag}'s value right after it${never}`);
      }
    }
  }
}
