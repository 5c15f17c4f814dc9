// The one reader of lock-file bodies: transcript and era A store locks, the gateway singleton
// lock (in $TMPDIR or, era C, under the state dir), and our own keepalive pid file. All are
// small JSON objects written by a process about itself; each reader keeps the fields it needs.
import { isValidPid } from "./proc.js";

export interface LockBodyFields {
  /** a valid pid (a positive integer); absent otherwise */
  pid?: number;
  /** epoch ms of the ISO `createdAt` */
  createdAt?: number;
  /** the holder's /proc start time: `starttime` (transcript/store locks, ours) or `startTime` (gateway) */
  starttime?: number;
  /** 2026.7+: how long the holder means to keep it */
  maxHoldMs?: number;
  /** the gateway's port, 1-65535 */
  port?: number;
  /** the gateway singleton lock: the config it serves */
  configPath?: string;
  /** era C singleton lock: `agent-embedded` for an `openclaw agent --local` run */
  role?: string;
  /** our own keepalive pid file and store lock owner: the host, and since when (ISO, as written) */
  hostname?: string;
  startedAt?: string;
  acquiredAt?: string;
}

const finite = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The fields of a lock body; undefined when it is not a JSON object (empty, half written, garbage). */
export function lockBodyFields(body: string): LockBodyFields | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const b = value as Record<string, unknown>;
  const out: LockBodyFields = {};
  if (isValidPid(b.pid)) out.pid = b.pid;
  const createdAt = typeof b.createdAt === "string" ? Date.parse(b.createdAt) : NaN;
  if (Number.isFinite(createdAt)) out.createdAt = createdAt;
  const starttime = finite(b.starttime) ?? finite(b.startTime);
  if (starttime !== undefined) out.starttime = starttime;
  const maxHoldMs = finite(b.maxHoldMs);
  if (maxHoldMs !== undefined) out.maxHoldMs = maxHoldMs;
  if (typeof b.port === "number" && Number.isInteger(b.port) && b.port > 0 && b.port < 65536) out.port = b.port;
  for (const key of ["configPath", "role", "hostname", "startedAt", "acquiredAt"] as const) {
    const v = text(b[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
