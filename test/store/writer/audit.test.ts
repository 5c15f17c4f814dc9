// The audit log's directory under sudo: HOME is often kept, so `~/.local/state/openclaw-sessions`
// is made by root inside the user's home. What we create there must be the user's, or their own
// runs can no longer open the log (exit 4). Needs root; the user's write runs as nobody.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { UnreadableError } from "../../../src/core/errors.js";
import { openAudit, readAuditTail } from "../../../src/store/writer/audit.js";
import { applyPatches } from "../../../src/store/writer/index.js";
import { applyOnce, giveStoreTo, IS_ROOT, NOBODY, removeOthersCopy } from "./helpers/as-user.js";
import { denyReading } from "./helpers/deny-reading.js";
import { entry, makeStore, patchFor, type TempStore } from "./helpers/store.js";

let store: TempStore | undefined;
const dirs: string[] = [];
afterEach(() => {
  store?.cleanup();
  store = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
afterAll(removeOthersCopy);

function owners(from: string, to: string): string[] {
  const out: string[] = [];
  for (let p = to; p.length > from.length; p = path.dirname(p)) {
    const st = fs.statSync(p);
    out.unshift(`${path.relative(from, p)} ${st.uid} ${(st.mode & 0o777).toString(8)}`);
  }
  return out;
}

describe.runIf(IS_ROOT)("the audit log made by root", () => {
  it("under another user's home every directory and the log it creates are that user's; under root's own, root's", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-home-"));
    dirs.push(home);
    fs.chownSync(home, NOBODY, NOBODY);
    const log = path.join(home, ".local", "state", "openclaw-sessions", "audit.jsonl");
    fs.closeSync(openAudit(log));
    expect(owners(home, log)).toEqual([
      `.local ${NOBODY} 700`,
      `.local/state ${NOBODY} 700`,
      `.local/state/openclaw-sessions ${NOBODY} 700`,
      `.local/state/openclaw-sessions/audit.jsonl ${NOBODY} 600`,
    ]);

    const rootHome = path.join(home, "root-home");
    fs.mkdirSync(rootHome, { mode: 0o700 });
    const rootLog = path.join(rootHome, "state", "audit.jsonl");
    fs.closeSync(openAudit(rootLog));
    expect(owners(rootHome, rootLog)).toEqual(["state 0 700", "state/audit.jsonl 0 600"]);
  });

  it("after a root write with the user's HOME, the user's own next write still appends to the log", async () => {
    store = makeStore({ a: entry("A", 1), b: entry("B", 1) });
    giveStoreTo(store, NOBODY, NOBODY); // the log's parent (XDG_STATE_HOME) is the user's, its dir not made yet
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    expect(res.wrote).toBe(true);
    const out = applyOnce(store, "b", { uid: NOBODY });
    expect(out.result).toEqual({ wrote: true });
    // each write: its intent line before the rename, then its one change
    const lines = fs.readFileSync(store.auditPath, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { kind: string; pid: number });
    expect(lines.map((l) => l.kind)).toEqual(["intent", "apply", "intent", "apply"]);
    expect(lines[2]!.pid).not.toBe(process.pid);
  });
});

describe("reading the log", () => {
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-audit-"));
    dirs.push(d);
    return d;
  };

  it("a log that is not there records nothing: no lines", () => {
    expect(readAuditTail(path.join(tempDir(), "openclaw-sessions", "audit.jsonl"))).toEqual([]);
  });

  it("a log this user may not read is an UnreadableError (exit 3) naming it, why, and whose log to use instead; never no lines", () => {
    const log = path.join(tempDir(), "audit.jsonl");
    fs.writeFileSync(log, `${JSON.stringify({ kind: "apply", storePath: "/s", backupPath: "/b" })}\n`, { mode: 0o600 });
    const message =
      `cannot read the audit log ${log}: permission denied: this user (uid ${process.getuid!()}) cannot read it, so what openclaw-sessions wrote is not known; ` +
      `run as the user who wrote it (uid ${fs.statSync(log).uid}), or set XDG_STATE_HOME to that user's (the log is $XDG_STATE_HOME/openclaw-sessions/audit.jsonl)`;
    const spy = denyReading(log);
    try {
      expect(() => readAuditTail(log)).toThrow(UnreadableError);
      expect(() => readAuditTail(log)).toThrow(expect.objectContaining({ exitCode: 3, message }));
    } finally {
      spy.mockRestore();
    }
  });

  it("a directory where the log should be is unreadable too (EISDIR), not an empty log", () => {
    const log = path.join(tempDir(), "audit.jsonl");
    fs.mkdirSync(log);
    expect(() => readAuditTail(log)).toThrow(UnreadableError);
    expect(() => readAuditTail(log)).toThrow(/cannot read the audit log .*: EISDIR/);
  });
});
