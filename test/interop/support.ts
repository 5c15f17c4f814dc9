// Shared plumbing for the interop tests: the real OpenClaw install in .interop/, copies of the
// real stores in test/fixtures/real-openclaw, and child processes with a clean environment.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REAL_OPENCLAW } from "../fixtures/real-openclaw.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const REAL_STORES_DIR = process.env.OPENCLAW_SESSIONS_REAL_STORES ?? REAL_OPENCLAW;
// OPENCLAW_SESSIONS_INTEROP_BIN: run another build of our CLI (e.g. an installed release)
export const OUR_BIN = process.env.OPENCLAW_SESSIONS_INTEROP_BIN ?? path.join(REPO_ROOT, "bin", "openclaw-sessions.js");

const INTEROP_DIR = path.join(REPO_ROOT, ".interop");
export const INTEROP_NODE = path.join(INTEROP_DIR, "node", "bin", "node");
/**
 * The versions scripts/interop-setup.sh installs side by side (.interop/openclaw-<version>/).
 * `eraCVersions`: every era C version era-c-live.test.ts drives (2026.9.6 writes agent DB
 * user_version 23, 2026.9.5 21, 2026.9.4 19); INTEROP_ERA_C_VERSIONS="2026.9.6 2026.9.4" overrides.
 */
export const OPENCLAW_VERSIONS: {
  readonly fileEra: "2026.7.1";
  readonly fileEraOld: "2026.4.26";
  readonly eraC: "2026.9.6";
  readonly eraCVersions: readonly string[];
} = {
  fileEra: "2026.7.1",
  fileEraOld: "2026.4.26",
  eraC: "2026.9.6",
  eraCVersions: process.env.INTEROP_ERA_C_VERSIONS?.split(/[\s,]+/).filter(Boolean) ?? ["2026.9.6", "2026.9.5", "2026.9.4"],
};
const openclawPkg = (version: string) => path.join(INTEROP_DIR, `openclaw-${version}`, "node_modules", "openclaw");

// The fixtures were generated in /home/operator/.openclaw; absolute paths inside them
// (sessionFile, trajectory pointers, config) still name that directory.
export const CAPTURE_STATE_DIR = "/home/operator/.openclaw";
const CAPTURE_LOG_DIR = "/home/operator/.openclaw-logs";

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs scripts/interop-setup.sh (idempotent, fast when installed) and returns the entry of the
 * asked OpenClaw version (passed to the script too, so a version outside its default list, e.g.
 * one named by INTEROP_ERA_C_VERSIONS, is installed rather than refused).
 */
export function ensureInterop(version: string = OPENCLAW_VERSIONS.fileEra): string {
  const res = spawnSync("bash", [path.join(REPO_ROOT, "scripts", "interop-setup.sh"), version], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 15 * 60_000,
  });
  if (res.status !== 0) {
    throw new Error(`scripts/interop-setup.sh failed (exit ${res.status}):\n${res.stderr}\n${res.stdout}`);
  }
  const dir = openclawPkg(version);
  if (!fs.existsSync(path.join(dir, "package.json"))) {
    throw new Error(`openclaw@${version} is not in .interop/: add it to INTEROP_OPENCLAW_VERSIONS`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const rel = typeof pkg.bin === "string" ? pkg.bin : pkg.bin.openclaw;
  return path.join(dir, rel);
}

export interface Sandbox {
  root: string;
  stateDir: string;
  home: string;
  /** TMPDIR of every child: keeps gateway singleton locks away from the machine's own */
  tmp: string;
  configPath: string;
  storePath: (agentId?: string) => string;
}

/** Names of the real stores (directories holding a `state/`). */
export function listRealStores(): string[] {
  return fs
    .readdirSync(REAL_STORES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(REAL_STORES_DIR, d.name, "state")))
    .map((d) => d.name)
    .sort();
}

/**
 * Copies one real store into a fresh temp dir and points its absolute paths at the copy, so
 * that OpenClaw (whose resolver returns an absolute `.../agents/<id>/sessions/<file>` path as
 * is, even when missing) and our tool both find the transcripts and trajectories. Only
 * `sessionFile`, the trajectory pointers' `runtimeFile` and config paths change, by plain text
 * replacement, so every other byte (formatting, key order, unknown fields) stays as OpenClaw
 * wrote it. Also installs the captured gateway lock (dead owner) where OpenClaw would look.
 */
export function copyRealStore(name: string): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `oc-interop-${name}-`));
  const stateDir = path.join(root, "state");
  const home = path.join(root, "home");
  const tmp = path.join(root, "tmp");
  fs.cpSync(path.join(REAL_STORES_DIR, name, "state"), stateDir, { recursive: true });
  makeWritable(stateDir); // the shared copies are read-only
  fs.mkdirSync(home);
  fs.mkdirSync(tmp);

  const jsonPath = (p: string) => JSON.stringify(p).slice(1, -1);
  const configPath = path.join(stateDir, "openclaw.json");
  replaceInFile(configPath, [
    [CAPTURE_LOG_DIR, jsonPath(path.join(root, "logs"))],
    [CAPTURE_STATE_DIR, jsonPath(stateDir)],
  ]);
  const agentsDir = path.join(stateDir, "agents");
  for (const agent of fs.readdirSync(agentsDir)) {
    const sessionsDir = path.join(agentsDir, agent, "sessions");
    if (!fs.existsSync(sessionsDir)) continue;
    for (const file of fs.readdirSync(sessionsDir)) {
      if (file === "sessions.json" || file.endsWith(".trajectory-path.json")) {
        replaceInFile(path.join(sessionsDir, file), [[`${CAPTURE_STATE_DIR}/`, `${jsonPath(stateDir)}/`]]);
      }
    }
    assertSessionFilesInside(path.join(sessionsDir, "sessions.json"), stateDir);
  }

  const lockDir = path.join(REAL_STORES_DIR, name, "gateway-lock");
  if (fs.existsSync(lockDir)) {
    for (const file of fs.readdirSync(lockDir)) {
      const body = JSON.parse(fs.readFileSync(path.join(lockDir, file), "utf8"));
      body.configPath = configPath;
      const target = path.join(tmp, `openclaw-${os.userInfo().uid}`, gatewayLockName(configPath));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, JSON.stringify(body));
    }
  }

  return {
    root,
    stateDir,
    home,
    tmp,
    configPath,
    storePath: (agentId = "main") => path.join(stateDir, "agents", agentId, "sessions", "sessions.json"),
  };
}

/** OpenClaw 2026.7.1: gateway.<first 8 hex of sha256(configPath)>.lock (gateway-lock.ts). */
export function gatewayLockName(configPath: string): string {
  return `gateway.${createHash("sha256").update(configPath).digest("hex").slice(0, 8)}.lock`;
}

function makeWritable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else if (entry.isFile()) fs.chmodSync(p, 0o644);
  }
}

function replaceInFile(file: string, pairs: Array<[string, string]>): void {
  let text = fs.readFileSync(file, "utf8");
  for (const [from, to] of pairs) text = text.split(from).join(to);
  fs.writeFileSync(file, text);
}

function assertSessionFilesInside(storePath: string, stateDir: string): void {
  if (!fs.existsSync(storePath)) return;
  const store = JSON.parse(fs.readFileSync(storePath, "utf8")) as Record<string, { sessionFile?: string }>;
  for (const [key, entry] of Object.entries(store)) {
    if (entry.sessionFile !== undefined && !entry.sessionFile.startsWith(`${stateDir}/`)) {
      throw new Error(`fixture ${storePath}: ${key}.sessionFile ${entry.sessionFile} was not relocated`);
    }
  }
}

/** A minimal environment: no VITEST/NODE_ENV leak (OpenClaw skips its gateway lock under them). */
export function cleanEnv(box: Sandbox, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // OpenClaw's own helpers run `node`: make that the interop Node 24
  const PATH = `${path.dirname(INTEROP_NODE)}:${process.env.PATH ?? "/usr/bin:/bin"}`;
  return { PATH, HOME: box.home, TMPDIR: box.tmp, NO_COLOR: "1", ...extra };
}

function done(res: SpawnSyncReturns<string>): Run {
  if (res.error) throw res.error;
  return { status: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr };
}

/** Our built CLI, with the Node running the tests. */
export function runOurs(box: Sandbox, args: string[]): Run {
  return done(
    spawnSync(process.execPath, [OUR_BIN, ...args], {
      cwd: REPO_ROOT,
      env: cleanEnv(box),
      encoding: "utf8",
      timeout: 120_000,
    }),
  );
}

/** The real OpenClaw CLI on Node 24, pointed at the sandbox's state dir. */
export function runOpenclaw(openclawEntry: string, box: Sandbox, args: string[]): Run {
  return done(
    spawnSync(INTEROP_NODE, [openclawEntry, ...args], {
      cwd: box.root,
      env: openclawEnv(box),
      encoding: "utf8",
      timeout: 180_000,
    }),
  );
}

/**
 * 2026.4.26 npm-installs its bundled plugins' runtime deps (playwright-core, express, ...) at
 * the first gateway start, by default into <state>/plugin-runtime-deps: minutes per sandbox.
 * One shared stage dir (versioned inside by OpenClaw) makes that a one-time cost.
 */
export const PLUGIN_STAGE_DIR = path.join(INTEROP_DIR, "plugin-stage");

/**
 * 2026.4.26's gateway starts channels and sidecars (browser control, canvas host, gmail watcher)
 * before it logs `gateway ready`: 4-5 minutes here, waiting on things this sandbox cannot reach.
 * None of them touches the session store, so the 2026.4 runs skip them (OpenClaw's own switches).
 */
const SKIP_SIDECARS = {
  OPENCLAW_SKIP_CHANNELS: "1",
  OPENCLAW_SKIP_GMAIL_WATCHER: "1",
  OPENCLAW_SKIP_CANVAS_HOST: "1",
  OPENCLAW_SKIP_BROWSER_CONTROL_SERVER: "1",
};

export function openclawEnv(box: Sandbox, version = ""): NodeJS.ProcessEnv {
  return cleanEnv(box, {
    ...(version.startsWith("2026.4.") ? SKIP_SIDECARS : {}),
    OPENCLAW_STATE_DIR: box.stateDir,
    OPENCLAW_PLUGIN_STAGE_DIR: PLUGIN_STAGE_DIR,
    // Without it 2026.7.1+ `openclaw.mjs` re-spawns itself (to turn on its compile cache) and
    // only supervises the real process: a SIGKILL then orphans the gateway or agent, and a
    // SIGTERM becomes a SIGKILL 2 s later. With it, the pid we signal is OpenClaw itself.
    NODE_DISABLE_COMPILE_CACHE: "1",
    // and `openclaw agent` re-spawns itself for its startup environment (dist/entry.js)
    OPENCLAW_NO_RESPAWN: "1",
    // the gateway's pre-auth handshake budget (10 s) is too short on a loaded 2-core machine:
    // a CLI that misses it falls back to an embedded run (no `status`, not the gateway's run)
    OPENCLAW_HANDSHAKE_TIMEOUT_MS: "60000",
    ...trustEnv(),
  });
}

/**
 * That one-time staging runs npm with OpenClaw's Node, whose prefix has no npmrc: hand it the
 * machine's CA bundle (a TLS-inspecting proxy otherwise fails it with SELF_SIGNED_CERT_IN_CHAIN).
 * Paths only, no credentials. Everything else the tests do stays on 127.0.0.1.
 */
function trustEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"]) {
    const v = process.env[name];
    if (v) out[name] = v;
  }
  if (out.NODE_EXTRA_CA_CERTS) out.npm_config_cafile = out.NODE_EXTRA_CA_CERTS;
  return out;
}

export function describeRun(label: string, run: Run): string {
  return `${label} exited ${run.status ?? run.signal}\nstderr:\n${run.stderr}\nstdout:\n${run.stdout.slice(0, 4000)}`;
}

export type Store = Record<string, Record<string, unknown>>;

export function readStore(file: string): Store {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Store;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
