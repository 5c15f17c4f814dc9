// Drives a real OpenClaw install against the scripted model: a sandboxed state dir and config,
// `openclaw gateway run` as a child we can SIGKILL/SIGTERM/restart, and turns sent with
// `openclaw agent --session-key ... --message ...`. One gateway at a time per Driver; the tests
// run one Driver at a time (the machine is small). test/interop/README.md says what works.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, gatewayLockName, INTEROP_NODE, openclawEnv, runOpenclaw, type Run, type Sandbox } from "./support.js";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Proc {
  child: ChildProcess;
  /** stdout + stderr so far */
  output: () => string;
  exited: Promise<Exit>;
  running: () => boolean;
  /** signals the whole process group (OpenClaw and what it spawned, e.g. an exec'd `sleep`) */
  killGroup: (signal: NodeJS.Signals) => void;
}

function spawnLogged(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Proc {
  // own process group: teardown can end the tool children too (killGroup)
  const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  return { child, output: () => out, exited, running: () => !done, killGroup };
}

export function makeSandbox(label: string): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `oc-drive-${label}-`));
  const stateDir = path.join(root, "state");
  const home = path.join(root, "home");
  const tmp = path.join(root, "tmp");
  for (const d of [stateDir, home, tmp, path.join(root, "workspace"), path.join(root, "logs")]) fs.mkdirSync(d, { recursive: true });
  return {
    root,
    stateDir,
    home,
    tmp,
    configPath: path.join(stateDir, "openclaw.json"),
    storePath: (agentId = "main") => path.join(stateDir, "agents", agentId, "sessions", "sessions.json"),
  };
}

/**
 * The smallest config that runs a real gateway offline against the scripted model (the same
 * shape the shared real-openclaw fixtures were generated with).
 */
export function writeConfig(box: Sandbox, gatewayPort: number, modelBaseUrl: string, timeoutSeconds = 600): void {
  const config = {
    agents: {
      defaults: {
        model: { primary: "fake/fake-1" },
        workspace: path.join(box.root, "workspace"),
        timeoutSeconds,
        heartbeat: { every: "0m" },
        skipBootstrap: true,
        contextInjection: "never",
      },
    },
    models: {
      mode: "merge",
      providers: {
        fake: {
          baseUrl: modelBaseUrl,
          apiKey: "fake-local",
          api: "openai-completions",
          timeoutSeconds: 300,
          models: [
            {
              id: "fake-1",
              name: "Fake Model",
              reasoning: false,
              input: ["text"],
              cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
              contextWindow: 32000,
              maxTokens: 1024,
            },
          ],
        },
      },
    },
    tools: { profile: "minimal", alsoAllow: ["exec", "process"] },
    skills: { allowBundled: ["healthcheck"] },
    update: { checkOnStart: false },
    gateway: { mode: "local", bind: "loopback", port: gatewayPort, auth: { mode: "none" } },
    discovery: { mdns: { mode: "off" } },
    cron: { enabled: false },
    logging: { file: path.join(box.root, "logs", "openclaw-file.log") },
  };
  fs.writeFileSync(box.configPath, JSON.stringify(config, null, 2));
}

export class Driver {
  gateway: Proc | undefined;
  /** every gateway started, for teardown */
  readonly gateways: Proc[] = [];
  /** every gateway's output, in order, for failure messages */
  gatewayLog = "";
  readonly agents: Proc[] = [];

  private constructor(
    readonly version: string,
    readonly entry: string,
    readonly box: Sandbox,
    readonly port: number,
  ) {}

  static async create(version: string, entry: string, label: string, modelBaseUrl: string, timeoutSeconds = 600): Promise<Driver> {
    const box = makeSandbox(label);
    const port = await freePort();
    writeConfig(box, port, modelBaseUrl, timeoutSeconds);
    return new Driver(version, entry, box, port);
  }

  /** `openclaw gateway run`, resolved once /healthz answers. */
  async startGateway(boundMs = 180_000): Promise<Proc> {
    if (this.gateway?.running()) throw new Error("a gateway is already running for this driver");
    const gw = spawnLogged(INTEROP_NODE, [this.entry, "gateway", "run"], { cwd: this.box.root, env: openclawEnv(this.box, this.version) });
    this.gateway = gw;
    this.gateways.push(gw);
    gw.child.stdout!.on("data", (d: Buffer) => (this.gatewayLog += d.toString()));
    gw.child.stderr!.on("data", (d: Buffer) => (this.gatewayLog += d.toString()));
    await waitForHealth(this.port, gw, boundMs);
    // /healthz answers before channels and sidecars start; a CLI connecting then can hit the
    // handshake timeout and silently run the turn EMBEDDED. Wait for the gateway's own word.
    const fileLog = path.join(this.box.root, "logs", "openclaw-file.log");
    await until(
      "the gateway to log `gateway ready`",
      () => {
        if (!gw.running()) throw new Error(`gateway exited while starting\n${gw.output().slice(-3000)}`);
        const ready = gw.output().includes("gateway ready") || (fs.existsSync(fileLog) && fs.readFileSync(fileLog, "utf8").includes("gateway ready"));
        return ready ? true : undefined;
      },
      boundMs,
      250,
    );
    return gw;
  }

  /** Sends `signal` to the gateway and waits for it to exit (SIGKILLs it after `boundMs`). */
  async stopGateway(signal: NodeJS.Signals = "SIGTERM", boundMs = 120_000): Promise<Exit> {
    const gw = this.gateway;
    if (!gw) throw new Error("no gateway started");
    if (!gw.running()) return gw.exited;
    gw.child.kill(signal);
    const timer = setTimeout(() => gw.child.kill("SIGKILL"), boundMs);
    const exit = await gw.exited;
    clearTimeout(timer);
    return exit;
  }

  /** 2026.4.x has no `--session-key`; its `--session-id <name>` makes `agent:main:explicit:<name>`. */
  get hasSessionKeyFlag(): boolean {
    return !this.version.startsWith("2026.4.");
  }

  /** The index key a turn sent with `turn(name, ...)` lands in. */
  sessionKey(name: string): string {
    return this.hasSessionKeyFlag ? `agent:main:${name}` : `agent:main:explicit:${name}`;
  }

  /** `openclaw agent` in the background, one turn in the session `sessionKey(name)`. */
  turn(name: string, message: string, extra: string[] = []): Proc {
    const target = this.hasSessionKeyFlag ? ["--session-key", this.sessionKey(name)] : ["--session-id", name];
    return this.spawnAgent([...target, "--message", message, "--json", ...extra]);
  }

  spawnAgent(args: string[]): Proc {
    const proc = spawnLogged(INTEROP_NODE, [this.entry, "agent", ...args], { cwd: this.box.root, env: openclawEnv(this.box, this.version) });
    this.agents.push(proc);
    return proc;
  }

  openclaw(args: string[]): Run {
    return runOpenclaw(this.entry, this.box, args);
  }

  /** Where the gateway's singleton lock JSON lives: $TMPDIR (2026.4-2026.7) or <state>/tmp (2026.8+). */
  gatewayLockPaths(): string[] {
    const name = gatewayLockName(this.box.configPath);
    const uid = os.userInfo().uid;
    return [path.join(this.box.tmp, `openclaw-${uid}`, name), path.join(this.box.stateDir, "tmp", `openclaw-${uid}`, name)];
  }

  /** Kills everything this driver started, tool children included (test teardown). */
  killAll(): void {
    for (const p of [...this.agents, ...this.gateways]) p.killGroup("SIGKILL");
  }
}

export async function waitForHealth(port: number, proc: Proc, boundMs: number): Promise<unknown> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline && proc.running()) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return await res.json().catch(() => ({}));
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(
    `${proc.running() ? `no /healthz answer within ${boundMs} ms` : "gateway exited before answering /healthz"}\n${proc.output().slice(-4000)}`,
  );
}

/**
 * Whether a process whose command line (argv joined by spaces) ends with `commandTail` runs below
 * `rootPid` (its parent chain reaches it): a tool child of the gateway, whether its shell exec'd
 * the command or runs it as `sh -c ...`. 2026.4.26 writes the transcript only when the turn ends and no
 * trajectory event while a tool runs, so the process itself is the only sign of a tool running.
 */
export function descendantRunning(rootPid: number, commandTail: string): boolean {
  const parentOf = (pid: number): number | undefined => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      return undefined; // gone
    }
  };
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let cmd = "";
    try {
      cmd = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0$/, "").split("\0").join(" ");
    } catch {
      continue;
    }
    if (!cmd.endsWith(commandTail)) continue;
    for (let pid: number | undefined = Number(name), hops = 0; pid && pid > 1 && hops < 8; hops++) {
      pid = parentOf(pid);
      if (pid === rootPid) return true;
    }
  }
  return false;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` (sync or async) every `everyMs` until it gives a value other than undefined. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, boundMs = 120_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${boundMs} ms`);
    await sleep(everyMs);
  }
}

/**
 * Saves the sandbox (state dir, TMPDIR with the gateway lock, home, workspace) beside it. The
 * copies are restored at the SAME path, so every absolute path OpenClaw stored (sessionFile,
 * trajectory pointers, the lock's configPath and its hash-derived name) stays true: a copy at
 * another path would make OpenClaw resolve the original's files.
 */
export function snapshot(box: Sandbox, name: string): string {
  const dest = `${box.root}.snap-${name}`;
  fs.rmSync(dest, { recursive: true, force: true });
  fs.cpSync(box.root, dest, { recursive: true });
  return dest;
}

/** Replaces the sandbox's contents with a snapshot taken by `snapshot`. */
export function restore(box: Sandbox, snap: string): void {
  fs.rmSync(box.root, { recursive: true, force: true });
  fs.cpSync(snap, box.root, { recursive: true });
}
