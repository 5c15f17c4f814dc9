// Captures a real era C state dir as a committed fixture (test/fixtures/real-openclaw-c-older/),
// the way test/fixtures/real-openclaw-c/README.md describes for the 2026.9.6 stores: each agent
// DB is copied (live: the SQLite backup API through a read-only connection; dead: a plain copy
// of the main file with its -wal/-shm, opened only as that copy), machine paths are rewritten to
// /home/operator/.openclaw (OpenClaw's triggers dropped and recreated verbatim, FTS rebuilt), and
// a VACUUM sets 1 KiB pages. Beside it: captured-at.txt, listing.txt (the live tree with the raw
// -wal/-shm sizes), proc-locks.txt, summary.txt (the rows a reader judges from), and the global
// DB's non-empty tables as text (credentials omitted). Used by era-c-live.test.ts when
// INTEROP_CAPTURE_ERA_C=1 (see test/fixtures/real-openclaw-c-older/README.md).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { INTEROP_NODE, REPO_ROOT, type Sandbox } from "./support.js";

interface Statement {
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Array<Record<string, unknown>>;
  run(...params: unknown[]): unknown;
}
interface Db {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  close(): void;
}
// node:sqlite exists on the Node 24 the interop tests run on; @types/node 20 does not declare it
const sqlite = createRequire(import.meta.url)("node:sqlite") as {
  DatabaseSync: new (path: string, opts?: { readOnly?: boolean; timeout?: number; defensive?: boolean }) => Db;
  backup: (source: Db, dest: string) => Promise<number>;
};

export const OLDER_FIXTURES = path.join(REPO_ROOT, "test", "fixtures", "real-openclaw-c-older");
/** INTEROP_CAPTURE_ERA_C=1: era-c-live.test.ts writes its points into OLDER_FIXTURES/<version>/<run>. */
export const CAPTURE = process.env.INTEROP_CAPTURE_ERA_C === "1";

const OPERATOR_STATE = "/home/operator/.openclaw";

/** Machine path -> capture path, longest first (the 9.6 fixtures' rewrite). */
function rewrites(box: Sandbox, entry: string): Array<[string, string]> {
  const nodeModules = entry.slice(0, entry.lastIndexOf("/node_modules/") + "/node_modules".length);
  const pairs: Array<[string, string]> = [
    [box.stateDir, OPERATOR_STATE],
    [path.join(box.root, "workspace"), `${OPERATOR_STATE}/workspace`],
    [path.join(box.root, "logs"), "/home/operator/.openclaw-logs"],
    [box.home, "/home/operator"],
    [box.tmp, "/tmp"],
    [box.root, "/home/operator"],
    [nodeModules, "/usr/lib/node_modules"],
    [INTEROP_NODE, "/usr/local/bin/node"],
    [fs.realpathSync(INTEROP_NODE), "/usr/local/bin/node"],
    // only in proc-locks.txt: the test's own poller (test/interop/era-c-poller.mjs)
    [REPO_ROOT, "<openclaw-sessions>"],
  ];
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

function rewriteText(text: string, pairs: Array<[string, string]>): string {
  for (const [from, to] of pairs) text = text.split(from).join(to);
  return text;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Rewrites machine paths in every text column of a DB copy, then VACUUMs it into 1 KiB pages.
 * Triggers are dropped around the UPDATEs and recreated from their own SQL (so OpenClaw's
 * `entry_valid` and append-only guards are untouched); FTS5 indexes are rebuilt.
 */
function rewriteAndVacuum(file: string, pairs: Array<[string, string]>): void {
  // not defensive: the FTS5 `_content` shadow tables are rewritten too, then each index rebuilt
  const db = new sqlite.DatabaseSync(file, { defensive: false });
  try {
    db.exec("PRAGMA journal_mode=DELETE");
    const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>;
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string; sql: string | null }>;
    const virtual = tables.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql ?? "")).map((t) => t.name);
    const shadow = (name: string) => virtual.some((v) => name.startsWith(`${v}_`) && /_(data|idx|docsize|config)$/.test(name));
    db.exec("BEGIN");
    for (const t of triggers) db.exec(`DROP TRIGGER ${q(t.name)}`);
    for (const t of tables) {
      if (t.name.startsWith("sqlite_") || virtual.includes(t.name) || shadow(t.name)) continue;
      const cols = db.prepare(`SELECT name, hidden FROM pragma_table_xinfo(${q(t.name).replace(/"/g, "'")})`).all() as Array<{ name: string; hidden: number }>;
      for (const c of cols.filter((c) => c.hidden === 0)) {
        for (const [from, to] of pairs) {
          db.prepare(`UPDATE ${q(t.name)} SET ${q(c.name)} = replace(${q(c.name)}, ?, ?) WHERE typeof(${q(c.name)}) = 'text' AND instr(${q(c.name)}, ?) > 0`).run(from, to, from);
        }
      }
    }
    for (const v of tables.filter((t) => virtual.includes(t.name) && /fts5/i.test(t.sql ?? "") && !/content\s*=\s*''/i.test(t.sql ?? ""))) {
      db.exec(`INSERT INTO ${q(v.name)}(${q(v.name)}) VALUES('rebuild')`);
    }
    for (const t of triggers) db.exec(t.sql);
    db.exec("COMMIT");
    db.exec("PRAGMA page_size = 1024; VACUUM; PRAGMA journal_mode = WAL;");
  } finally {
    db.close();
  }
}

/** Text that still names this machine after the rewrite (reported, not fatal). Reads a temp copy: an open beside the fixture would create -wal/-shm there. */
function leftovers(file: string, needles: string[]): string[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "oc-capture-left-"));
  fs.copyFileSync(file, path.join(tmp, "db.sqlite"));
  const db = new sqlite.DatabaseSync(path.join(tmp, "db.sqlite"), { readOnly: true });
  const out: string[] = [];
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'").all() as Array<{ name: string }>;
    for (const t of tables) {
      const cols = db.prepare(`SELECT name FROM pragma_table_info('${t.name}')`).all() as Array<{ name: string }>;
      for (const c of cols) {
        for (const n of needles) {
          const r = db.prepare(`SELECT count(*) AS c FROM ${q(t.name)} WHERE typeof(${q(c.name)}) = 'text' AND instr(${q(c.name)}, ?) > 0`).get(n) as { c: number };
          if (r.c > 0) out.push(`${t.name}.${c.name}: ${r.c} rows name ${n}`);
        }
      }
    }
  } finally {
    db.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

function walk(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const rec = (rel: string) => {
    const abs = path.join(dir, rel);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      if (e.isDirectory() && !skip(r)) rec(r);
    }
  };
  rec("");
  return out;
}

function listing(dir: string, pairs: Array<[string, string]>): string {
  const lines: string[] = [];
  for (const rel of walk(dir, (r) => r === "cache" || r.startsWith("cache/"))) {
    const abs = path.join(dir, rel);
    const st = fs.lstatSync(abs, { bigint: true });
    const kind = st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : "-";
    const mtime = new Date(Number(st.mtimeNs / 1_000_000n)).toISOString().replace("Z", `${String(st.mtimeNs % 1_000_000n).padStart(6, "0")}Z`);
    const link = st.isSymbolicLink() ? ` -> ${rewriteText(fs.readlinkSync(abs), pairs)}` : "";
    lines.push(`${kind}${(Number(st.mode) & 0o777).toString(8)} ${String(st.size).padStart(9)} ${mtime} ./${rel}${link}`);
  }
  return lines.join("\n");
}

/** /proc/locks lines on files under `dirs`, with the owner's process title. */
function procLocks(dirs: string[], pairs: Array<[string, string]>): string[] {
  const byIno = new Map<string, string>();
  for (const d of dirs) {
    for (const rel of walk(d)) {
      try {
        byIno.set(String(fs.statSync(path.join(d, rel)).ino), path.join(d, rel));
      } catch {
        // gone
      }
    }
  }
  const out: string[] = [];
  for (const line of fs.readFileSync("/proc/locks", "utf8").split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const ino = f[5]!.split(":")[2];
    const file = ino ? byIno.get(ino) : undefined;
    if (!file) continue;
    let owner = "(exited)";
    try {
      const argv = fs.readFileSync(`/proc/${f[4]}/cmdline`, "utf8").split("\0").filter(Boolean);
      owner = argv.length ? short(rewriteText(argv.join(" "), pairs), 160) : "(exiting)";
    } catch {
      // exited
    }
    out.push(`${line}  ${rewriteText(file, pairs)}  owner=${owner}`);
  }
  return out;
}

const CREDENTIAL_TABLES = /^(device_auth_tokens|device_identities|device_pairing_paired|config_revision_keys|.*secret.*|.*credential.*|auth_.*)$/;
const BOOKKEEPING_TABLES = /^(config_machine_state|migration_sources|cron_jobs)$/;

/** The non-empty tables of a global DB as text (the 9.6 fixtures' sqlite-dumps). */
function dumpTables(file: string, title: string, pairs: Array<[string, string]>): string {
  const db = new sqlite.DatabaseSync(file, { readOnly: true });
  const lines = [`# Non-empty tables of ${title} at snapshot time (from a copy; machine paths rewritten).`];
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name").all() as Array<{ name: string }>;
    for (const { name } of tables) {
      const n = (db.prepare(`SELECT count(*) AS c FROM ${q(name)}`).get() as { c: number }).c;
      if (n === 0) continue;
      if (CREDENTIAL_TABLES.test(name)) {
        lines.push(`## ${name}: (rows omitted: credentials)`);
        continue;
      }
      if (BOOKKEEPING_TABLES.test(name)) {
        lines.push(`## ${name}: (rows omitted: ${name === "cron_jobs" ? "built-in cron declarations" : "plugin index / config bookkeeping"}, ${n} rows)`);
        continue;
      }
      const rows = db.prepare(`SELECT * FROM ${q(name)} LIMIT 200`).all();
      lines.push(`## ${name}`);
      lines.push(Object.keys(rows[0]!).join(" | "));
      for (const r of rows) {
        lines.push(
          Object.values(r)
            .map((v) => (v === null ? "" : v instanceof Uint8Array ? `<blob ${v.byteLength} bytes>` : rewriteText(String(v), pairs).replace(/\n/g, "\\n")))
            .join(" | "),
        );
      }
    }
  } finally {
    db.close();
  }
  return `${lines.join("\n")}\n`;
}

const iso = (ms: unknown) => (typeof ms === "number" ? new Date(ms).toISOString() : ms === null || ms === undefined ? "null" : String(ms));
const short = (s: string, n = 70) => (s.length > n ? `${s.slice(0, n)}…` : s).replace(/\n/g, " ");

function columns(db: Db, table: string): Set<string> {
  return new Set((db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{ name: string }>).map((r) => r.name));
}

/** One transcript event, as summary.txt prints it. */
function describeEvent(json: string | null, zstd: boolean): string {
  if (json === null) return zstd ? "(zstd-compressed)" : "(no event_json)";
  let e: Record<string, any>;
  try {
    e = JSON.parse(json);
  } catch {
    return "(unparsable)";
  }
  const m = e.message as Record<string, any> | undefined;
  if (e.type === "message" && m) {
    const parts = Array.isArray(m.content) ? m.content : [{ type: "text", text: String(m.content ?? "") }];
    const bits = parts.map((p: Record<string, any>) =>
      p.type === "text" ? short(String(p.text ?? "")) : p.type === "toolCall" ? `toolCall ${p.name} ${short(JSON.stringify(p.arguments ?? {}), 50)}` : `[${p.type}]`,
    );
    const role = m.role === "toolResult" ? `toolResult(${m.toolName ?? "?"}${m.isError ? ", error" : ""})` : m.role;
    return `${role}${m.stopReason ? `[${m.stopReason}]` : ""}: ${bits.join(" / ")}`;
  }
  return `${e.type}${e.customType ? `=${e.customType}` : ""}`;
}

/** The rows a reader judges each session from, per agent DB, and the global task_runs. */
function summarize(stateDirCopy: string, run: string, version: string, lockLines: string[], lockFiles: string[], pairs: Array<[string, string]>, globalDb: string | undefined, notes: string[]): string {
  const out: string[] = [`snapshot: ${version}/${run} (state/ = the OPENCLAW_STATE_DIR copy; OpenClaw ${version})`];
  out.push("gateway lock dir: state/tmp/openclaw-0/");
  out.push(...lockFiles.map((l) => `  ${l}`));
  out.push(`POSIX locks held at capture (${lockLines.length}):`);
  out.push(...lockLines.map((l) => `  ${l.replace(/^\d+:\s+/, "").replace(/\s+/g, " ")}`));
  const agentsDir = path.join(stateDirCopy, "agents");
  for (const agent of fs.existsSync(agentsDir) ? fs.readdirSync(agentsDir).sort() : []) {
    const dbFile = path.join(agentsDir, agent, "agent", "openclaw-agent.sqlite");
    if (!fs.existsSync(dbFile)) continue;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "oc-capture-sum-"));
    fs.copyFileSync(dbFile, path.join(tmp, "db.sqlite"));
    const db = new sqlite.DatabaseSync(path.join(tmp, "db.sqlite"), { readOnly: true });
    try {
      const uv = (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
      const meta = db.prepare("SELECT * FROM schema_meta").all();
      const files = fs.readdirSync(path.join(agentsDir, agent, "agent")).sort().join(" ");
      out.push(`agent ${agent}: user_version=${uv} schema_meta=${JSON.stringify(meta)} files=${files} sessions/=${fs.existsSync(path.join(agentsDir, agent, "sessions")) ? "present" : "(absent)"}`);
      const tcols = columns(db, "transcript_events");
      const hasZstd = tcols.has("event_zstd");
      const hasTraj = columns(db, "trajectory_runtime_events").size > 0;
      out.push(`  transcript_events columns: ${[...tcols].join(", ")}${hasTraj ? "" : "; no trajectory_runtime_events table"}`);
      const nodes = db.prepare("SELECT * FROM session_nodes ORDER BY session_key").all();
      for (const node of nodes) {
        const sid = node.current_session_id as string;
        out.push(`  ${node.session_key}  sid=${sid}`);
        out.push(`    node: status=${node.status} updated_at=${iso(node.updated_at)} entry_valid=${node.entry_valid} created_via=${node.created_via ?? "-"}`);
        let entry: Record<string, unknown> = {};
        try {
          entry = JSON.parse(String(node.entry_json));
        } catch {
          // reported as empty
        }
        const pick = ["status", "startedAt", "endedAt", "runtimeMs", "updatedAt", "abortedLastRun", "activeWriterRunId", "lastRunId", "lifecycleRunId", "restartRecoveryDeliveryRunId", "lastRunError"];
        out.push(`    entry: ${pick.map((k) => `${k}=${k.endsWith("At") ? iso(entry[k]) : JSON.stringify(entry[k] ?? null)}`).join(" ")}`);
        const w = db.prepare("SELECT * FROM session_windows WHERE session_id = ?").get(sid);
        out.push(
          w
            ? `    window: status=${w.status} started_at=${iso(w.started_at)} ended_at=${iso(w.ended_at)} updated_at=${iso(w.updated_at)} transcript_updated_at=${iso(w.transcript_updated_at)} reason=${w.reason}`
            : "    window: (none)",
        );
        const ev = db.prepare(`SELECT seq, event_json${hasZstd ? ", event_zstd IS NOT NULL AS z" : ", 0 AS z"} FROM transcript_events WHERE session_id = ? ORDER BY seq`).all(sid);
        const z = ev.filter((e) => e.z).length;
        out.push(`    transcript: ${ev.length} events${hasZstd ? ` (${z} zstd-compressed)` : " (no event_zstd column)"}`);
        for (const e of ev) out.push(`      ${e.seq}: ${describeEvent(e.event_json as string | null, Boolean(e.z))}`);
        if (hasTraj) {
          const tr = db.prepare("SELECT seq, run_id, event_json FROM trajectory_runtime_events WHERE session_id = ? ORDER BY seq").all(sid);
          out.push(`    trajectory: ${tr.length} events`);
          const runs = new Map<string, string[]>();
          for (const t of tr) {
            let type = "?";
            try {
              const j = JSON.parse(String(t.event_json));
              type = j.type ?? j.event ?? "?";
              if (type === "session.ended") type += `(${j.data?.status ?? j.status ?? j.data?.outcome ?? "?"})`;
            } catch {
              // leave ?
            }
            const k = String(t.run_id).slice(0, 8);
            runs.set(k, [...(runs.get(k) ?? []), type]);
          }
          for (const [k, types] of runs) out.push(`      run ${k}: ${types.join(" > ")}`);
        }
      }
    } finally {
      db.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (globalDb && fs.existsSync(globalDb)) {
    const db = new sqlite.DatabaseSync(globalDb, { readOnly: true });
    try {
      const cols = columns(db, "task_runs");
      out.push(`global task_runs (state/openclaw.sqlite; user_version=${(db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version}; execution_owner_pid column ${cols.has("execution_owner_pid") ? "present" : "ABSENT"}):`);
      if (cols.size > 0) {
        for (const r of db.prepare("SELECT * FROM task_runs ORDER BY created_at").all()) {
          out.push(
            `  ${r.requester_session_key} run=${String(r.run_id).slice(0, 8)} status=${r.status} ownerPid=${r.execution_owner_pid ?? "-"} ownerStart=${r.execution_owner_start_identity ?? "-"} ended=${iso(r.ended_at ?? undefined)} error=${r.error ?? "-"}`,
          );
        }
      }
    } finally {
      db.close();
    }
  }
  if (notes.length) out.push("notes:", ...notes.map((n) => `  ${n}`));
  return `${rewriteText(out.join("\n"), pairs)}\n`;
}

export interface CaptureRequest {
  version: string;
  run: string;
  box: Sandbox;
  /** the openclaw entry (its node_modules dir is rewritten to /usr/lib/node_modules) */
  entry: string;
  /** an owner is alive: copy through the backup API with a read-only connection */
  live: boolean;
  notes?: string[];
}

/** Copies one agent DB (or the global DB) to `dest`: live via backup, dead via a plain copy of the trio. */
async function copyDb(src: string, dest: string, live: boolean): Promise<void> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  if (live) {
    const db = new sqlite.DatabaseSync(src, { readOnly: true, timeout: 5000 });
    try {
      await sqlite.backup(db, dest);
    } finally {
      db.close();
    }
    return;
  }
  for (const sfx of ["", "-wal", "-shm"]) if (fs.existsSync(src + sfx)) fs.copyFileSync(src + sfx, dest + sfx);
  // open the COPY once read-write: SQLite replays the WAL into it and removes the pair on close
  const db = new sqlite.DatabaseSync(dest);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  for (const sfx of ["-wal", "-shm"]) fs.rmSync(dest + sfx, { force: true });
}

/** Writes test/fixtures/real-openclaw-c-older/<version>/<run>/; returns the dir and what it holds. */
export async function captureEraC(req: CaptureRequest): Promise<{ dir: string; report: string }> {
  const capturedAt = new Date().toISOString();
  const { box, version, run } = req;
  const pairs = rewrites(box, req.entry);
  const uid = os.userInfo().uid;
  const dir = path.join(OLDER_FIXTURES, version, run);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const stateOut = path.join(dir, "state");
  const notes = [...(req.notes ?? [])];

  // evidence first, while it is true: locks, lock JSON, the tree
  const hostLocks = `/tmp/openclaw-state-locks-${uid}`;
  const lockLines = procLocks([box.stateDir, box.tmp, hostLocks], pairs);
  fs.writeFileSync(
    path.join(dir, "proc-locks.txt"),
    `# /proc/locks lines on state-dir files (and $TMPDIR, ${hostLocks}/) at capture (pid = lock owner; 1073741824.. = SQLite lock bytes)\n${lockLines.join("\n")}${lockLines.length ? "\n" : ""}`,
  );
  fs.writeFileSync(path.join(dir, "captured-at.txt"), `captured_at=${capturedAt}\n`);
  const tmpdirLocks = path.join(box.tmp, `openclaw-${uid}`);
  fs.writeFileSync(
    path.join(dir, "listing.txt"),
    `# state dir at capture (cache/ not descended)\n${listing(box.stateDir, pairs)}\n# $TMPDIR/openclaw-${uid}/\n${fs.existsSync(tmpdirLocks) ? listing(tmpdirLocks, pairs) : "(absent)"}\n`,
  );

  const lockDir = path.join(box.stateDir, "tmp", `openclaw-${uid}`);
  const lockFiles: string[] = [];
  for (const [from, label] of [
    [lockDir, "state/tmp"],
    [tmpdirLocks, "$TMPDIR"],
  ] as const) {
    if (!fs.existsSync(from)) continue;
    const to = label === "state/tmp" ? path.join(stateOut, "tmp", "openclaw-0") : path.join(dir, "tmpdir", "openclaw-0");
    fs.mkdirSync(to, { recursive: true });
    for (const f of fs.readdirSync(from).sort()) {
      const abs = path.join(from, f);
      if (!fs.statSync(abs).isFile()) continue;
      if (f.endsWith(".lock")) {
        const text = rewriteText(fs.readFileSync(abs, "utf8"), pairs);
        fs.writeFileSync(path.join(to, f), text);
        let shown = text.trim();
        try {
          shown = JSON.stringify(JSON.parse(text));
        } catch {
          // not JSON: as written
        }
        lockFiles.push(`${label}/openclaw-0/${f}: ${shown} (${fs.statSync(abs).size} bytes as written)`);
      } else {
        fs.copyFileSync(abs, path.join(to, f));
        lockFiles.push(`${label}/openclaw-0/${f}: ${fs.statSync(abs).size} bytes`);
      }
    }
    if (label === "$TMPDIR") notes.push(`lock files found under $TMPDIR/openclaw-${uid}/ (copied to tmpdir/openclaw-0/)`);
  }
  const agentCli = path.join(box.stateDir, "tmp", "agent-cli", "openclaw");
  if (fs.existsSync(agentCli)) {
    fs.mkdirSync(path.join(stateOut, "tmp", "agent-cli"), { recursive: true });
    fs.writeFileSync(path.join(stateOut, "tmp", "agent-cli", "openclaw"), rewriteText(fs.readFileSync(agentCli, "utf8"), pairs));
  }
  fs.writeFileSync(path.join(stateOut, "openclaw.json"), rewriteText(fs.readFileSync(box.configPath, "utf8"), pairs));

  // the agent DBs (+ their small lock-object siblings, copied as they are)
  const leftoverNeedles = [box.root, REPO_ROOT, "/tmp/oc-drive"];
  const agentsDir = path.join(box.stateDir, "agents");
  for (const agent of fs.existsSync(agentsDir) ? fs.readdirSync(agentsDir) : []) {
    const from = path.join(agentsDir, agent, "agent");
    if (!fs.existsSync(from)) continue;
    const to = path.join(stateOut, "agents", agent, "agent");
    fs.mkdirSync(to, { recursive: true });
    for (const f of fs.readdirSync(from)) {
      const abs = path.join(from, f);
      if (!fs.statSync(abs).isFile()) continue;
      if (f === "openclaw-agent.sqlite") {
        await copyDb(abs, path.join(to, f), req.live);
        rewriteAndVacuum(path.join(to, f), pairs);
        for (const l of leftovers(path.join(to, f), leftoverNeedles)) notes.push(`agent ${agent} DB still names the capture machine: ${l}`);
      } else if (!/\.sqlite-(wal|shm)$/.test(f) && fs.statSync(abs).size <= 64 * 1024) {
        fs.copyFileSync(abs, path.join(to, f));
      }
    }
  }

  // the global DBs: their non-empty tables as text (the file itself stays out: credentials)
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "oc-capture-global-"));
  let globalCopy: string | undefined;
  try {
    for (const name of ["openclaw.sqlite", "openclaw-quarantine.sqlite"]) {
      const src = path.join(box.stateDir, "state", name);
      if (!fs.existsSync(src)) continue;
      const copy = path.join(scratch, name);
      await copyDb(src, copy, req.live);
      if (name === "openclaw.sqlite") globalCopy = copy;
      fs.mkdirSync(path.join(dir, "sqlite-dumps", "state"), { recursive: true });
      fs.writeFileSync(path.join(dir, "sqlite-dumps", "state", `${name}.txt`), dumpTables(copy, `state/${name}`, pairs));
    }
    const summary = summarize(stateOut, run, version, lockLines, lockFiles, pairs, globalCopy, notes);
    fs.writeFileSync(path.join(dir, "summary.txt"), summary);
    return { dir, report: summary };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
