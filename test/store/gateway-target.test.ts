// Which gateway the overlay connects to: the one this state dir's singleton lock names, in
// $TMPDIR up to 2026.8 and under the state dir's own tmp/ since 2026.9 (seen on a real 2026.9.6
// gateway: nothing under $TMPDIR/openclaw-<uid>/).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lockTarget } from "../../src/store/gateway-target.js";
import { gatewayLockPath } from "../../src/store/gateway.js";
import { readProcStartTime } from "../../src/store/proc.js";
import { stateLockDir } from "../../src/store/sqlite/owner.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function sandbox(): { stateDir: string; tmpDir: string; configPath: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "oc-lock-target-"));
  roots.push(root);
  const stateDir = path.join(root, "state");
  const tmpDir = path.join(root, "tmp");
  fs.mkdirSync(stateDir, { recursive: true });
  fs.mkdirSync(tmpDir, { recursive: true });
  return { stateDir, tmpDir, configPath: path.join(stateDir, "openclaw.json") };
}

function stateDirLock(stateDir: string, body: Record<string, unknown>, name = "gateway.577047bf.lock"): void {
  const dir = stateLockDir(stateDir);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), JSON.stringify(body));
}

const live = () => ({ pid: process.pid, startTime: readProcStartTime(process.pid), createdAt: new Date().toISOString() });

describe("lockTarget", () => {
  it("finds a 2026.9 gateway by the lock under the state dir when $TMPDIR has none", () => {
    const s = sandbox();
    stateDirLock(s.stateDir, { ...live(), port: 40005, configPath: s.configPath });
    expect(lockTarget(s.configPath, s.tmpDir, s.stateDir)).toEqual({ url: "ws://127.0.0.1:40005/", label: "gateway at 127.0.0.1:40005", port: 40005 });
    // without the state dir it cannot know: what the overlay did before, and why it never connected
    expect(lockTarget(s.configPath, s.tmpDir)).toMatchObject({ unavailable: expect.stringMatching(/no singleton lock/) });
  });

  it("prefers the live lock when a dead one is left in $TMPDIR by an older gateway", () => {
    const s = sandbox();
    const old = gatewayLockPath(s.configPath, s.tmpDir);
    fs.mkdirSync(path.dirname(old), { recursive: true });
    fs.writeFileSync(old, JSON.stringify({ pid: 2 ** 22 + 17, createdAt: new Date().toISOString(), configPath: s.configPath, port: 18789 }));
    stateDirLock(s.stateDir, { ...live(), port: 40006 });
    expect(lockTarget(s.configPath, s.tmpDir, s.stateDir)).toMatchObject({ port: 40006 });
  });

  it("never connects to an embedded run's lock, nor to a dead owner's", () => {
    const s = sandbox();
    stateDirLock(s.stateDir, { ...live(), port: 40007, role: "agent-embedded" });
    expect(lockTarget(s.configPath, s.tmpDir, s.stateDir)).toMatchObject({ unavailable: expect.stringMatching(/embedded/) });
    const d = sandbox();
    stateDirLock(d.stateDir, { pid: process.pid, startTime: 1, createdAt: new Date().toISOString(), port: 40008 });
    expect(lockTarget(d.configPath, d.tmpDir, d.stateDir)).toMatchObject({ unavailable: expect.stringMatching(/not running/) });
  });
});
