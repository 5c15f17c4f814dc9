// Errors that carry their own exit code; src/cli.ts is the one place that maps them.

export const EXIT = {
  ok: 0,
  /** status --check: some session stalled */
  warning: 1,
  /** status --check: some session unresponsive; also usage errors (commander) */
  critical: 2,
  /** unreadable input: a corrupt index, an era C store, a missing state dir */
  unknown: 3,
  /** a write was refused or failed; nothing was changed */
  writeRefused: 4,
  /** another openclaw-sessions process holds the lock */
  busy: 5,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** The index (or a config file) could not be read or parsed. Never leads to a write. */
export class UnreadableError extends CliError {
  constructor(message: string) {
    super(message, EXIT.unknown);
    this.name = "UnreadableError";
  }
}

/** A write was refused by a safety rule or failed before the rename; the index is unchanged. */
export class WriteRefusedError extends CliError {
  constructor(message: string) {
    super(message, EXIT.writeRefused);
    this.name = "WriteRefusedError";
  }
}
