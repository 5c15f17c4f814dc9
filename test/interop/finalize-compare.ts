// The field-by-field comparison of issue 11: OpenClaw's own restart recovery vs our
// `cleanup --finalize-stale`, on two copies of the same dead `running` row. Every difference is
// either listed below with why it is acceptable, or a failure.

export const COMPARED_FIELDS = ["status", "abortedLastRun", "endedAt", "runtimeMs", "updatedAt"] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

type Row = Record<string, unknown>;

export interface CaseResult {
  version: string;
  situation: string;
  key: string;
  /** the row as the crash left it */
  before: Row | undefined;
  /** after OpenClaw's restart recovery (copy 1) */
  theirs: Row | undefined;
  /** after our cleanup --finalize-stale (copy 2) */
  ours: Row | undefined;
  /** OpenClaw re-ran the interrupted turn (a model request carrying its "[System] ... interrupted" message) */
  resumed: boolean;
  /** recovery still had the row `running` when we stopped waiting */
  recoveryUnfinished: boolean;
  /** the rule our cleanup's --json plan named for the row (src/core/health/repair.ts) */
  ourRule?: string;
}

export interface FieldVerdict {
  field: ComparedField;
  theirs: unknown;
  ours: unknown;
  verdict: "same" | "accepted" | "UNEXPECTED";
  why: string;
}

/** What OpenClaw's recovery writes for a dead run it does not resume (OPENCLAW.md 8.7, issue 11). */
export const RECOVERY_WRITES = { status: "failed", abortedLastRun: true, runtimeMs: undefined } as const;

interface Accepted {
  field: ComparedField;
  why: string;
  holds: (c: CaseResult, theirs: unknown, ours: unknown) => boolean;
}

const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const lastActivityBound = (c: CaseResult) => (num(c.before?.updatedAt) ? (c.before!.updatedAt as number) : -Infinity);

/** The accepted, justified differences. Anything else that differs fails the test. */
export const ACCEPTED: Accepted[] = [
  {
    field: "endedAt",
    why:
      "OpenClaw stamps its own restart time (it cannot know when the owner died); we stamp the last " +
      "evidence of activity, which is earlier and no earlier than the run's start",
    holds: (c, theirs, ours) =>
      num(theirs) && num(ours) && ours <= theirs && (!num(c.before?.startedAt) || ours >= (c.before!.startedAt as number)),
  },
  {
    field: "updatedAt",
    why:
      "OpenClaw's recovery stamps its own restart time; ours is max(the crashed row's updatedAt, our endedAt): " +
      "never moved backwards, and no later than OpenClaw's",
    holds: (c, theirs, ours) => num(theirs) && num(ours) && ours >= lastActivityBound(c) && ours <= theirs,
  },
  // 2026.4.26's restart recovery only repairs `running` rows whose stale transcript lock it
  // removes (markRestartAbortedMainSessionsFromLocks in its main-session-restart-recovery); a
  // gateway stopped with SIGTERM removed that lock on the way out, so the row stays `running`
  // for good. Such a row is what cleanup exists for: we write what recovery writes for a dead
  // run it finds (and what 2026.7.1's recovery writes for the same crash).
  ...(["status", "abortedLastRun", "runtimeMs", "endedAt"] as const).map(
    (field): Accepted => ({
      field,
      why:
        "OpenClaw 2026.4.26's recovery leaves a `running` row without a transcript lock (a SIGTERMed gateway removes it) " +
        "running for good: it only repairs rows whose stale lock it cleans; we write what its recovery writes for a dead run",
      holds: (c, theirs, ours) =>
        c.version.startsWith("2026.4.") &&
        c.recoveryUnfinished &&
        (field === "endedAt" ? theirs === undefined && num(ours) && ours >= lastActivityBoundOrStart(c) : ours === RECOVERY_WRITES[field]),
    }),
  ),
  // OpenClaw resumed the turn: its row is the NEW run's outcome. No outside tool can run a turn,
  // so we write what recovery writes for a run it does not resume.
  ...(["status", "abortedLastRun", "runtimeMs", "endedAt"] as const).map(
    (field): Accepted => ({
      field,
      why: "OpenClaw resumed the interrupted turn (a new run); an outside tool cannot, so we write what recovery writes for a run it does not resume",
      holds: (c, _theirs, ours) =>
        c.resumed &&
        (field === "endedAt" ? num(ours) && ours >= lastActivityBoundOrStart(c) : ours === RECOVERY_WRITES[field]),
    }),
  ),
  // The run recorded its end (session.ended) and its gateway died before writing the status (seen
  // on 2026.4.26 under load: the `--timeout` row caught `running` with abortedLastRun already
  // set). Recovery does not read the trajectory and fails it as a dead run; we write what that
  // gateway writes for the recorded end (DESIGN.md: the status the gateway would have written),
  // runtimeMs included. abortedLastRun is not accepted here: it must match.
  ...(["status", "runtimeMs"] as const).map(
    (field): Accepted => ({
      field,
      why:
        "the run recorded its end before its gateway died without writing the status: we write what that gateway writes for " +
        "the recorded end; OpenClaw's recovery does not read the trajectory and writes a dead run's `failed`",
      holds: (c, theirs, ours) =>
        c.ourRule === "run-ended" &&
        theirs === RECOVERY_WRITES[field] &&
        (field === "status" ? typeof ours === "string" && ours !== "running" : num(ours) && ours >= 0),
    }),
  ),
];

function lastActivityBoundOrStart(c: CaseResult): number {
  return num(c.before?.startedAt) ? (c.before!.startedAt as number) : -Infinity;
}

export function compareCase(c: CaseResult): FieldVerdict[] {
  return COMPARED_FIELDS.map((field) => {
    const theirs = c.theirs?.[field];
    const ours = c.ours?.[field];
    if (c.theirs === undefined || c.ours === undefined) {
      return { field, theirs, ours, verdict: "UNEXPECTED", why: "the row is missing after repair" };
    }
    if (Object.is(theirs, ours) || JSON.stringify(theirs) === JSON.stringify(ours)) {
      return { field, theirs, ours, verdict: "same", why: "" };
    }
    const ok = ACCEPTED.find((a) => a.field === field && a.holds(c, theirs, ours));
    if (ok) return { field, theirs, ours, verdict: "accepted", why: ok.why };
    return { field, theirs, ours, verdict: "UNEXPECTED", why: "not in the accepted list" };
  });
}

function show(v: unknown, base: unknown): string {
  if (v === undefined) return "(absent)";
  if (num(v) && num(base) && v > 1e12) {
    const d = v - base;
    return `${d >= 0 ? "+" : ""}${(d / 1000).toFixed(1)} s`;
  }
  return JSON.stringify(v);
}

const HEADER = [
  "# `cleanup --finalize-stale` vs OpenClaw's own restart recovery",
  "",
  "Generated by `test/interop/finalize-vs-recovery.test.ts` (`npm run test:interop`); each version's",
  "section is replaced by the run that measured it. Each situation drives a real OpenClaw gateway",
  "against the scripted model until a run is interrupted, copies the state dir, lets OpenClaw's next",
  "gateway start repair one copy and our `cleanup --finalize-stale --stale-after 1s` (gateway",
  "stopped) repair the other, and compares the row. Times are relative to the crashed row's",
  "`startedAt`. `resumed`: OpenClaw re-ran the turn instead of ending it.",
  "",
  "Then real OpenClaw reads our result back: `openclaw sessions --json` on our copy, and a gateway",
  "start plus a new quick turn on a repaired session, once on OpenClaw's own repair and once on",
  "ours. The turn must exit alike, and for `status` and `abortedLastRun` either leave both copies",
  "with the same value or, where the repairs differ by an accepted difference, leave both as it",
  "found them (`sameTurnEffect`). The lines under each table say what the turn did.",
  "",
];

/** One version's section of docs/finalize-vs-openclaw.md. */
export function renderSection(version: string, cases: CaseResult[], generatedAt: Date, notes: string[]): string {
  const lines: string[] = [
    `<!-- version:${version} -->`,
    `## OpenClaw ${version} (measured ${generatedAt.toISOString()})`,
    "",
    "| situation | row at crash | resumed | field | OpenClaw recovery | ours | verdict |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const c of cases) {
    const base = c.before?.startedAt;
    const crashed = c.before ? `${String(c.before.status ?? "(no status)")}${c.before.abortedLastRun ? " +aborted" : ""}` : "(missing)";
    const resumed = c.resumed ? "yes" : c.recoveryUnfinished ? "still running" : "no";
    for (const v of compareCase(c)) {
      lines.push(
        `| ${c.situation} | ${crashed} | ${resumed} | ${v.field} | ${show(v.theirs, base)} | ${show(v.ours, base)} | ${v.verdict}${v.why ? `: ${v.why}` : ""} |`,
      );
    }
  }
  if (notes.length) lines.push("", ...notes.map((n) => `- ${n}`));
  lines.push("", `<!-- /version:${version} -->`);
  return lines.join("\n");
}

function acceptedList(): string {
  const seen = new Set<string>();
  for (const a of ACCEPTED) seen.add(`- \`${a.field}\`: ${a.why}.`);
  return ["## Accepted differences", "", ...seen, "", "Any other difference fails the test.", ""].join("\n");
}

/** The whole doc: the sections of `previous` for versions not in `sections` are kept. */
export function renderDoc(previous: string, sections: Map<string, string>, versionOrder: string[]): string {
  const kept = new Map<string, string>();
  for (const m of previous.matchAll(/<!-- version:(\S+) -->[\s\S]*?<!-- \/version:\1 -->/g)) kept.set(m[1]!, m[0]);
  for (const [v, text] of sections) kept.set(v, text);
  const order = [...new Set([...versionOrder, ...kept.keys()])].filter((v) => kept.has(v));
  return [...HEADER, ...order.map((v) => `${kept.get(v)}\n`), acceptedList()].join("\n");
}

/** A field of a repaired row before and after real OpenClaw ran a new turn on it. */
export interface TurnEffect {
  before: unknown;
  after: unknown;
}

/**
 * Whether a new turn treated a field of our repaired row as it treated the same field of
 * OpenClaw's own repair. Where both repairs wrote the same value, the turn must leave the same
 * value. Where they differ (only ever by a difference ACCEPTED above), the turn either brings
 * both to the same value or leaves both as they were: 2026.4.26 after a SIGTERM leaves its
 * `running` row running and our `failed` row failed (the status is left alone on both), while it
 * clears abortedLastRun on ours and theirs was already false (both end false).
 */
export function sameTurnEffect(theirs: TurnEffect, ours: TurnEffect): boolean {
  const same = (a: unknown, b: unknown) => Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);
  if (same(theirs.after, ours.after)) return true;
  if (same(theirs.before, ours.before)) return false;
  return same(theirs.before, theirs.after) && same(ours.before, ours.after);
}

/** Each finalized row's rule, from our `cleanup --json` output (an empty map if it is not that document). */
export function planRules(cleanupJson: string): Map<string, string> {
  const rules = new Map<string, string>();
  let doc: { stores?: Array<{ actions?: Array<{ action?: string; sessionKey?: string; rule?: string }> }> };
  try {
    doc = JSON.parse(cleanupJson) as typeof doc;
  } catch {
    return rules;
  }
  for (const store of doc.stores ?? []) {
    for (const a of store.actions ?? []) if (a.action === "finalize" && a.sessionKey && a.rule) rules.set(a.sessionKey, a.rule);
  }
  return rules;
}
