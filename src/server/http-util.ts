// Small pieces of HTTP every route uses: JSON answers and errors, query parsing.
import { STATUS_CODES, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { parseDurationFlag } from "../core/duration.js";
import { UsageError } from "../core/errors.js";
import { isValidAgentId } from "../store/agents.js";

export type ErrorCode =
  | "bad_request"
  | "not_found"
  | "method_not_allowed"
  | "unauthorized"
  | "forbidden"
  | "not_ready"
  | "upgrade_required"
  | "headers_too_large"
  | "request_timeout"
  | "internal";

/** A request that cannot be answered as asked: the status and the one line that says why. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string): string {
  return `${JSON.stringify({ error: code, message })}\n`;
}

export function sendJson(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  res.end(body);
}

/** An answer on a raw socket (a refused upgrade, a request Node could not parse), then closed. */
export function sendRaw(socket: Duplex, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = errorBody(code, message);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

/** The one value of a parameter given at most once: a repeat (`?agent=a&agent=b`) is ambiguous, so refused. */
function single(q: URLSearchParams, name: string): string | null {
  const all = q.getAll(name);
  if (all.length > 1) throw new HttpError(400, "bad_request", `${name} is given ${all.length} times: give it once`);
  return all.length === 0 ? null : all[0];
}

export function queryBool(q: URLSearchParams, name: string): boolean | undefined {
  const v = single(q, name);
  if (v === null) return undefined;
  const t = v.toLowerCase();
  if (t === "" || t === "1" || t === "true" || t === "yes") return true;
  if (t === "0" || t === "false" || t === "no") return false;
  throw new HttpError(400, "bad_request", `${name}=${v}: use ${name}=true or ${name}=false (1/0 and yes/no work too)`);
}

export function queryText(q: URLSearchParams, name: string): string | undefined {
  const v = single(q, name);
  if (v === null) return undefined;
  if (v === "") throw new HttpError(400, "bad_request", `${name} is empty: give a value or leave it out`);
  return v;
}

/** `agent`: an OpenClaw agent id ([a-z0-9][a-z0-9_-]*, as OpenClaw normalizes them), or a 400 saying so. */
export function queryAgent(q: URLSearchParams): string | undefined {
  const v = queryText(q, "agent");
  if (v !== undefined && !isValidAgentId(v)) throw new HttpError(400, "bad_request", `agent=${v.slice(0, 80)}: not an agent id (lowercase letters, digits, _ and -, as OpenClaw names agents)`);
  return v;
}

export function querySeq(text: string | null | undefined, what: string): number | undefined {
  if (text === null || text === undefined) return undefined;
  if (!/^\d{1,16}$/.test(text.trim())) throw new HttpError(400, "bad_request", `${what} ${JSON.stringify(text)} is not a seq: a whole number from an event's seq`);
  return Number(text.trim());
}

/** `ticket` from the query, given at most once: which of two would be spent is not for us to guess. */
export function queryTicket(q: URLSearchParams): string | null {
  return single(q, "ticket");
}

/** `since` from the query, given at most once. */
export function querySince(q: URLSearchParams): string | null {
  return single(q, "since");
}

/** Plain decimal minutes (`5`, `0.5`): not `0x10`, `1e3` or `Infinity`, which Number() would take. */
/**
 * An age in ms (`active`), read by the rule of the command-line flags of that kind (`status
 * --active`): 5, 0.5, 90s, 5m, 1h30m; a bare number is minutes. A 400 says what to send.
 */
export function queryAge(q: URLSearchParams, name: string): number | undefined {
  const v = single(q, name);
  if (v === null) return undefined;
  try {
    return parseDurationFlag(name, v, "age");
  } catch (err) {
    if (err instanceof UsageError) throw new HttpError(400, "bad_request", err.message);
    throw err;
  }
}

/** Refuses a parameter the endpoint does not take: a typo (`?problem=true`) would otherwise answer everything. */
export function onlyParams(q: URLSearchParams, allowed: readonly string[], endpoint: string): void {
  for (const name of new Set(q.keys())) {
    if (!allowed.includes(name)) {
      throw new HttpError(400, "bad_request", `${endpoint} takes no parameter ${JSON.stringify(name)}${allowed.length ? ` (it takes ${allowed.join(", ")})` : ""}`);
    }
  }
}
