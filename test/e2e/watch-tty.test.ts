// `watch` in a REAL terminal: tmux runs the built CLI in a detached 120x30 pane, the test changes
// the store the way a gateway does (a run starts, a tool is called, the lock owner crashes) and
// reads the screen with `tmux capture-pane`. Then `q` must exit 0 and leave the terminal sane:
// the cursor shown, no alternate screen, the line discipline back in canonical mode with echo.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { format, makeStateDir, makeTempDir } from "../fixtures/store-builder.js";
import { BIN, REPO_ROOT, assertBuilt, startLiveProcess } from "./helpers/cli.js";
import { KEY, OTHER_KEY, callTool, idleStore, startRun, writeIndexAtomic } from "./watch-fixture.js";

const COLS = 120;
const ROWS = 30;
const servers: string[] = [];

afterEach(() => {
  for (const socket of servers.splice(0)) {
    try {
      execFileSync("tmux", ["-S", socket, "kill-server"], { stdio: "ignore" });
    } catch {
      // already gone
    }
    fs.rmSync(socket, { force: true });
  }
});

function haveTmux(): void {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
  } catch {
    throw new Error("this test drives a real terminal through tmux: install it (apt-get install -y tmux; .ci/run does)");
  }
}

/** A tmux server of our own (its own socket, no user config) with one shell in a fixed-size pane. */
function startTmux(): { tmux: (...args: string[]) => string; screen: () => string } {
  haveTmux();
  // a socket path of our own (like -L with a unique name, but inside a temp dir that is removed)
  const socket = path.join(makeTempDir("ocs-tty-sock-"), "tmux");
  servers.push(socket);
  // the server keeps the environment it starts with: a clean one, UTF-8 so the dots survive
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: makeTempDir("ocs-tty-home-"), LANG: "C.UTF-8", TERM: "xterm-256color" };
  const tmux = (...args: string[]): string => execFileSync("tmux", ["-u", "-f", "/dev/null", "-S", socket, ...args], { env, encoding: "utf8" });
  tmux("new-session", "-d", "-s", "w", "-x", String(COLS), "-y", String(ROWS), "bash --norc --noprofile");
  tmux("set-option", "-t", "w", "status", "off");
  return { tmux, screen: () => tmux("capture-pane", "-p", "-t", "w").replace(/\n$/, "") };
}

async function until(screen: () => string, probe: (s: string) => boolean, what: string, timeoutMs = 3_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (probe(s)) return s;
    if (Date.now() > end) throw new Error(`${what}: not on screen within ${timeoutMs} ms; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A state dir whose one index holds `count` finished sessions `agent:main:<prefix><i>`, a minute apart. */
function finishedSessions(count: number, prefix: string): string {
  const state = makeStateDir();
  const now = Date.now();
  const entries: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const at = now - (i + 1) * 60_000;
    entries[`agent:main:${prefix}${i}`] = format.indexEntry({ sessionId: `${prefix}${i}`, updatedAt: at, sessionStartedAt: at, lastInteractionAt: at, status: "done", rich: false });
  }
  writeIndexAtomic(state, entries);
  return state;
}

const rowOf = (screen: string, key: string): string => screen.split("\n").find((l) => l.includes(` ${key} `)) ?? "";

describe("watch in a real terminal (tmux)", () => {
  it("shows a run start, a tool call and a crash as they happen; q exits 0 and restores the terminal", async () => {
    assertBuilt();
    const state = makeStateDir();
    idleStore(state);
    const exitFile = path.join(makeTempDir("ocs-tty-exit-"), "exit");
    const owner = await startLiveProcess();
    try {
      const { tmux, screen } = startTmux();
      const tmpDir = makeTempDir("ocs-tty-tmp-");
      const cmd = `cd ${REPO_ROOT} && TMPDIR=${tmpDir} node ${BIN} watch --state-dir ${state} --no-probe; echo "EXIT=$?" | tee ${exitFile}`;
      tmux("send-keys", "-t", "w", "-l", cmd);
      tmux("send-keys", "-t", "w", "Enter");

      // the first frame can take a moment on a cold machine (node start, module load)
      let s = await until(screen, (x) => x.includes("updated ") && rowOf(x, KEY) !== "", "the first frame", 15_000);
      expect(s).toContain("2 sessions");
      expect(rowOf(s, KEY)).toMatch(/○ idle\s+agent:main:main\s+main\s+complete/);
      expect(rowOf(s, OTHER_KEY)).toMatch(/○ idle/);
      expect(s.split("\n").filter((l) => l.trim() !== "").length).toBeLessThan(ROWS);

      startRun(state, owner);
      s = await until(screen, (x) => /◐ waiting\s+agent:main:main\s+main\s+awaiting model/.test(rowOf(x, KEY)), "the run start");
      expect(s).toMatch(/◐ 1 waiting/);

      callTool(state, "exec");
      s = await until(screen, (x) => /● active\s+agent:main:main\s+main\s+tool exec\s+-\s+\S+\s+exec\b/.test(rowOf(x, KEY)), "the tool call");
      expect(s).toMatch(/● 1 active/);

      await owner.stop(); // a crash leaves every file as it was
      s = await until(screen, (x) => /✖ unresponsive\s+agent:main:main/.test(rowOf(x, KEY)), "the crash");
      expect(s).toMatch(/✖ 1 unresponsive/);
      expect(rowOf(s, OTHER_KEY)).toMatch(/○ idle/);

      tmux("send-keys", "-t", "w", "q");
      s = await until(screen, (x) => /^EXIT=\d+$/m.test(x), "the exit", 5_000);
      expect(fs.readFileSync(exitFile, "utf8").trim()).toBe("EXIT=0");
      // cursor visible again, never switched to the alternate screen
      expect(tmux("display-message", "-p", "-t", "w", "#{cursor_flag} #{alternate_on}").trim()).toBe("1 0");
      // the tty is back in line mode with echo: the next command reads like any other
      // (the marker is computed by the shell: the echoed command line itself never matches)
      tmux("send-keys", "-t", "w", "-l", "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo MODES-$((6*7))");
      tmux("send-keys", "-t", "w", "Enter");
      const modesLine = (x: string) => x.split("\n").find((l) => l.endsWith("MODES-42")) ?? "";
      s = await until(screen, (x) => modesLine(x) !== "", "the stty check");
      const modes = modesLine(s);
      expect(modes).toMatch(/(^|\s)icanon\s/);
      expect(modes).toMatch(/(^|\s)echo\s/);
      expect(modes).not.toMatch(/-icanon|-echo\s/);
    } finally {
      await owner.stop();
    }
  });

  it("ctrl-c quits cleanly too, 60 sessions in a 20-row terminal get a frame no taller than it, and f shows the details cut there", async () => {
    assertBuilt();
    const state = finishedSessions(60, "task-");
    const { tmux, screen } = startTmux();
    tmux("resize-window", "-t", "w", "-x", "100", "-y", "20");
    const exitFile = path.join(makeTempDir("ocs-tty-exit-"), "exit");
    const cmd = `clear; cd ${REPO_ROOT} && TMPDIR=${makeTempDir("ocs-tty-tmp-")} node ${BIN} watch --state-dir ${state} --no-probe; echo "EXIT=$?" | tee ${exitFile}`;
    tmux("send-keys", "-t", "w", "-l", cmd);
    tmux("send-keys", "-t", "w", "Enter");
    const s = await until(screen, (x) => x.includes("updated "), "the first frame", 15_000);
    const lines = s.split("\n");
    // header and footer both on screen, the frame one line short of the pane: had it been taller,
    // its header would have scrolled away (or Ink would have cleared the whole screen)
    const header = lines.findIndex((l) => l.startsWith("openclaw-sessions 60 sessions"));
    const footer = lines.findIndex((l) => l.startsWith("updated "));
    expect(header).toBeGreaterThanOrEqual(0);
    expect(footer - header + 1).toBe(19);
    expect(lines[footer]).toContain("1-16/60");
    // details on 20 rows: half height cuts the reasons and says so; f shows them all
    tmux("send-keys", "-t", "w", "Enter");
    let d = await until(screen, (x) => x.includes("reasons:"), "the details");
    expect(d).toMatch(/… \d+ more \(f: full height\)/);
    tmux("send-keys", "-t", "w", "f");
    d = await until(screen, (x) => x.includes("reasons:") && !/… \d+ more/.test(x), "the full-height details");
    expect(d.split("\n").find((l) => l.startsWith("›"))).toContain("task-0");
    expect(d.split("\n").findIndex((l) => l.startsWith("updated ")) - d.split("\n").findIndex((l) => l.startsWith("openclaw-sessions "))).toBeLessThan(19);
    tmux("send-keys", "-t", "w", "C-c");
    await until(screen, (x) => /^EXIT=\d+$/m.test(x), "the exit", 5_000);
    expect(fs.readFileSync(exitFile, "utf8").trim()).toBe("EXIT=0");
    expect(tmux("display-message", "-p", "-t", "w", "#{cursor_flag} #{alternate_on}").trim()).toBe("1 0");
  });

  it("a terminal narrowed under it shows one frame: none of the wide frame's re-wrapped lines stay above it", async () => {
    assertBuilt();
    const state = finishedSessions(12, "a-long-session-key-for-a-wide-row-");
    const { tmux, screen } = startTmux();
    tmux("resize-window", "-t", "w", "-x", "160", "-y", "30");
    const cmd = `clear; cd ${REPO_ROOT} && TMPDIR=${makeTempDir("ocs-tty-tmp-")} node ${BIN} watch --state-dir ${state} --no-probe`;
    tmux("send-keys", "-t", "w", "-l", cmd);
    tmux("send-keys", "-t", "w", "Enter");
    await until(screen, (x) => x.includes("updated ") && x.includes("wide-row-11"), "the wide frame", 15_000);
    tmux("resize-window", "-t", "w", "-x", "70", "-y", "30");
    // the narrow frame's header (cut to the new width) on the top line: nothing of the wide frame
    // above it. Ink's own redraw put it below 14 re-wrapped lines of the old frame, for good.
    const s = await until(screen, (x) => /^openclaw-sessions 12 sessions.*…$/.test(x.split("\n")[0]!), "the narrow frame at the top", 5_000);
    const lines = s.split("\n");
    expect(lines[0]!.length).toBeLessThanOrEqual(70);
    expect(lines.filter((l) => l.startsWith("openclaw-sessions 12 sessions"))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("updated "))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("○ idle"))).toHaveLength(12);
    tmux("send-keys", "-t", "w", "q");
  });
});
