// Where an entry's transcript is, resolved the way OpenClaw does it (entry.sessionFile, else
// <sessionsDir>/<sessionId>.jsonl), but never outside the agents tree: an index can name any
// path, and we read (and later archive) what it names.
import fs from "node:fs";
import path from "node:path";
import type { IndexEntry } from "../core/types.js";
import { existsInside } from "./contain.js";

/** OpenClaw's SAFE_SESSION_ID_RE: the only ids it turns into file names. */
const SAFE_SESSION_ID = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

export interface TranscriptResolution {
  /** undefined only when no safe path exists (unsafe sessionId, escaping fallback) */
  path?: string;
  /** why entry.sessionFile was not used */
  note?: string;
}

export interface SessionFileContext {
  /** the dir holding sessions.json */
  sessionsDir: string;
  /** dirs a transcript may live in: <stateDir>/agents and the store's own dir */
  roots: readonly string[];
}

export function isSafeSessionId(sessionId: string): boolean {
  return SAFE_SESSION_ID.test(sessionId);
}

export function resolveTranscriptPath(entry: Pick<IndexEntry, "sessionId" | "sessionFile">, ctx: SessionFileContext): TranscriptResolution {
  const fallback = isSafeSessionId(entry.sessionId) ? path.join(ctx.sessionsDir, `${entry.sessionId}.jsonl`) : undefined;
  const raw = typeof entry.sessionFile === "string" ? entry.sessionFile.trim() : "";
  let note: string | undefined;
  if (raw) {
    const candidate = path.resolve(ctx.sessionsDir, raw);
    if (fs.existsSync(candidate)) {
      if (existsInside(candidate, ctx.roots)) return { path: candidate };
      note = `sessionFile ${raw} escapes the agents tree`;
    } else if (candidate !== fallback) {
      note = `sessionFile ${raw} does not exist`;
    }
  }
  if (!fallback) {
    return { note: [note, `sessionId ${JSON.stringify(entry.sessionId)} is not a safe file name; transcript not read`].filter(Boolean).join("; ") };
  }
  // the fallback itself may be a symlink (even a dangling one) planted to lead out of the tree
  if ((isSymlink(fallback) || fs.existsSync(fallback)) && !existsInside(fallback, ctx.roots)) {
    return { note: `${note ? `${note}; ` : ""}${fallback} escapes the agents tree; transcript not read` };
  }
  return { path: fallback, note: note && `${note}; using ${fallback}` };
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
