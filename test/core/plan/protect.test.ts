import { describe, expect, it } from "vitest";
import { isProtectedEntry, protectedBecause } from "../../../src/core/plan/protect.js";

describe("protectedBecause (OpenClaw's maintenance protection)", () => {
  it.each([
    ["agent:main:discord:group:123", "group/channel session key"],
    ["agent:main:slack:channel:C1", "group/channel session key"],
    ["AGENT:Main:Discord:GROUP:1", "group/channel session key"],
    ["agent:main:main:thread:99", "thread session key"],
    ["agent:main:telegram:dm:5:topic:2", "telegram topic session key"],
  ])("%s -> %s", (key, why) => expect(protectedBecause(key, undefined)).toBe(why));

  it.each([["group"], ["channel"], ["thread"]])("chatType %s (or origin.chatType) protects", (chatType) => {
    expect(protectedBecause("agent:main:x", { sessionId: "s", updatedAt: 0, chatType })).toBe(`chatType ${chatType}`);
    expect(isProtectedEntry("agent:main:x", { sessionId: "s", updatedAt: 0, origin: { chatType } })).toBe(true);
  });

  it.each([
    "agent:main:main",
    "agent:main:telegram:dm:123",
    "agent:main:subagent:u1",
    "agent:main:discord:group:1:subagent:u1",
    "agent:main:cron:job",
    "cron:job",
    "agent:main:cron:job:run:u2",
    "agent:main:hook:u3",
    "agent:main:node:n1",
    "agent:main:heartbeat",
    "agent:main:slack:channel:C1:heartbeat",
    "agent:main:acp:x",
  ])("%s is not protected", (key) => {
    expect(isProtectedEntry(key, { sessionId: "s", updatedAt: 0, chatType: key.includes("channel") ? "channel" : "direct" })).toBe(false);
  });
});
