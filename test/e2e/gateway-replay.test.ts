// `watch --gateway` (the built CLI) against the fake gateway replaying what a real 2026.9.6
// gateway sent during one scripted turn (test/fixtures/gateway-frames).
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadRecording, turnPieces } from "../fixtures/gateway-recordings.js";
import { useReplayStates } from "../fixtures/replay-state.js";
import { snapLabel, watchJson } from "./helpers/watch-json.js";

const REC = loadRecording("2026.9.6");
const KEY = REC.sessionKey;
const children: ChildProcess[] = [];
const { setup } = useReplayStates(REC, () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

describe("the real 2026.9.6 recording replayed", () => {
  // status --gateway on the same recording runs in-process, on a fake listen window, in
  // test/commands/status-gateway-replay.test.ts

  it("watch --gateway sees awaiting_model, streaming, tool_exec exec, awaiting_model, streaming, complete, then the files", async () => {
    const { state, gateway, env } = await setup();
    // each piece of the turn is replayed once the state the previous one leads to shows
    const pieces = turnPieces(REC);
    const seen: string[] = [];
    // undefined: replay the first piece on the first snapshot
    let waitingFor: string | undefined;
    const done = new Promise<void>((resolve) => {
      children.push(
        watchJson(KEY, ["--state-dir", state, "--no-probe", "--gateway", "--interval", "0.1"], env, (s) => {
          const label = snapLabel(s);
          if (seen.at(-1) !== label) seen.push(label);
          const next = pieces[0];
          if (next && (waitingFor === undefined || waitingFor === label)) {
            pieces.shift();
            waitingFor = next.leadsTo;
            void gateway.replay(next.frames, { maxGapMs: 2 });
          }
          if (pieces.length === 0 && s.source === "files") resolve();
        }),
      );
    });
    await done;
    expect(seen).toEqual(["awaiting_model (files)", "awaiting_model", "streaming", "tool_exec:exec", "awaiting_model", "streaming", "complete", "awaiting_model (files)"]);
  });
});
