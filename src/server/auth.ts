// Who may ask. With a token, every request carries it (`Authorization: Bearer`), except the
// probes (/livez, /readyz: probes carry no credentials). Browsers cannot set headers on a
// WebSocket or an EventSource: they trade the token for a ticket, valid once and for a short
// while, that goes in the URL instead, so the token itself never lands in a URL or a log.
import { randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage } from "node:http";
import { UsageError } from "../core/errors.js";

export const TICKET_TTL_MS = 30_000;
/** outstanding tickets at most: a client asking in a loop cannot grow memory */
const MAX_TICKETS = 10_000;

/** The token file's text, less one trailing newline (editors and `echo` add one). */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`--token-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a file holding the token`);
  }
  const token = text.replace(/\r?\n$/, "");
  if (token.length === 0) throw new UsageError(`--token-file ${file} is empty: put the token in it (e.g. openssl rand -hex 32 > ${file})`);
  if (/[\s]/.test(token)) throw new UsageError(`--token-file ${file}: the token holds whitespace or more than one line; keep it on one line`);
  return token;
}

export class Auth {
  private readonly tickets = new Map<string, number>();
  private readonly token?: Buffer;

  constructor(
    token: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.token = token === undefined ? undefined : Buffer.from(token, "utf8");
  }

  get required(): boolean {
    return this.token !== undefined;
  }

  /** The request's Bearer token is ours (always true without a token). */
  bearerOk(req: IncomingMessage): boolean {
    if (!this.token) return true;
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    if (!m) return false;
    const given = Buffer.from(m[1], "utf8");
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  issueTicket(): { ticket: string; expiresAt: number } {
    const at = this.now();
    this.sweep(at);
    if (this.tickets.size >= MAX_TICKETS) this.tickets.delete(this.tickets.keys().next().value!);
    const ticket = randomBytes(24).toString("base64url");
    const expiresAt = at + TICKET_TTL_MS;
    this.tickets.set(ticket, expiresAt);
    return { ticket, expiresAt };
  }

  /** Spends a ticket: true once, within its time. */
  redeem(ticket: string | null): boolean {
    if (!ticket) return false;
    const expiresAt = this.tickets.get(ticket);
    if (expiresAt === undefined) return false;
    this.tickets.delete(ticket);
    return this.now() <= expiresAt;
  }

  private sweep(at: number): void {
    for (const [t, exp] of this.tickets) if (exp < at) this.tickets.delete(t);
  }
}
