// One line per request or connection (and a few for the server itself): text for people,
// --log-format json (one object a line) for log shippers. URLs are logged without their query:
// a ticket in a URL must not outlive its 30 seconds in a log file.

export type LogFormat = "text" | "json";

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  /** `event` names what happened (request, stream, listening, warning, ...) */
  line(event: string, fields?: LogFields): void;
}

export function parseLogFormat(text: string): LogFormat {
  if (text === "text" || text === "json") return text;
  throw new RangeError(`--log-format must be text or json (got "${text}")`);
}

function textValue(v: string | number | boolean | null): string {
  const s = String(v);
  return s === "" || /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

export function createLogger(format: LogFormat, out: (line: string) => void, now: () => number = Date.now): Logger {
  return {
    line(event, fields = {}) {
      const ts = new Date(now()).toISOString();
      const present = Object.entries(fields).filter((e): e is [string, string | number | boolean | null] => e[1] !== undefined);
      if (format === "json") out(`${JSON.stringify({ ts, event, ...Object.fromEntries(present) })}\n`);
      else out(`${ts} ${event}${present.map(([k, v]) => ` ${k}=${textValue(v)}`).join("")}\n`);
    },
  };
}
