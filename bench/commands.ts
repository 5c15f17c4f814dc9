// The commands the bench times, found from the CLI's own --help: a command that does not exist
// yet (or lacks a flag the benchmark needs, such as --dry-run) is skipped with a reason, never
// silently, and never run without the flags that make it read-only.
import { execFileSync } from "node:child_process";

export interface BenchCommand {
  /** label in the tables */
  name: string;
  /** the subcommand */
  command: string;
  /** flags the issue names: without any of them the command is not timed */
  required: string[];
  /** used when the command has them */
  optional: string[];
}

export const BENCH_COMMANDS: readonly BenchCommand[] = [
  { name: "status --json", command: "status", required: ["--json"], optional: ["--no-probe"] },
  { name: "cleanup --dry-run --json", command: "cleanup", required: ["--dry-run", "--json"], optional: ["--no-probe"] },
  // the human report: its action table was once quadratic in the row count (156 s at 50k)
  { name: "cleanup --dry-run (text)", command: "cleanup", required: ["--dry-run"], optional: ["--no-probe"] },
  { name: "keepalive --once --dry-run", command: "keepalive", required: ["--once", "--dry-run"], optional: ["--no-probe"] },
  { name: "watch --once (non-TTY)", command: "watch", required: ["--once"], optional: ["--no-probe"] },
];

export interface Resolved {
  cmd: BenchCommand;
  /** arguments after the CLI path, --state-dir excluded */
  args?: string[];
  skip?: string;
}

function help(cli: string, args: string[]): string {
  try {
    return execFileSync(process.execPath, [cli, ...args, "--help"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
  } catch (err) {
    const e = err as { stdout?: string };
    return e.stdout ?? "";
  }
}

/** Subcommand names listed under "Commands:" in the program's --help. */
export function listCommands(helpText: string): string[] {
  const at = helpText.indexOf("Commands:");
  if (at < 0) return [];
  const names: string[] = [];
  for (const line of helpText.slice(at).split("\n").slice(1)) {
    if (line.trim() === "") break;
    const m = /^ {2}([a-z][\w-]*)/.exec(line);
    if (m) names.push(m[1]!);
  }
  return names;
}

function hasFlag(helpText: string, flag: string): boolean {
  return new RegExp(`(^|[\\s,])${flag.replace(/-/g, "\\-")}(?![\\w-])`, "m").test(helpText);
}

export function resolveCommands(cli: string): Resolved[] {
  const available = listCommands(help(cli, []));
  return BENCH_COMMANDS.map((cmd) => {
    if (!available.includes(cmd.command)) return { cmd, skip: `\`${cmd.command}\` is not a command of this build yet (not in --help)` };
    const text = help(cli, [cmd.command]);
    const missing = cmd.required.filter((f) => !hasFlag(text, f));
    if (missing.length > 0) return { cmd, skip: `\`${cmd.command} --help\` has no ${missing.join(", ")}` };
    return { cmd, args: [cmd.command, ...cmd.required, ...cmd.optional.filter((f) => hasFlag(text, f))] };
  });
}
