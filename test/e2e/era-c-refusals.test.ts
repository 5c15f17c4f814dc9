// An era C store the built CLI refuses to read (exit 3) says what is really wrong and what helps:
// a -wal without -shm (the -wal is there: the -shm is what is missing), a damaged page 1 (damage,
// not "not OpenClaw's database"), a sidecar this user may not read (named, as the database is).
// The store itself is never touched: its files keep their inodes, sizes and times.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateEraCStore } from "../../src/sim/era-c/generate.js";
import { agentDbPath } from "../../src/store/era.js";
import { buildRunnableByOthers, NOBODY, runAsNobody } from "../fixtures/as-another-user.js";
import { storeFacts } from "../fixtures/real-openclaw-c.js";
import { runCli } from "./helpers/cli.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

async function eraCState(): Promise<{ state: string; db: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-refusals-"));
  roots.push(root);
  fs.chmodSync(root, 0o755);
  const state = path.join(root, "state");
  await generateEraCStore({ outDir: state, sessions: 5, agents: ["main"], seed: 5 });
  return { state, db: agentDbPath(state, "main") };
}

/** A writer killed after a commit, its -wal never checkpointed (the QA repro), as a child process. */
function killedWriter(db: string): void {
  const script = `const {DatabaseSync}=require("node:sqlite");const d=new DatabaseSync(${JSON.stringify(db)});d.exec("PRAGMA journal_mode=WAL;PRAGMA wal_autocheckpoint=0;UPDATE session_nodes SET updated_at=updated_at+1");process.kill(process.pid,"SIGKILL")`;
  spawnSync(process.execPath, ["-e", script]);
}

describe("era C stores refused with what is really wrong", () => {
  it("a non-empty -wal without -shm: not 'copy it with its -wal' (it is there); the advice given, followed, reads the store", async () => {
    const { state, db } = await eraCState();
    killedWriter(db);
    fs.rmSync(`${db}-shm`);
    expect(fs.statSync(`${db}-wal`).size).toBeGreaterThan(0);
    const before = storeFacts(db);
    const r = await runCli(["status", "--state-dir", state, "--no-probe"]);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/with its -wal to read it/);
    expect(r.stderr).toMatch(/its -shm is missing.*copy the database and its -wal to another directory, give the copy an empty -shm/);
    expect(storeFacts(db)).toEqual(before);
    expect(fs.existsSync(`${db}-shm`)).toBe(false);

    const away = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-refusals-copy-"));
    roots.push(away);
    const copy = path.join(away, "openclaw-agent.sqlite");
    fs.copyFileSync(db, copy);
    fs.copyFileSync(`${db}-wal`, `${copy}-wal`);
    fs.writeFileSync(`${copy}-shm`, "");
    const read = await runCli(["status", "--store", copy, "--no-probe", "--json"]);
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout).sessions).toHaveLength(5);
  });

  it("page 1 scribbled over after the SQLite header: 'damaged', not 'not an OpenClaw 2026.8+ agent database'; exit 3", async () => {
    const { state, db } = await eraCState();
    const fd = fs.openSync(db, "r+");
    try {
      fs.writeSync(fd, Buffer.alloc(3000, 0x2e), 0, 3000, 100);
    } finally {
      fs.closeSync(fd);
    }
    const r = await runCli(["status", "--state-dir", state, "--no-probe", "--json"]);
    expect(r.code).toBe(3);
    const [unread] = JSON.parse(r.stdout).unreadableStores;
    expect(unread.why).toMatch(/the file is damaged/);
    expect(unread.why).not.toMatch(/not an OpenClaw 2026\.8\+ agent database/);
  });

  it.runIf(process.getuid?.() === 0)("a -wal or -shm this user may not read (run as nobody): named, with the permission problem and what to do", async () => {
    const { state, db } = await eraCState();
    killedWriter(db);
    for (const f of fs.readdirSync(state, { recursive: true }) as string[]) fs.chmodSync(path.join(state, f), fs.statSync(path.join(state, f)).isDirectory() ? 0o755 : 0o644);
    const build = buildRunnableByOthers();
    roots.push(path.dirname(build.node));
    for (const side of ["wal", "shm"]) {
      fs.chmodSync(`${db}-${side}`, 0o600);
      const r = runAsNobody(build, ["status", "--state-dir", state, "--no-probe"]);
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`permission denied: this user (uid ${NOBODY}) cannot read its -${side} ${db}-${side}; run as the gateway's user`);
      expect(r.stderr).not.toMatch(/unable to open database file/);
      fs.chmodSync(`${db}-${side}`, 0o644);
    }
  });
});
