// A `--json` run that fails still answers on stdout: a script piping `status --json | jq` or a
// monitoring check reading `cleanup --json` gets a document naming the exit code and why,
// instead of an empty stream it cannot tell from a crash. The human line still goes to stderr.
import { EXIT } from "../core/errors.js";
import type { Io, OutStream } from "./io.js";

export const ERROR_SCHEMA_VERSION = 1;

/** `--json` among the options (not after `--`, where it would be an argument). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

/** The exit table's name for a code (`unknown`, `usage`, ...), as the document's `kind`. */
export function exitKind(code: number): string {
  for (const [name, value] of Object.entries(EXIT)) if (value === code) return name;
  return "unknown";
}

/** The error document: one line, so NDJSON readers (watch, keepalive) read it as one more record. */
export function errorDocument(exitCode: number, message: string): string {
  return JSON.stringify({ schemaVersion: ERROR_SCHEMA_VERSION, error: { exitCode, kind: exitKind(exitCode), message } }) + "\n";
}

/**
 * `io` with a stdout that remembers what was written: the error document is added only where it
 * cannot break a document already begun (on an untouched stdout, or after whole NDJSON lines).
 */
export function trackStdout(io: Io): { io: Io; canAppend(): "untouched" | "lines" | "midline" } {
  let last = "";
  let written = false;
  const target = io.stdout;
  const stdout = new Proxy(target, {
    get(t, prop) {
      if (prop === "write") {
        return (chunk: unknown, ...rest: unknown[]) => {
          const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : chunk instanceof Uint8Array ? Buffer.from(chunk).toString() : "";
          if (text.length > 0) {
            written = true;
            last = text;
          }
          return (t.write as (...a: unknown[]) => boolean)(chunk, ...rest);
        };
      }
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  }) as OutStream;
  return { io: { ...io, stdout }, canAppend: () => (!written ? "untouched" : last.endsWith("\n") ? "lines" : "midline") };
}
