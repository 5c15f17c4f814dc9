import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appendLines,
  createLock,
  ensureSessionsDir,
  gatewayLockPath,
  makeDeadOwner,
  readIndex,
  readStarttime,
  removeLock,
  updateIndex,
  writeConfig,
  writeGatewayLock,
  writeIndex,
} from "../../src/sim/writer-fs.js";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sim-writer-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("index writes", () => {
  it("writes 2-space JSON with mode 0600 through a temp file that does not linger", () => {
    const sessions = ensureSessionsDir(dir, "main");
    const p = path.join(sessions, "sessions.json");
    writeIndex(p, { "agent:main:main": { sessionId: "a", updatedAt: 1 } });
    expect(fs.readFileSync(p, "utf8")).toBe(JSON.stringify({ "agent:main:main": { sessionId: "a", updatedAt: 1 } }, null, 2));
    expect(fs.statSync(p).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(sessions)).toEqual(["sessions.json"]);
  });

  it("read-modify-write keeps other keys; a corrupt index reads as {} (era B)", () => {
    const p = path.join(ensureSessionsDir(dir, "main"), "sessions.json");
    writeIndex(p, { a: { sessionId: "a", updatedAt: 1, custom: true } });
    updateIndex(p, (ix) => {
      ix.b = { sessionId: "b", updatedAt: 2 };
    });
    expect(Object.keys(readIndex(p))).toEqual(["a", "b"]);
    expect(readIndex(p).a!.custom).toBe(true);
    fs.writeFileSync(p, '{"a": {"sessionId"');
    expect(readIndex(p)).toEqual({});
  });
});

describe("transcript locks", () => {
  it("are created exclusively and removed", () => {
    const t = path.join(dir, "s.jsonl");
    expect(createLock(t, { pid: process.pid, starttime: 5 }, 1_000, 300_000)).toBe(true);
    expect(createLock(t, { pid: 1 }, 2_000)).toBe(false);
    const body = JSON.parse(fs.readFileSync(`${t}.lock`, "utf8"));
    expect(body).toEqual({ pid: process.pid, createdAt: new Date(1_000).toISOString(), maxHoldMs: 300_000, starttime: 5 });
    removeLock(t);
    expect(fs.existsSync(`${t}.lock`)).toBe(false);
  });

  it("reads a process start time from /proc (field 22)", () => {
    const stat = fs.readFileSync(`/proc/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    expect(readStarttime(process.pid)).toBe(Number(fields[19]));
    expect(readStarttime(2 ** 22 + 12345)).toBeUndefined();
  });

  it("makeDeadOwner yields a pid that really existed and is dead now", async () => {
    const owner = await makeDeadOwner();
    expect(owner.pid).toBeGreaterThan(0);
    expect(owner.starttime).toBeGreaterThan(0);
    expect(alive(owner.pid)).toBe(false);
  });
});

describe("gateway lock and config", () => {
  it("goes to <tmp>/openclaw-<uid>/gateway.<sha256(configPath)[0:8]>.lock", () => {
    const configPath = path.join(dir, "state", "openclaw.json");
    const p = writeGatewayLock({ tmpDir: dir, configPath, pid: process.pid, createdAt: 5_000, port: 18789, startTime: 7 });
    const hash = createHash("sha256").update(configPath).digest("hex").slice(0, 8);
    expect(p).toBe(path.join(dir, `openclaw-${os.userInfo().uid}`, `gateway.${hash}.lock`));
    expect(gatewayLockPath(dir, configPath)).toBe(p);
    expect(JSON.parse(fs.readFileSync(p, "utf8"))).toEqual({ pid: process.pid, createdAt: new Date(5_000).toISOString(), configPath, port: 18789, startTime: 7 });
  });

  it("writes openclaw.json as parseable text", () => {
    const p = writeConfig(path.join(dir, "state"), { gateway: { port: 1 } });
    expect(JSON.parse(fs.readFileSync(p, "utf8"))).toEqual({ gateway: { port: 1 } });
  });

  it("appends lines", () => {
    const f = path.join(dir, "x.jsonl");
    appendLines(f, ["a\n", "b\n"]);
    appendLines(f, "c\n");
    expect(fs.readFileSync(f, "utf8")).toBe("a\nb\nc\n");
  });
});
