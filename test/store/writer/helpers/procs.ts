// Child processes for the writer tests: spawn, wait for a line, collect output, kill.
import { spawn, type ChildProcess } from "node:child_process";

export interface Child {
  proc: ChildProcess;
  lines: string[];
  stderr: () => string;
  waitFor(pred: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let err = "";
  let partial = "";
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    waitFor(pred, timeoutMs = 20_000) {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for output; stderr: ${err}`)), timeoutMs);
        const done = (l: string) => {
          clearTimeout(timer);
          resolve(l);
        };
        waiters.push({ pred, resolve: done });
        void exited.then(() => {
          setTimeout(() => {
            clearTimeout(timer);
            reject(new Error(`child exited before the expected output; stderr: ${err}`));
          }, 50);
        });
      });
    },
  };
}

/** A pid that surely belongs to no process any more. */
export async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ["-e", "0"]);
  const pid = p.pid!;
  await new Promise((r) => p.on("exit", r));
  return pid;
}
