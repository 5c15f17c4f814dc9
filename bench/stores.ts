// Benchmark stores: generated once into bench/out/<N>/state by src/sim's generator and reused
// while the generator (its compiled code) and the parameters below are unchanged. The manifest
// sits beside the state dir, and bench-store.json is written LAST, so an interrupted generation
// is never mistaken for a complete store.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateStore, type GeneratedKind } from "../src/sim/generate.js";

/** bump when what this file asks of the generator changes */
const STORE_FORMAT = 1;
export const STORE_SEED = 20260701;
/** a few huge sessions, as in a real long-lived store: their cost must not show */
export const BIG_FILES = 2;

export interface StoreMeta {
  version: string;
  sessions: number;
  seed: number;
  bigFiles: number;
  /** the generation's clock: commands run with OPENCLAW_SESSIONS_NOW set to it */
  now: number;
  counts: Record<GeneratedKind, number>;
  totalBytes: number;
  generatedAt: string;
  generateMs: number;
}

export interface BenchStore {
  dir: string;
  stateDir: string;
  meta: StoreMeta;
  reused: boolean;
}

/** The generator's identity: a hash of its compiled sources and of what we ask of it. */
export function generatorVersion(): string {
  const simDir = fileURLToPath(new URL("../src/sim/", import.meta.url));
  const h = createHash("sha256").update(`format ${STORE_FORMAT} seed ${STORE_SEED} big ${BIG_FILES}\n`);
  for (const f of fs.readdirSync(simDir).filter((f) => f.endsWith(".js")).sort()) {
    h.update(f).update(fs.readFileSync(path.join(simDir, f)));
  }
  return h.digest("hex").slice(0, 16);
}

export function readMeta(dir: string): StoreMeta | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "bench-store.json"), "utf8")) as StoreMeta;
  } catch {
    return undefined;
  }
}

export async function ensureStore(outDir: string, sessions: number, log: (line: string) => void): Promise<BenchStore> {
  const dir = path.join(outDir, String(sessions));
  const stateDir = path.join(dir, "state");
  const version = generatorVersion();
  const old = readMeta(dir);
  if (old && old.version === version && old.sessions === sessions && fs.existsSync(stateDir)) {
    return { dir, stateDir, meta: old, reused: true };
  }
  if (fs.existsSync(dir)) {
    log(`store ${sessions}: ${old ? `generator version ${old.version} != ${version}` : "incomplete"}; regenerating`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  log(`store ${sessions}: generating into ${stateDir} ...`);
  const t0 = Date.now();
  const manifest = await generateStore({ outDir: stateDir, sessions, seed: STORE_SEED, bigFiles: BIG_FILES });
  const generateMs = Date.now() - t0;
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest));
  const meta: StoreMeta = {
    version,
    sessions,
    seed: STORE_SEED,
    bigFiles: BIG_FILES,
    now: manifest.now,
    counts: manifest.counts,
    totalBytes: manifest.totalBytes,
    generatedAt: new Date().toISOString(),
    generateMs,
  };
  fs.writeFileSync(path.join(dir, "bench-store.json"), `${JSON.stringify(meta, null, 2)}\n`);
  log(`store ${sessions}: generated in ${(generateMs / 1000).toFixed(1)} s, ${(manifest.totalBytes / 2 ** 20).toFixed(0)} MiB of transcripts and trajectories`);
  return { dir, stateDir, meta, reused: false };
}

/** A fingerprint of every index: a --dry-run that wrote would change it. */
export function indexFingerprint(stateDir: string): string {
  const h = createHash("sha256");
  const agentsDir = path.join(stateDir, "agents");
  for (const id of fs.readdirSync(agentsDir).sort()) {
    const sessionsDir = path.join(agentsDir, id, "sessions");
    const p = path.join(sessionsDir, "sessions.json");
    if (fs.existsSync(p)) h.update(p).update(fs.readFileSync(p));
    // lock files too: a keepalive or cleanup that takes or breaks one is not a dry run
    const locks = fs.readdirSync(sessionsDir).filter((f) => f.endsWith(".lock")).sort();
    h.update(locks.join("\n"));
  }
  return h.digest("hex");
}

/** Forgets a store (its files stay until the next run regenerates them). */
export function invalidateStore(store: BenchStore): void {
  fs.rmSync(path.join(store.dir, "bench-store.json"), { force: true });
}
