// Interop: stores written by real OpenClaw 2026.7.1, repaired by OUR cleanup, must read back
// through REAL OpenClaw exactly as we wrote them. Needs .interop/ (scripts/interop-setup.sh,
// run from beforeAll when missing). Run with `npm run test:interop`.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyRealStore,
  describeRun,
  ensureInterop,
  freePort,
  gatewayLockName,
  INTEROP_NODE,
  listRealStores,
  openclawEnv,
  readStore,
  runOpenclaw,
  runOurs,
  type Run,
  type Sandbox,
  type Store,
} from "./support.js";

// What each real session must become (see test/fixtures/real-openclaw/README.md): what OpenClaw's
// own restart recovery writes for a run whose gateway is gone (measured in
// docs/finalize-vs-openclaw.md): `failed` + abortedLastRun, no runtimeMs (issue 11's one verdict).
// s5 was copied inside the 15 s error grace, gateway alive; in the sandbox no gateway runs, so
// recovery's answer applies there too.
type Expected = "unchanged" | { status: string; abortedLastRun: boolean };
const DEAD_OWNER = { status: "failed", abortedLastRun: true } as const;
const EXPECTED: Record<string, Expected> = {
  "agent:main:main": "unchanged", // s1: finished cleanly
  "agent:main:s2-model-wait": DEAD_OWNER, // s2: gateway gone while waiting for the model
  "agent:main:s3-tool-exec": DEAD_OWNER, // s3: gateway SIGKILLed during a tool
  "agent:main:s5-http500": DEAD_OWNER, // s5: run ended with an error inside the 15 s grace
  "agent:main:s5-malformed": DEAD_OWNER,
};

// The only fields the gateway's own terminal patch writes (see test/fixtures/real-openclaw/s3-tool-killed).
const FINALIZE_FIELDS = new Set(["status", "endedAt", "runtimeMs", "updatedAt", "abortedLastRun"]);

const boxes: Sandbox[] = [];
let openclaw = "";

beforeAll(() => {
  openclaw = ensureInterop();
}, 20 * 60_000);

afterAll(() => {
  for (const box of boxes) fs.rmSync(box.root, { recursive: true, force: true });
});

function sandbox(name: string): Sandbox {
  const box = copyRealStore(name);
  boxes.push(box);
  return box;
}

function finalizeStale(box: Sandbox): Run {
  return runOurs(box, ["cleanup", "--finalize-stale", "--state-dir", box.stateDir, "--json"]);
}

function parseJson(run: Run, label: string): unknown {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`${label}: stdout is not JSON\n${describeRun(label, run)}`);
  }
}

/** True when `sub` appears in `all` in the same relative order. */
function isSubsequence(sub: string[], all: string[]): boolean {
  let i = 0;
  for (const k of all) if (k === sub[i]) i++;
  return i === sub.length;
}

interface OpenclawList {
  path: string | null;
  count: number;
  totalCount: number;
  sessions: Array<{ key: string; sessionId?: string; status?: string }>;
}

function openclawList(box: Sandbox): OpenclawList {
  const run = runOpenclaw(openclaw, box, ["sessions", "--json", "--limit", "all", "--store", box.storePath()]);
  expect(run.status, describeRun("openclaw sessions --json", run)).toBe(0);
  return parseJson(run, "openclaw sessions --json") as OpenclawList;
}

function expectOpenclawListsExactly(box: Sandbox, store: Store): void {
  const listed = openclawList(box);
  expect(listed.path).toBe(box.storePath());
  // a file OpenClaw cannot parse reads as an empty store: the counts prove it parsed ours
  expect(listed.totalCount).toBe(Object.keys(store).length);
  expect(listed.sessions.map((s) => s.key).sort()).toEqual(Object.keys(store).sort());
  for (const row of listed.sessions) {
    expect(row.status, row.key).toBe(store[row.key]!.status);
    expect(row.sessionId, row.key).toBe(store[row.key]!.sessionId);
  }
}

describe.each(listRealStores())("real OpenClaw store %s", (name) => {
  let box: Sandbox;
  let before: Store;
  let beforeBytes: Buffer;
  let ours: Run;
  let after: Store;

  beforeAll(() => {
    box = sandbox(name);
    beforeBytes = fs.readFileSync(box.storePath());
    before = readStore(box.storePath());
    ours = finalizeStale(box);
    after = readStore(box.storePath());
  });

  it("our cleanup --finalize-stale exits 0 with JSON and finalizes exactly the dead runs", () => {
    expect(ours.status, describeRun("openclaw-sessions cleanup", ours)).toBe(0);
    parseJson(ours, "openclaw-sessions cleanup --json");
    expect(Object.keys(after)).toEqual(Object.keys(before));

    for (const [key, old] of Object.entries(before)) {
      const now = after[key]!;
      const expected = EXPECTED[key];
      if (expected === undefined) {
        // a fixture added later without an expectation: still must not lose anything
        expect(isSubsequence(Object.keys(old), Object.keys(now)), key).toBe(true);
        continue;
      }
      if (expected === "unchanged") {
        expect(now, key).toEqual(old);
        continue;
      }
      expect(old.status, `${key} fixture precondition`).toBe("running");
      expect(now.status, key).toBe(expected.status);
      expect(now.abortedLastRun === true, `${key}.abortedLastRun`).toBe(expected.abortedLastRun);
      expect(typeof now.endedAt, `${key}.endedAt`).toBe("number");
      expect(now.endedAt as number).toBeGreaterThanOrEqual(old.startedAt as number);
      // every field OpenClaw wrote is kept, in its order; only the terminal patch changes
      expect(isSubsequence(Object.keys(old), Object.keys(now)), `${key} key order`).toBe(true);
      for (const field of Object.keys(now)) {
        if (!FINALIZE_FIELDS.has(field)) expect(now[field], `${key}.${field}`).toEqual(old[field]);
      }
    }
  });

  it("writes OpenClaw's own serialization, and nothing at all when nothing needed finalizing", () => {
    expect(ours.status, describeRun("openclaw-sessions cleanup", ours)).toBe(0);
    const needsWork = Object.values(before).some((e) => e.status === "running");
    if (needsWork) {
      // written in OpenClaw's own form: 2-space JSON, no trailing newline
      expect(fs.readFileSync(box.storePath(), "utf8")).toBe(JSON.stringify(after, null, 2));
    } else {
      expect(fs.readFileSync(box.storePath()).equals(beforeBytes)).toBe(true);
    }
  });

  it("real OpenClaw `sessions --json` parses our index and reports the statuses we wrote", () => {
    expect(ours.status, describeRun("openclaw-sessions cleanup", ours)).toBe(0);
    expectOpenclawListsExactly(box, after);
  });

  it("real OpenClaw `sessions cleanup --dry-run --json` accepts it and finds every transcript", () => {
    expect(ours.status, describeRun("openclaw-sessions cleanup", ours)).toBe(0);
    const run = runOpenclaw(openclaw, box, [
      "sessions", "cleanup", "--dry-run", "--fix-missing", "--json", "--store", box.storePath(),
    ]);
    expect(run.status, describeRun("openclaw sessions cleanup --dry-run", run)).toBe(0);
    const summary = parseJson(run, "openclaw sessions cleanup --dry-run") as Record<string, unknown>;
    expect(summary.dryRun).toBe(true);
    expect(summary.beforeCount).toBe(Object.keys(after).length);
    expect(summary.missing).toBe(0);
    // a dry run never writes
    expect(readStore(box.storePath())).toEqual(after);
  });
});

describe("our writer keeps fields it does not know, and OpenClaw keeps them too", () => {
  const S2 = "s2-live-waiting-model";
  const KEY = "agent:main:s2-model-wait";
  const EXTRA = "agent:main:interop-extra";
  const probe = { nested: [1, "two", null, { deep: true }], ratio: 1.5, note: "ünïcødé ✓" };
  let box: Sandbox;
  let written: Store;
  let ours: Run;

  beforeAll(() => {
    box = sandbox(S2);
    const store = readStore(box.storePath());
    const entry = store[KEY]!;
    // unknown fields first, in the middle and last; plus a finished entry we must not touch
    const keys = Object.keys(entry);
    const mid = Math.floor(keys.length / 2);
    const reordered: Record<string, unknown> = { aaFutureField: "from a newer OpenClaw" };
    keys.forEach((k, i) => {
      if (i === mid) reordered.midFutureField = { probe };
      reordered[k] = entry[k];
    });
    reordered.zzFutureField = probe;
    store[KEY] = reordered;
    store[EXTRA] = {
      sessionId: "0b7e3b4c-1d1e-4a55-9a8f-4b1f7f0c2e11",
      updatedAt: entry.updatedAt,
      status: "done",
      startedAt: entry.startedAt,
      endedAt: entry.updatedAt,
      runtimeMs: (entry.updatedAt as number) - (entry.startedAt as number),
      pluginSlot: { "x-vendor": { enabled: true } },
    };
    fs.writeFileSync(box.storePath(), JSON.stringify(store, null, 2));
    written = store;
    ours = finalizeStale(box);
  });

  it("our cleanup rewrites the index with every unknown field and key order intact", () => {
    expect(ours.status, describeRun("openclaw-sessions cleanup", ours)).toBe(0);
    const after = readStore(box.storePath());
    expect(Object.keys(after)).toEqual(Object.keys(written));
    expect(after[EXTRA]).toEqual(written[EXTRA]);
    expect(after[KEY]!.status).toBe(DEAD_OWNER.status);
    const oldKeys = Object.keys(written[KEY]!);
    const newKeys = Object.keys(after[KEY]!);
    expect(isSubsequence(oldKeys, newKeys)).toBe(true);
    expect(newKeys.filter((k) => !oldKeys.includes(k)).every((k) => FINALIZE_FIELDS.has(k))).toBe(true);
    expect(after[KEY]!.aaFutureField).toBe("from a newer OpenClaw");
    expect(after[KEY]!.midFutureField).toEqual({ probe });
    expect(after[KEY]!.zzFutureField).toEqual(probe);
  });

  it("real OpenClaw lists the same session keys and statuses", () => {
    expect(ours.status, describeRun("openclaw-sessions cleanup", ours)).toBe(0);
    expectOpenclawListsExactly(box, readStore(box.storePath()));
  });

  it("real OpenClaw's own rewrite (cleanup --enforce) keeps our entries, statuses and unknown fields", () => {
    expect(ours.status, describeRun("openclaw-sessions cleanup", ours)).toBe(0);
    const ourStore = readStore(box.storePath());
    const run = runOpenclaw(openclaw, box, ["sessions", "cleanup", "--enforce", "--json", "--store", box.storePath()]);
    expect(run.status, describeRun("openclaw sessions cleanup --enforce", run)).toBe(0);
    const theirs = readStore(box.storePath());
    expect(Object.keys(theirs).sort()).toEqual(Object.keys(ourStore).sort());
    for (const key of Object.keys(ourStore)) {
      expect(theirs[key]!.status, key).toBe(ourStore[key]!.status);
      // OpenClaw drops skillsSnapshot when its prompt blob is missing (the fixtures omit
      // blobs); every other field we wrote must survive its load/normalize/save cycle
      const ourFields = Object.keys(ourStore[key]!).filter((k) => k !== "skillsSnapshot");
      expect(Object.keys(theirs[key]!).filter((k) => k !== "skillsSnapshot").sort(), key).toEqual(ourFields.sort());
    }
    expect(theirs[KEY]!.zzFutureField).toEqual(probe);
    expect(theirs[EXTRA]!.pluginSlot).toEqual({ "x-vendor": { enabled: true } });
  });
});

describe("a real 2026.7.1 gateway starts on our repaired index", () => {
  const KEY = "agent:main:s2-model-wait";
  let box: Sandbox;
  let gateway: ChildProcess | undefined;
  let log = "";

  afterAll(() => {
    if (gateway && gateway.exitCode === null && gateway.signalCode === null) gateway.kill("SIGKILL");
  });

  it("answers /healthz, does not resume the finalized run, stops on SIGTERM and keeps our index", async () => {
    // s2 shares s1's config; it is the store with a run to finalize, so the gateway meets a
    // row WE wrote (s1 would only show OpenClaw reading its own untouched file)
    box = sandbox("s2-live-waiting-model");
    const ours = finalizeStale(box);
    expect(ours.status, describeRun("openclaw-sessions cleanup", ours)).toBe(0);
    const repaired = readStore(box.storePath());
    expect(repaired[KEY]!.status).toBe(DEAD_OWNER.status);

    const port = await freePort();
    const config = fs.readFileSync(box.configPath, "utf8");
    expect(config).toMatch(/port: \d+/);
    fs.writeFileSync(box.configPath, config.replace(/port: \d+/, `port: ${port}`));

    gateway = spawn(INTEROP_NODE, [openclaw, "gateway", "run"], {
      cwd: box.root,
      env: openclawEnv(box),
      stdio: ["ignore", "pipe", "pipe"],
    });
    gateway.stdout!.on("data", (d: Buffer) => (log += d.toString()));
    gateway.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      gateway!.once("exit", (code, signal) => resolve({ code, signal })),
    );

    const health = await waitForHealth(port, exited, 120_000);
    expect(health, log).toMatchObject({ ok: true });
    const lockPath = path.join(box.tmp, `openclaw-${process.getuid!()}`, gatewayLockName(box.configPath));
    expect(JSON.parse(fs.readFileSync(lockPath, "utf8")).pid).toBe(gateway.pid);

    // 2026.7.1 recovers interrupted `running` rows about 5 s after start (an unrepaired copy of
    // s2 gets its turn re-run); give it that chance, then check it left our row alone
    await new Promise((r) => setTimeout(r, 10_000));
    expect(log).not.toMatch(/model-fetch\] start/);
    expect(readStore(box.storePath())[KEY]!.status).toBe(DEAD_OWNER.status);

    gateway.kill("SIGTERM");
    const exit = await Promise.race([
      exited,
      new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 60_000)),
    ]);
    expect(exit, log).not.toBe("timeout");
    expect(fs.existsSync(lockPath)).toBe(false); // a clean stop releases the singleton lock

    const final = readStore(box.storePath());
    expect(Object.keys(final).sort()).toEqual(Object.keys(repaired).sort());
    expect(final[KEY]!.status).toBe(DEAD_OWNER.status);
    expect(final[KEY]!.endedAt).toBe(repaired[KEY]!.endedAt);
  });
});

async function waitForHealth(
  port: number,
  exited: Promise<unknown>,
  boundMs: number,
): Promise<unknown> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline && !gone) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return await res.json();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(gone ? "gateway exited before answering /healthz" : `no /healthz answer within ${boundMs} ms`);
}
