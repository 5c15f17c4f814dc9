// One write (test/fixtures/writers/apply-once.mjs) through the built writer in a process of its
// own, optionally as another user (`nobody`) from a copy of the build that user can read
// (test/fixtures/as-another-user.ts). The ownership tests need root to make files of several
// users; a writer that never returns is killed by the safety timeout instead of hanging vitest.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildRunnableByOthers, NOBODY, type OthersCopy } from "../../../fixtures/as-another-user.js";
import { buildWriter, FIXTURES } from "./build.js";
import type { TempStore } from "./store.js";

export { NOBODY };
export const IS_ROOT = process.getuid?.() === 0;

export interface WriteOutcome {
  /** null: killed by the safety timeout (the writer never returned) */
  status: number | null;
  result?: { wrote?: boolean; exitCode?: number | null; name?: string; message?: string };
  stderr: string;
}

let copy: OthersCopy | undefined;

function othersCopy(): OthersCopy {
  if (!copy) {
    copy = buildRunnableByOthers();
    fs.copyFileSync(path.join(FIXTURES, "apply-once.mjs"), path.join(copy.root, "apply-once.mjs"));
  }
  return copy;
}

/** Call from afterAll in files that run the writer as another user. */
export function removeOthersCopy(): void {
  copy?.cleanup();
  copy = undefined;
}

export function applyOnce(store: TempStore, key: string, opts: { uid?: number; gid?: number; gatewayLockWaitMs?: number } = {}): WriteOutcome {
  const asOther = opts.uid !== undefined;
  const node = asOther ? othersCopy().node : process.execPath;
  const script = asOther ? path.join(othersCopy().root, "apply-once.mjs") : path.join(FIXTURES, "apply-once.mjs");
  const modulePath = asOther ? path.join(othersCopy().root, "dist/src/store/writer/index.js") : buildWriter().modulePath;
  const args = [script, modulePath, store.storePath, store.agentsRoot, store.auditPath, key];
  if (opts.gatewayLockWaitMs !== undefined) args.push(String(opts.gatewayLockWaitMs));
  const r = spawnSync(node, args, {
    encoding: "utf8",
    timeout: 20_000,
    // SIGKILL: a writer spinning synchronously never runs the SIGTERM handler signal-exit installs
    killSignal: "SIGKILL",
    ...(asOther ? { uid: opts.uid, gid: opts.gid ?? opts.uid, cwd: "/" } : {}),
  });
  const line = r.stdout.trim().split("\n").pop();
  let result: WriteOutcome["result"];
  try {
    result = line ? JSON.parse(line) : undefined;
  } catch {
    result = undefined;
  }
  return { status: r.status, result, stderr: r.stderr };
}

/**
 * Lets `uid` reach the store made by makeStore (its temp root is mode 700) and gives it the
 * sessions directory, the index and the audit log's directory, as a user's own store would be.
 */
export function giveStoreTo(store: TempStore, uid: number, gid: number): void {
  const sessions = path.dirname(store.storePath);
  for (let d = path.dirname(sessions); d.startsWith(store.root); d = path.dirname(d)) fs.chmodSync(d, 0o755);
  fs.chownSync(sessions, uid, gid);
  fs.chownSync(store.storePath, uid, gid);
  const xdg = path.dirname(path.dirname(store.auditPath));
  fs.mkdirSync(xdg, { recursive: true });
  fs.chownSync(xdg, uid, gid);
}
