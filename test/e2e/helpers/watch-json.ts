// `watch --json` of the built CLI as a stream of one session's snapshots.
import { spawn, type ChildProcess } from "node:child_process";
import { assertBuilt, BIN, REPO_ROOT, scrubbedEnv } from "./cli.js";

export interface Snap {
  state: string;
  toolName: string | null;
  source: string;
}

/** Runs `watch --json` and hands every snapshot of `key` to `onSnap` as it arrives; the caller kills the child. */
export function watchJson(key: string, args: string[], env: Record<string, string>, onSnap: (s: Snap) => void): ChildProcess {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, "watch", "--json", ...args], { cwd: REPO_ROOT, env: scrubbedEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    const parts = (partial + d).split("\n");
    partial = parts.pop()!;
    for (const l of parts) {
      const hb = JSON.parse(l).sessions.find((s: { sessionKey: string }) => s.sessionKey === key);
      if (hb) onSnap({ state: hb.state, toolName: hb.toolName, source: hb.source });
    }
  });
  return child;
}

/** "state", ":tool" when the gateway names it, " (files)" unless the gateway refined it. */
export function snapLabel(s: Snap): string {
  return `${s.state}${s.toolName && s.source === "gateway" ? `:${s.toolName}` : ""}${s.source === "gateway" ? "" : " (files)"}`;
}
