// `watch --gateway` end to end without a terminal: the built CLI's NDJSON snapshots follow a
// fake gateway's events (streaming, then the tool, then the end, in order) and fall back to the
// files when the gateway goes away.
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeGateway } from "../../src/sim/gateway-ws.js";
import { makeStateDir, makeTempDir, writeGatewayLock } from "../fixtures/store-builder.js";
import { procStartTime, useOwners } from "./helpers/cli.js";
import { snapLabel, watchJson } from "./helpers/watch-json.js";
import { ID, KEY, idleStore, startRun } from "./watch-fixture.js";

const { live } = useOwners();
const children: ChildProcess[] = [];
const gateways: FakeGateway[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const g of gateways.splice(0)) await g.stop();
});

describe("watch --gateway", () => {
  it("shows streaming, then tool_exec with the tool's name, then the end, in order; a stopped gateway falls back to files", async () => {
    const state = makeStateDir();
    idleStore(state);
    startRun(state, live);
    const gateway = new FakeGateway({ sessions: [{ key: KEY, sessionId: ID, status: "running", hasActiveRun: true }] });
    gateways.push(gateway);
    const port = await gateway.start();
    const tmp = makeTempDir("ocs-watch-gw-tmp-");
    writeGatewayLock(tmp, path.join(state, "openclaw.json"), { pid: process.pid, startTime: procStartTime(process.pid), createdAt: Date.now() - 60_000, port });

    // each step is played once the previous one shows in a snapshot
    const steps: Array<[string, () => void | Promise<void>]> = [
      ["awaiting_model", () => gateway.agent(KEY, "run-5", "assistant", { delta: "Looking" })],
      ["streaming", () => gateway.agent(KEY, "run-5", "item", { kind: "tool", phase: "start", name: "exec", toolCallId: "c1" })],
      ["tool_exec:exec", () => gateway.agent(KEY, "run-5", "lifecycle", { phase: "end" })],
      ["complete", () => gateway.stop()],
    ];
    const seen: string[] = [];
    let listed = false;
    gateway.on("request", (m: string) => {
      if (m === "sessions.list") listed = true;
    });
    const done = new Promise<void>((resolve) => {
      children.push(watchJson(KEY, ["--state-dir", state, "--no-probe", "--gateway", "--interval", "0.1"], { TMPDIR: tmp, XDG_STATE_HOME: makeTempDir("ocs-watch-gw-xdg-") }, (s) => {
        const label = snapLabel(s);
        if (seen.at(-1) !== label) seen.push(label);
        if (!listed) return;
        const next = steps[0];
        if (next && label.startsWith(next[0]) && (next[0] !== "awaiting_model" || s.source !== "gateway")) {
          steps.shift();
          void next[1]();
        }
        if (steps.length === 0 && s.source === "files") resolve();
      }));
    });
    await done;
    expect(seen).toEqual(["awaiting_model (files)", "streaming", "tool_exec:exec", "complete", "awaiting_model (files)"]);
  });

  it("with no gateway running: says once on stderr why, and streams what the files say", async () => {
    const state = makeStateDir();
    idleStore(state);
    const tmp = makeTempDir("ocs-watch-gw-none-");
    let snaps = 0;
    let stderr = "";
    const enough = new Promise<void>((resolve) => {
      const child = watchJson(KEY, ["--state-dir", state, "--no-probe", "--gateway", "--interval", "0.1"], { TMPDIR: tmp, XDG_STATE_HOME: makeTempDir("ocs-watch-gw-xdg-") }, (snap) => {
        expect(snap.source).toBe("files");
        if (++snaps === 5) resolve();
      });
      child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      children.push(child);
    });
    await enough;
    const lines = stderr.split("\n").filter((l) => l.startsWith("warning: --gateway:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: --gateway: no gateway is running for .*openclaw\.json \(no singleton lock\); showing what the files say$/);
  });
});
