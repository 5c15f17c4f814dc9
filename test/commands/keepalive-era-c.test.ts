// keepalive's notice for era C stores (never written by keepalive, so it runs on any Node): what it
// says about reading them, by whether this Node can.
import { describe, expect, it } from "vitest";
import type { StoreRef } from "../../src/core/types.js";
import { eraCKeepaliveNotice } from "../../src/commands/keepalive-era-c.js";

const STORES: StoreRef[] = [{ agentId: "main", storePath: "/s/agents/main/agent/openclaw-agent.sqlite", era: "C" }];
const AT = Date.parse("2026-12-01T12:00:00.000Z");

describe("eraCKeepaliveNotice", () => {
  it("on a Node that cannot read era C: adds that status and watch need Node 24 to read them, naming this Node", () => {
    const notice = eraCKeepaliveNotice(STORES, {}, AT, false, "20.20.2");
    expect(notice.message).toMatch(
      /^agent main \(\/s\/agents\/main\/agent\/openclaw-agent\.sqlite\): OpenClaw 2026\.8\+ SQLite, never written by keepalive \(status and watch need Node 24 to read them; this is Node 20\.20\.2\); OpenClaw's idle reset .*; nothing else to keep alive$/,
    );
  });

  it("on a Node that reads era C: no word of Node", () => {
    const notice = eraCKeepaliveNotice(STORES, {}, AT, true);
    expect(notice.message).toMatch(/^agent main \(.*\): OpenClaw 2026\.8\+ SQLite, never written by keepalive; OpenClaw's idle reset .*; keeping the other stores alive$/);
    expect(notice.message).not.toMatch(/Node/);
  });
});
