// Where an entry's transcript is, resolved the way OpenClaw does it (entry.sessionFile, else
// <sessionsDir>/<sessionId>.jsonl), but never outside the agents tree: an index can name any
// path, and we read (and later archive) what it names.
import path from "node:path";
import type { IndexEntry } from "../core/types.js";
import { RealPaths } from "./contain.js";

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
  /** resolved directories shared by the sessions of one read (default: resolved for this call) */
  realPaths?: RealPaths;
}

export function isSafeSessionId(sessionId: string): boolean {
  return SAFE_SESSION_ID.test(sessionId);
}

/**
 * The file an entry's `sessionFile` names, as OpenClaw resolves it (resolvePathWithinSessionsDir),
 * or undefined where OpenClaw refuses it and uses `<sessionId>.jsonl` instead: a relative name
 * must stay inside the sessions dir (`../../ops/sessions/x.jsonl` is refused); an absolute one
 * must lie in it, or in an agent's `sessions` dir (2026.7+ resolves a sibling agent's). Stricter
 * than 2026.9 in one place: it takes `sub/../../x.jsonl` (it checks the text, not the resolved
 * path) and so reads outside its sessions dir; 2026.4 refuses it, and so do we.
 */
export function sessionFileCandidate(raw: string, sessionsDir: string): string | undefined {
  const name = raw.trim();
  if (!name) return undefined;
  const base = path.resolve(sessionsDir);
  const resolved = path.resolve(base, name);
  const rel = path.relative(base, resolved);
  if (rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel)) return resolved;
  if (!path.isAbsolute(name)) return undefined;
  const parts = resolved.split(path.sep).filter(Boolean);
  const at = parts.lastIndexOf("sessions");
  const inAgentSessions = at >= 2 && parts[at - 2] === "agents" && parts.length >= at + 2;
  return inAgentSessions ? resolved : undefined;
}

export function resolveTranscriptPath(entry: Pick<IndexEntry, "sessionId" | "sessionFile">, ctx: SessionFileContext): TranscriptResolution {
  const fallback = isSafeSessionId(entry.sessionId) ? path.join(ctx.sessionsDir, `${entry.sessionId}.jsonl`) : undefined;
  const raw = typeof entry.sessionFile === "string" ? entry.sessionFile.trim() : "";
  const paths = ctx.realPaths ?? new RealPaths();
  let note: string | undefined;
  // what is at the fallback name, when already looked up (sessionFile usually names it)
  let atFallback: { real: string | null | undefined } | undefined;
  const candidate = raw ? sessionFileCandidate(raw, ctx.sessionsDir) : undefined;
  if (raw && !candidate) {
    note = `sessionFile ${raw} is outside its sessions dir, which OpenClaw refuses`;
  } else if (candidate) {
    const real = paths.lookup(candidate);
    // a string: the name leads to an existing file (fs.existsSync's answer, from one lstat)
    if (typeof real === "string") {
      if (paths.isInside(real, ctx.roots)) return { path: candidate };
      note = `sessionFile ${raw} escapes the agents tree`;
    } else if (candidate !== fallback) {
      note = `sessionFile ${raw} does not exist`;
    } else {
      atFallback = { real };
    }
  }
  if (!fallback) {
    return { note: [note, `sessionId ${JSON.stringify(entry.sessionId)} is not a safe file name; transcript not read`].filter(Boolean).join("; ") };
  }
  // the fallback itself may be a symlink (even a dangling one) planted to lead out of the tree:
  // anything at that name must resolve inside
  const real = atFallback ? atFallback.real : paths.lookup(fallback);
  if (real !== undefined && (real === null || !paths.isInside(real, ctx.roots))) {
    return { note: `${note ? `${note}; ` : ""}${fallback} escapes the agents tree; transcript not read` };
  }
  return { path: fallback, note: note && `${note}; using ${fallback}` };
}
