// `cleanup` as a user runs it: the BUILT CLI, one run per exit code, on real state dirs. What each
// report says is checked in-process (test/commands/cleanup.test.ts); here, that the real process
// exits with the right code, says it on the right stream and leaves the files as promised.
// Exit 4 (a write refused or failed) is the built CLI's ENOSPC run in cleanup-faults.test.ts.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { indexPath, line, makeStateDir, runEvents, trajectoryPath, transcriptPath, writeIndex, writeTrajectory, writeTranscript } from "../fixtures/store-builder.js";
import { runCli, runJson, useOwners } from "./helpers/cli.js";
import { D, H, NOW, auditPathOf, buildMainStore, cliEnv, entry, expectedIndex, readIndexFile, treeSnapshot, uuid } from "./helpers/cleanup-store.js";

const { live, dead } = useOwners();

const ACTIVE = ["--active-key", "agent:main:pinned"];

describe("the built CLI", () => {
  it("exit 0: applies the plan (the exact expected index), then --undo puts every file back", async () => {
    const s = buildMainStore(live, dead);
    const env = cliEnv();
    const before = treeSnapshot(s.state);
    const beforeIndex = readIndexFile(s.index);
    const applied = await runJson(["cleanup", "--state-dir", s.state, "--no-probe", ...ACTIVE], { env });
    expect(applied.result.stderr).toBe("");
    expect(applied.result.code).toBe(0);
    expect(applied.doc).toMatchObject({ schemaVersion: 1, exitCode: 0 });
    expect(fs.readFileSync(s.index, "utf8")).toBe(expectedIndex(beforeIndex, s.expected));

    const undo = await runCli(["cleanup", "--undo", "--state-dir", s.state], { env });
    expect(undo.stderr).toBe("");
    expect(undo.code).toBe(0);
    const after = treeSnapshot(s.state);
    for (const b of Object.keys(after).filter((k) => /sessions\.json\.bak\.\d+$/.test(k))) delete after[b];
    expect(after).toEqual(before);
  });

  it("--undo that cannot put a file back names each one with why (stderr, --json notRestored and warnings), outcome partial, exit 0, nothing overwritten", async () => {
    const s = buildMainStore(live, dead);
    const env = cliEnv();
    const applied = await runJson(["cleanup", "--state-dir", s.state, "--no-probe", ...ACTIVE], { env });
    expect(applied.result.code).toBe(0);
    const dir = path.dirname(s.index);
    const archives = fs.readdirSync(dir).filter((f) => f.includes(".jsonl.deleted."));
    const transcriptArchive = (f: string) => /^[^.]+\.jsonl\.deleted\./.test(f);
    // a session whose transcript and trajectory were both archived: its transcript's archive is deleted
    const both = archives.filter(transcriptArchive).find((f) => archives.some((g) => g.startsWith(`${f.split(".")[0]}.trajectory.jsonl.deleted.`)))!;
    // another archived transcript: a file now holds its name
    const taken = archives.filter(transcriptArchive).find((f) => f.split(".")[0] !== both.split(".")[0])!;
    expect(both && taken).toBeTruthy();
    fs.rmSync(path.join(dir, both));
    const takenName = path.join(dir, taken.replace(/\.deleted\..*$/, ""));
    fs.writeFileSync(takenName, "mine\n");

    const undo = await runJson(["cleanup", "--undo", "--state-dir", s.state], { env });
    expect(undo.result.code, undo.result.stderr).toBe(0);
    const st = undo.doc.stores[0];
    expect(st.outcome).toBe("partial");
    const missing = path.join(dir, both.replace(/\.deleted\..*$/, ""));
    expect(st.notRestored).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: takenName, archive: path.join(dir, taken), why: expect.stringContaining("exists already (nothing overwritten") }),
        expect.objectContaining({ file: missing, why: expect.stringContaining("moved or deleted since the prune") }),
      ]),
    );
    expect(st.notRestored).toHaveLength(2);
    for (const n of st.notRestored) {
      expect(st.warnings).toContain(`${n.file} not restored: ${n.why}`);
      expect(undo.result.stderr).toContain(`openclaw-sessions: warning: ${n.file} not restored: ${n.why}`);
    }
    // kept: the file under the name, and the archive that could not go back
    expect(fs.readFileSync(takenName, "utf8")).toBe("mine\n");
    expect(fs.existsSync(path.join(dir, taken))).toBe(true);
  });

  it("--undo reports a session's only file whose archive was deleted since the prune (the audit line names the archive), outcome partial", async () => {
    const state = makeStateDir("ocs-cleanup-only-file-");
    const id = uuid(7);
    writeIndex(state, "main", { "agent:main:old": entry({ sessionId: id, updatedAt: NOW - 60 * D, status: "done" }) });
    const transcript = writeTranscript(transcriptPath(state, id), [line.header(id, NOW - 61 * D)]);
    const env = cliEnv();
    const pruned = await runJson(["cleanup", "--prune", "--state-dir", state, "--no-probe"], { env });
    expect(pruned.result.code, pruned.result.stderr).toBe(0);
    const archive = pruned.doc.stores[0].actions.find((a: { action: string }) => a.action === "archive").to as string;
    expect(fs.existsSync(archive) && !fs.existsSync(transcript)).toBe(true);
    fs.rmSync(archive);

    const undo = await runJson(["cleanup", "--undo", "--state-dir", state], { env });
    expect(undo.result.code, undo.result.stderr).toBe(0);
    const why = `not there, and the prune's archive of it (${path.basename(archive)}) is gone: moved or deleted since the prune`;
    expect(undo.doc.stores[0]).toMatchObject({ outcome: "partial", notRestored: [{ sessionKey: "agent:main:old", file: transcript, archive, why }] });
    expect(undo.result.stderr).toContain(`openclaw-sessions: warning: ${transcript} not restored: ${why}`);
    // the index is back all the same
    expect(Object.keys(readIndexFile(indexPath(state, "main")))).toEqual(["agent:main:old"]);
  });

  it("a prune logged before archives were recorded: --undo still reports a transcript whose archive is gone while its trajectory's came back", async () => {
    const state = makeStateDir("ocs-cleanup-old-log-");
    const id = uuid(8);
    writeIndex(state, "main", { "agent:main:old": entry({ sessionId: id, updatedAt: NOW - 60 * D, status: "done" }) });
    const transcript = writeTranscript(transcriptPath(state, id), [line.header(id, NOW - 61 * D)]);
    const trajectory = writeTrajectory(trajectoryPath(state, id), runEvents("r1", NOW - 61 * D));
    const env = cliEnv();
    const pruned = await runJson(["cleanup", "--prune", "--state-dir", state, "--no-probe"], { env });
    expect(pruned.result.code, pruned.result.stderr).toBe(0);
    const archives = pruned.doc.stores[0].actions.filter((a: { action: string }) => a.action === "archive").map((a: { to: string }) => a.to as string);
    fs.rmSync(archives.find((a: string) => path.basename(a).startsWith(`${id}.jsonl.`)));
    // the log as an older openclaw-sessions wrote it: no `archives` on the prune's line
    const log = auditPathOf(env);
    const lines = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => Array.isArray(l.archives))).toBe(true);
    fs.writeFileSync(log, lines.map(({ archives: _gone, ...l }) => `${JSON.stringify(l)}\n`).join(""));

    const undo = await runJson(["cleanup", "--undo", "--state-dir", state], { env });
    expect(undo.result.code, undo.result.stderr).toBe(0);
    expect(undo.doc.stores[0]).toMatchObject({ outcome: "partial", notRestored: [{ sessionKey: "agent:main:old", file: transcript, why: expect.stringMatching(/^not there, and no archive of it/) }] });
    expect(fs.existsSync(trajectory)).toBe(true);
  });

  it("entries keyed `__proto__` and `constructor` are pruned like any other, and --undo puts their transcripts back", async () => {
    const state = makeStateDir("ocs-cleanup-proto-");
    writeIndex(state, "main", {});
    const ids = { proto: uuid(1), ctor: uuid(2), kept: uuid(3) };
    const old = NOW - 60 * D;
    // written as text: in a JS object literal __proto__ would be the prototype, not a key
    const text = `{"__proto__": ${JSON.stringify(entry({ sessionId: ids.proto, updatedAt: old, status: "done" }))}, "constructor": ${JSON.stringify(entry({ sessionId: ids.ctor, updatedAt: old, status: "done" }))}, "agent:main:kept": ${JSON.stringify(entry({ sessionId: ids.kept, updatedAt: NOW - H, status: "done" }))}}`;
    fs.writeFileSync(indexPath(state, "main"), text);
    for (const id of Object.values(ids)) writeTranscript(transcriptPath(state, id), [line.header(id, old)]);
    const env = cliEnv();
    const pruned = await runJson(["cleanup", "--prune", "--state-dir", state, "--no-probe"], { env });
    expect(pruned.result.code, pruned.result.stderr).toBe(0);
    expect(pruned.doc.stores[0].actions.filter((a: any) => a.action === "prune").map((a: any) => a.sessionKey).sort()).toEqual(["__proto__", "constructor"]);
    expect(fs.existsSync(transcriptPath(state, ids.proto))).toBe(false);

    const undo = await runJson(["cleanup", "--undo", "--state-dir", state], { env });
    expect(undo.result.code, undo.result.stderr).toBe(0);
    expect(undo.doc.stores[0]).toMatchObject({ outcome: "restored", notRestored: [] });
    expect(undo.doc.stores[0].unarchived.map((u: any) => u.to).sort()).toEqual([transcriptPath(state, ids.proto), transcriptPath(state, ids.ctor)].sort());
    expect(fs.readFileSync(indexPath(state, "main"), "utf8")).toBe(text);
    for (const id of Object.values(ids)) expect(fs.existsSync(transcriptPath(state, id)), id).toBe(true);
  });

  it("exit 3: a corrupt index is named on stderr and left byte-identical", async () => {
    const state = makeStateDir("ocs-cleanup-corrupt-");
    const bad = indexPath(state, "main");
    fs.mkdirSync(path.dirname(bad), { recursive: true });
    fs.writeFileSync(bad, '{ "agent:main:main": {');
    const res = await runCli(["cleanup", "--state-dir", state, "--no-probe"], { env: cliEnv() });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/^openclaw-sessions: session index .*sessions\.json is not valid JSON.*nothing was read or written\n$/);
    expect(fs.readFileSync(bad, "utf8")).toBe('{ "agent:main:main": {');
  });

  it("exit 3: no store to act on (a misspelled --agent in a cron job), cleanup and --undo, saying why; nothing written", async () => {
    const s = buildMainStore(live, dead);
    const before = treeSnapshot(s.state);
    for (const undo of [[], ["--undo"]]) {
      const res = await runCli(["cleanup", ...undo, "--state-dir", s.state, "--agent", "nosuch", "--no-probe"], { env: cliEnv() });
      expect(res.code, undo.join(" ")).toBe(3);
      expect(res.stderr).toMatch(/^openclaw-sessions: nothing to (clean up|undo): agent nosuch has no session store: .*agents in .*: main\n$/);
    }
    expect(treeSnapshot(s.state)).toEqual(before);
  });

  it("exit 64: bad usage is one line on stderr, no stack, before anything is read", async () => {
    const state = makeStateDir("ocs-cleanup-usage-");
    const before = treeSnapshot(state);
    const res = await runCli(["cleanup", "--state-dir", state, "--finalize-stale", "--prune"], { env: cliEnv() });
    expect(res.code).toBe(64);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/^openclaw-sessions: --finalize-stale and --prune contradict each other: .*\n$/);
    expect(treeSnapshot(state)).toEqual(before);
  });

  it("exit 64: --dry-run given as another option's value, or an empty --store, writes nothing (they cleaned for real)", async () => {
    const s = buildMainStore(live, dead);
    const env = cliEnv();
    const before = treeSnapshot(s.state);
    for (const args of [
      ["--state-dir", s.state, "--active-key", "--dry-run"],
      ["--state-dir", s.state, "--profile", "--dry-run"],
      ["--store", ""],
    ]) {
      const res = await runCli(["cleanup", "--no-probe", ...args], { env: { ...env, OPENCLAW_STATE_DIR: s.state } });
      expect(res.code, res.stderr).toBe(64);
      expect(res.stderr).toMatch(/^openclaw-sessions: --(active-key|profile|store) (was given the option "--dry-run" as its value|is empty)/);
      expect(treeSnapshot(s.state)).toEqual(before);
    }
  });

  it("a prune never archives a file another index names: a backup cleaned with --store beside the live index, a sessionFile climbing into another agent, a copied agent naming the original's file", async () => {
    const state = makeStateDir("ocs-cleanup-others-");
    const env = cliEnv();
    const old = NOW - 60 * D;
    // the live index uses `shared` (active an hour ago); its backup still has it 60 days old
    const shared = "11111111-0000-4000-8000-000000000001";
    const mainDir = path.dirname(indexPath(state, "main"));
    writeIndex(state, "main", { "agent:main:shared": entry({ sessionId: shared, updatedAt: NOW - H, status: "done" }) });
    const backup = path.join(mainDir, "sessions.json.bak.1700000000000");
    fs.writeFileSync(backup, JSON.stringify({ "agent:main:shared": entry({ sessionId: shared, updatedAt: old, status: "done" }) }, null, 2));
    writeTranscript(transcriptPath(state, shared), [line.header(shared, old)]);
    // an ops session the ops index keeps, and a main entry whose relative sessionFile climbs to it
    const opsId = "22222222-0000-4000-8000-000000000002";
    writeIndex(state, "ops", { "agent:ops:keep": entry({ sessionId: opsId, updatedAt: NOW - H, status: "done" }) });
    writeTranscript(transcriptPath(state, opsId, "ops"), [line.header(opsId, old)]);
    const before = treeSnapshot(state);

    const fromBackup = await runJson(["cleanup", "--store", backup, "--prune", "--no-probe"], { env });
    expect(fromBackup.result.code, fromBackup.result.stderr).toBe(0);
    expect(JSON.stringify(fromBackup.doc)).toContain(`still named by agent:main:shared in ${indexPath(state, "main")}`);
    const after = treeSnapshot(state);
    for (const f of [transcriptPath(state, shared), indexPath(state, "main")]) expect(after[path.relative(state, f)]).toBe(before[path.relative(state, f)]);
    expect(Object.keys(after).filter((k) => k.includes(".deleted."))).toEqual([]);

    writeIndex(state, "main", { "agent:main:climb": entry({ sessionId: "climb-1", updatedAt: old, status: "done", sessionFile: `../../ops/sessions/${opsId}.jsonl` }) });
    const climbed = await runCli(["cleanup", "--state-dir", state, "--agent", "main", "--prune", "--no-probe"], { env });
    expect(climbed.code, climbed.stderr).toBe(0);
    expect(fs.existsSync(transcriptPath(state, opsId, "ops"))).toBe(true);
    expect(fs.readdirSync(path.dirname(transcriptPath(state, opsId, "ops"))).filter((f) => f.includes(".deleted."))).toEqual([]);
    expect(JSON.parse(fs.readFileSync(indexPath(state, "main"), "utf8"))).toEqual({});

    // a copied agent's live entry names main's file by absolute path: pruning main (alone) keeps it
    const copied = "33333333-0000-4000-8000-000000000003";
    const file = transcriptPath(state, copied);
    writeTranscript(file, [line.header(copied, old)]);
    writeIndex(state, "main", { "agent:main:old": entry({ sessionId: copied, updatedAt: old, status: "done", sessionFile: file }) });
    writeIndex(state, "copy", { "agent:copy:live": entry({ sessionId: copied, updatedAt: NOW - H, status: "done", sessionFile: file }) });
    const fromCopy = await runJson(["cleanup", "--state-dir", state, "--agent", "main", "--prune", "--no-probe"], { env });
    expect(fromCopy.result.code, fromCopy.result.stderr).toBe(0);
    expect(JSON.stringify(fromCopy.doc)).toContain(`still named by ${indexPath(state, "copy")}`);
    expect(fs.existsSync(file)).toBe(true);
    expect(JSON.parse(fs.readFileSync(indexPath(state, "main"), "utf8"))).toEqual({});
  });
});
