// Temp state dirs with a real-format sessions.json for the writer tests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EntryPatch } from "../../../../src/core/types.js";
import type { ApplyOptions } from "../../../../src/store/writer/index.js";
import { REAL_OPENCLAW as REAL_STORES } from "../../../fixtures/real-openclaw.js";

export const REAL_OPENCLAW = REAL_STORES;

export interface TempStore {
  root: string;
  agentsRoot: string;
  storePath: string;
  auditPath: string;
  opts(extra?: Partial<ApplyOptions>): ApplyOptions;
  read(): Record<string, Record<string, unknown>>;
  bytes(): Buffer;
  dirFiles(): string[];
  cleanup(): void;
}

export function makeStore(content: Record<string, unknown> | string | Buffer, mode = 0o600): TempStore {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-writer-"));
  const agentsRoot = path.join(root, "state", "agents");
  const dir = path.join(agentsRoot, "main", "sessions");
  fs.mkdirSync(dir, { recursive: true });
  const storePath = path.join(dir, "sessions.json");
  const data = typeof content === "string" || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2);
  fs.writeFileSync(storePath, data, { mode });
  fs.chmodSync(storePath, mode);
  const auditPath = path.join(root, "xdg-state", "openclaw-sessions", "audit.jsonl");
  return {
    root,
    agentsRoot,
    storePath,
    auditPath,
    opts: (extra = {}) => ({ era: "A", command: "cleanup", agentsRoot, auditPath, verifyAfterMs: 0, ...extra }),
    read: () => JSON.parse(fs.readFileSync(storePath, "utf8")),
    bytes: () => fs.readFileSync(storePath),
    dirFiles: () => fs.readdirSync(dir).sort(),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** A copy of one of the real stores written by OpenClaw 2026.7.1. */
export function realStoreBytes(run = "s1-quick-done"): Buffer {
  return fs.readFileSync(path.join(REAL_OPENCLAW, run, "state/agents/main/sessions/sessions.json"));
}

export function entry(sessionId: string, updatedAt: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sessionId, updatedAt, ...extra };
}

/** A patch planned against what the store holds now. */
export function patchFor(
  store: TempStore,
  sessionKey: string,
  set: Record<string, unknown> | undefined,
  more: Partial<EntryPatch> = {},
): EntryPatch {
  const e = store.read()[sessionKey];
  return {
    sessionKey,
    expect: { sessionId: e.sessionId as string, updatedAt: e.updatedAt as number },
    set,
    action: "finalize",
    reasons: ["test"],
    ...more,
  };
}

export function manyEntries(n: number, base = 1_795_000_000_000): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    out[`agent:main:s${i}`] = entry(`id-${i}`, base + i, { status: "running", startedAt: base + i - 1000, custom: { i } });
  }
  return out;
}
