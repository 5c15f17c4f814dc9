// Errors that carry their own exit code; src/cli.ts is the one place that maps them.

export const EXIT = {
  ok: 0,
  /** status --check: some session stalled */
  warning: 1,
  /** status --check: some session unresponsive */
  critical: 2,
  /** unreadable input: a corrupt index, an era C store, a missing state dir */
  unknown: 3,
  /** a write was refused or failed; nothing was changed */
  writeRefused: 4,
  /** another openclaw-sessions process holds the lock */
  busy: 5,
  /** bad usage: an unknown flag, a bad value, contradicting flags (sysexits EX_USAGE) */
  usage: 64,
  /** a service needed is unavailable: a port in use, a gateway refusing our auth (EX_UNAVAILABLE) */
  unavailable: 69,
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
  /** `saysNothingChanged`: the message already tells the user that nothing was read or written. */
  constructor(
    message: string,
    readonly saysNothingChanged = false,
  ) {
    super(message, EXIT.unknown);
    this.name = "UnreadableError";
  }
}

/**
 * SQLite itself found the file damaged (SQLITE_CORRUPT, SQLITE_NOTADB): its word outranks a
 * verdict read from the file format alone, which sees only what the damage left legible.
 */
export class DamagedStoreError extends UnreadableError {
  constructor(message: string) {
    super(message);
    this.name = "DamagedStoreError";
  }
}

/** A write was refused by a safety rule or failed before the rename; the index is unchanged. */
export class WriteRefusedError extends CliError {
  constructor(message: string) {
    super(message, EXIT.writeRefused);
    this.name = "WriteRefusedError";
  }
}

/**
 * A write lost a race (the gateway held the store, the index kept changing, our lock was taken
 * over): nothing was changed and trying again later may succeed, so loops back off instead of
 * treating it as a refusal by a safety rule.
 */
export class WriteConflictError extends WriteRefusedError {
  constructor(message: string) {
    super(message);
    this.name = "WriteConflictError";
  }
}

/** Bad usage (a flag, its value, or flags that contradict each other); nothing was read or written. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "UsageError";
  }
}

/** A service the command needs is unavailable (a port in use, a gateway refusing our auth). */
export class UnavailableError extends CliError {
  constructor(message: string) {
    super(message, EXIT.unavailable);
    this.name = "UnavailableError";
  }
}
