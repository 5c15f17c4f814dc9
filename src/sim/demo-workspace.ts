// Where the demo writes: a fresh temp dir for everything (state dir and the gateway's singleton
// lock, so a reader given that tmp dir finds it), or a state dir the user asked to keep. Never an
// existing, non-empty dir: `--keep ~/.openclaw` must not turn a real store into a simulation.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliError, EXIT } from "../core/errors.js";

export interface DemoWorkspace {
  /** the temp dir: removed on exit, always */
  root: string;
  /** the simulated OpenClaw state dir (inside root unless kept) */
  stateDir: string;
  /** where the simulated gateway puts `openclaw-<uid>/gateway.<hash>.lock`: readers need it as their tmp dir */
  tmpDir: string;
  /** stateDir is the user's --keep dir, outside root */
  kept: boolean;
}

/** An empty (or missing) directory the demo may fill; anything else is refused before a write. */
export function claimEmptyDir(dir: string, flag: string): string {
  const abs = path.resolve(dir);
  let entries: string[] | undefined;
  try {
    entries = fs.readdirSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") throw new CliError(`${flag} ${abs}: not a directory`, EXIT.writeRefused);
    if (code !== "ENOENT") throw new CliError(`${flag} ${abs}: cannot read it (${code})`, EXIT.writeRefused);
  }
  if (entries && entries.length > 0) {
    throw new CliError(`${flag} ${abs}: the directory is not empty; give a new or empty directory (nothing was written)`, EXIT.writeRefused);
  }
  try {
    fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new CliError(`${flag} ${abs}: cannot create it (${(err as NodeJS.ErrnoException).code})`, EXIT.writeRefused);
  }
  return abs;
}

export function makeDemoWorkspace(keep?: string, base: string = os.tmpdir()): DemoWorkspace {
  const stateDir = keep !== undefined ? claimEmptyDir(keep, "--keep") : undefined;
  const root = fs.mkdtempSync(path.join(base, "openclaw-sessions-demo-"));
  const tmpDir = path.join(root, "tmp");
  fs.mkdirSync(tmpDir, { mode: 0o700 });
  return { root, stateDir: stateDir ?? path.join(root, "state"), tmpDir, kept: stateDir !== undefined };
}

export function removeDemoWorkspace(ws: DemoWorkspace): void {
  fs.rmSync(ws.root, { recursive: true, force: true });
}
