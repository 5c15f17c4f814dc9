import { describe, expect, it } from "vitest";
import { deriveHeartbeat } from "../../../src/core/health/deriveHeartbeat.js";
import { EMBEDDED_NOT_RESUMED, ownerEraC, RESUMED_ON_GATEWAY_START } from "../../../src/core/health/ownerEraC.js";
import type { GatewayInfo, TaskRunInfo } from "../../../src/core/types.js";
import { ago, entry, evidence, NOW, TH, transcript } from "./evidence.js";

const gw = (alive: boolean, fields: Partial<GatewayInfo> = {}): GatewayInfo => ({
  alive,
  probe: "skipped",
  pid: 4242,
  startedAt: ago(600),
  lockPath: "/state/tmp/openclaw-0/gateway.abcd1234.lock",
  role: "gateway",
  posixLock: alive ? "held" : "free",
  ...fields,
});
const task = (status: string, owner: TaskRunInfo["owner"]): TaskRunInfo => ({ runId: "run-bbbb-2222", status, owner, ownerPid: 4242 });
const running = entry({ status: "running", startedAt: ago(30) });
const embeddedRow = entry({ startedAt: ago(30) });
/** a run of this gateway's whose task is run-bbbb-2222 */
const ownRun = entry({ status: "running", startedAt: ago(30), lifecycleRunId: "run-bbbb-2222" });

describe("ownerEraC: who can move an era C running row", () => {
  const cases: Array<[string, Parameters<typeof evidence>[0], string, RegExp]> = [
    ["no singleton lock at all: nobody", { entry: running, gateway: { alive: false, probe: "skipped" } }, "none", /no gateway or embedded run owns/],
    ["a copy in no state dir (a backup): no owner to look for, and no restart recovery promised", { entry: running, gateway: { alive: false, probe: "skipped", noStateDir: true } }, "none", /^this database sits in no state dir \(a copy or a backup\): there is no owner to look for, and OpenClaw does not open it$/],
    ["lock JSON left by a dead gateway: nobody until the next start", { entry: running, gateway: gw(false) }, "none", /gateway pid 4242 .* is dead .*left behind, no POSIX lock held/],
    ["live gateway, its running task names a live owner: the owner", { entry: running, gateway: gw(true), tasksKnown: true, task: task("running", "alive") }, "owner", /task run-bbbb is running, owned by live pid 4242/],
    ["gateway started 20 s ago, the running task's owner is dead: restart recovery pending", { entry: running, gateway: gw(true, { startedAt: ago(20) }), tasksKnown: true, task: task("running", "dead") }, "recovering", /owner pid 4242 is dead: restart recovery is pending/],
    ["gateway started 20 s ago, no task names the run: restart recovery pending", { entry: running, gateway: gw(true, { startedAt: ago(20) }), tasksKnown: true }, "recovering", /no task names this run: restart recovery/],
    ["gateway started 20 s ago, the latest task already cancelled: restart recovery pending", { entry: running, gateway: gw(true, { startedAt: ago(20) }), tasksKnown: true, task: task("cancelled", "dead") }, "recovering", /latest task run-bbbb is cancelled/],
    ["gateway up 10 min, a run started before it, no task: its restart recovery is over, nothing moves it", { entry: entry({ status: "running", startedAt: ago(3600) }), gateway: gw(true), tasksKnown: true }, "none", /no task names this run, and its restart recovery \(at its start 10m00s ago\) did not take this run up: nothing moves it until the next gateway start/],
    ["gateway up 10 min, a run it started that no task tracks (webchat, channels, subagents): the live gateway's, the lock decides", { entry: running, gateway: gw(true), tasksKnown: true }, "gateway", /no task tracks this run: chat, channel and subagent runs have none, so the lock decides/],
    ["gateway up 10 min, the session's latest task is an earlier turn's (succeeded): this run is the live gateway's", { entry: ownRun, gateway: gw(true), tasksKnown: true, task: { ...task("succeeded", "alive"), runId: "run-aaaa-1111", updatedAt: ago(300) } }, "gateway", /the session's latest, run-aaaa, is succeeded/],
    ["gateway up 10 min, this run's own task succeeded 5 min ago and the row still says running: nothing moves it", { entry: ownRun, gateway: gw(true), tasksKnown: true, task: { ...task("succeeded", "alive"), updatedAt: ago(300) } }, "none", /the latest task run-bbbb is succeeded, and its restart recovery/],
    ["gateway up 10 min, this run's own task succeeded 10 s ago: inside the window a run's end writes its task before its row", { entry: ownRun, gateway: gw(true), tasksKnown: true, task: { ...task("succeeded", "alive"), updatedAt: ago(10) } }, "recovering", /is succeeded: restart recovery is pending/],
    ["gateway up 10 min, this run's running task lost its owner: nothing moves it", { entry: ownRun, gateway: gw(true), tasksKnown: true, task: task("running", "dead") }, "none", /owner pid 4242 is dead, and its restart recovery/],
    ["live gateway that marked the row aborted after it started: restart recovery in progress", { entry: entry({ status: "running", startedAt: ago(900), abortedLastRun: true, updatedAt: ago(2) }), gateway: gw(true), tasksKnown: false }, "recovering", /marked this run aborted 2s ago: restart recovery is resuming it/],
    ["marked aborted by this gateway 5 min ago, not resumed yet: still in its recovery queue (dispatched within a capacity)", { entry: entry({ status: "running", startedAt: ago(900), abortedLastRun: true, updatedAt: ago(300) }), gateway: gw(true), tasksKnown: true }, "recovering", /marked this run aborted 5m00s ago: it waits in restart recovery's queue/],
    ["not marked, from before the gateway that started 10 min ago: its recovery passed it over, nothing moves it", { entry: entry({ status: "running", startedAt: ago(900), updatedAt: ago(900) }), gateway: gw(true), tasksKnown: true }, "none", /no task names this run, and its restart recovery .* did not take this run up/],
    ["abortedLastRun from before the live gateway started is not its recovery: the run predates it, and its recovery is over", { entry: entry({ status: "running", startedAt: ago(900), abortedLastRun: true, updatedAt: ago(800) }), gateway: gw(true), tasksKnown: false }, "none", /this run started 15m00s ago, before this gateway, and its restart recovery .* did not take this run up/],
    ["no global DB (a copy), a run from before the gateway that started 20 s ago: restart recovery pending", { entry: entry({ status: "running", startedAt: ago(900) }), gateway: gw(true, { startedAt: ago(20) }), tasksKnown: false }, "recovering", /before this gateway: restart recovery is pending/],
    ["live gateway, tasks unknown (copied store): the lock decides", { entry: running, gateway: gw(true), tasksKnown: false }, "gateway", /not readable here .* the lock decides/],
    ["live embedded run owning a row without status: the owner", { entry: embeddedRow, gateway: gw(true, { role: "agent-embedded" }) }, "owner", /embedded run pid 4242 \(started 10m00s ago\) holds the singleton lock, POSIX lock held/],
    ["a gateway row while an embedded run holds the lock: no gateway runs it", { entry: running, gateway: gw(true, { role: "agent-embedded" }) }, "none", /no gateway is running it/],
  ];
  for (const [name, fields, kind, reason] of cases) {
    it(name, () => {
      const live = ownerEraC(evidence({ era: "C", ...fields }), NOW);
      expect(live.kind).toBe(kind);
      expect(live.reason).toMatch(reason);
    });
  }

  it("a dead owner's gateway row is resumed on the next gateway start; an embedded one by nothing", () => {
    expect(ownerEraC(evidence({ era: "C", entry: running, gateway: gw(false) }), NOW).lost).toContain(RESUMED_ON_GATEWAY_START);
    expect(ownerEraC(evidence({ era: "C", entry: embeddedRow, gateway: gw(false, { role: "agent-embedded" }) }), NOW).reason).toContain(EMBEDDED_NOT_RESUMED);
  });
});

describe("deriveHeartbeat on era C evidence", () => {
  const waiting = transcript({ lastRole: "user", lastMessageAt: ago(29) });
  it("a running row whose owner died is unresponsive, with OpenClaw's recovery as the reason", () => {
    const hb = deriveHeartbeat(evidence({ era: "C", entry: running, transcript: waiting, gateway: gw(false) }), NOW, TH);
    expect(hb.health).toBe("unresponsive");
    expect(hb.state).toBe("awaiting_model");
    expect(hb.drift).toContain(RESUMED_ON_GATEWAY_START);
    expect(hb.era).toBe("C");
    expect(hb.source).toBe("db");
  });
  it("a turn restart recovery resumed a moment ago is waiting, not stalled: 2026.9.6 keeps the interrupted run's startedAt (interop era-c-chat-and-restart)", () => {
    // seen live: the 3rd of 3 queued rows dispatched 131 s after the kill; row startedAt and the
    // transcript's last user message 2m11s old, lifecycleRunId = the new run, whose task started 0.4 s ago
    const resumed = entry({ status: "running", startedAt: ago(131), updatedAt: ago(1), lifecycleRunId: "run-bbbb-2222" });
    const ownTask: TaskRunInfo = { ...task("running", "alive"), startedAt: ago(1), updatedAt: ago(1) };
    const old = transcript({ lastRole: "user", lastMessageAt: ago(136) });
    const hb = deriveHeartbeat(evidence({ era: "C", entry: resumed, transcript: old, gateway: gw(true, { startedAt: ago(113) }), tasksKnown: true, task: ownTask }), NOW, TH);
    expect(hb).toMatchObject({ state: "awaiting_model", health: "waiting" });
    // a run of its own task that has really waited past the limit still stalls
    const late = { ...ownTask, startedAt: ago(125) };
    const stalled = deriveHeartbeat(evidence({ era: "C", entry: resumed, transcript: old, gateway: gw(true, { startedAt: ago(200) }), tasksKnown: true, task: late }), NOW, TH);
    expect(stalled.health).toBe("stalled");
  });
  it("a running row of a live gateway without a running task waits on restart recovery while it can be running", () => {
    const hb = deriveHeartbeat(evidence({ era: "C", entry: running, transcript: waiting, gateway: gw(true, { startedAt: ago(20) }), tasksKnown: true }), NOW, TH);
    expect(hb.health).toBe("waiting");
    expect(hb.reasons.join("\n")).toMatch(/restart recovery is pending/);
  });
  it("a live gateway long past its start that runs no task for a running row leaves it unresponsive, its repair OpenClaw's next start (QA: 'waiting' for days)", () => {
    const hb = deriveHeartbeat(evidence({ era: "C", entry: ownRun, transcript: waiting, gateway: gw(true, { startedAt: ago(86_400) }), tasksKnown: true, task: { ...task("succeeded", "alive"), updatedAt: ago(3600) } }), NOW, TH);
    expect(hb.health).toBe("unresponsive");
    expect(hb.drift).toMatch(/the live gateway is not running it/);
    expect(hb.reasons.join("\n")).toMatch(/did not take this run up: nothing moves it until the next gateway start/);
  });
  it("a webchat run (no task) 90 s into a model wait under a gateway up 10 min is waiting, then stalled past the stall threshold: never unresponsive for want of a task", () => {
    const chat = evidence({ era: "C", entry: entry({ status: "running", startedAt: ago(90), updatedAt: ago(90) }), transcript: transcript({ lastRole: "user", lastMessageAt: ago(90), lastEntryAt: ago(90) }), gateway: gw(true), tasksKnown: true });
    expect(deriveHeartbeat(chat, NOW, TH)).toMatchObject({ state: "awaiting_model", health: "waiting" });
    expect(deriveHeartbeat(chat, NOW + 60_000, TH).health).toBe("stalled");
  });
  it("a running row owned by a live gateway task waits on the model", () => {
    const hb = deriveHeartbeat(evidence({ era: "C", entry: running, transcript: waiting, gateway: gw(true), tasksKnown: true, task: task("running", "alive") }), NOW, TH);
    expect([hb.state, hb.health]).toEqual(["awaiting_model", "waiting"]);
  });
  it("file-era evidence carries no era C fields", () => {
    const hb = deriveHeartbeat(evidence({ entry: running, transcript: waiting }), NOW, TH);
    expect(hb.era).toBeUndefined();
    expect(hb.source).toBeUndefined();
  });
});

describe("ownerEraC reasons read as one sentence", () => {
  it("a live gateway without a POSIX lock whose task owner died says 'but' once", () => {
    const ev = evidence({ era: "C", entry: entry({ status: "running", startedAt: ago(900) }), gateway: gw(true, { posixLock: "free" }), tasksKnown: true, task: { runId: "run-bbbb-1", status: "running", owner: "dead", ownerPid: 4242 } });
    const reason = ownerEraC(ev, NOW).reason;
    expect(reason).toMatch(/no POSIX lock held; task run-bbbb is running but its owner pid 4242 is dead/);
    expect(reason.match(/\bbut\b/g)).toHaveLength(1);
  });
});
