import { describe, expect, it } from "vitest";
import { lockBodyFields } from "../../src/store/lock-body.js";

describe("lockBodyFields: every lock body is read by this one reader", () => {
  it.each([
    ["a transcript lock", '{"pid":42,"createdAt":"2026-07-01T12:00:00.000Z","starttime":123,"maxHoldMs":900000}', { pid: 42, createdAt: Date.parse("2026-07-01T12:00:00.000Z"), starttime: 123, maxHoldMs: 900000 }],
    ["the gateway singleton lock (startTime, port, configPath)", '{"pid":7,"startTime":55,"port":18789,"configPath":"/c/openclaw.json"}', { pid: 7, starttime: 55, port: 18789, configPath: "/c/openclaw.json" }],
    ["an era C embedded run's singleton lock", '{"pid":7,"role":"agent-embedded"}', { pid: 7, role: "agent-embedded" }],
    ["our keepalive pid file", '{"pid":9,"starttime":1,"hostname":"h","startedAt":"2026-07-01T12:00:00.000Z"}', { pid: 9, starttime: 1, hostname: "h", startedAt: "2026-07-01T12:00:00.000Z" }],
    ["our store lock's owner file", '{"pid":9,"hostname":"h","acquiredAt":"2026-07-01T12:00:00.000Z"}', { pid: 9, hostname: "h", acquiredAt: "2026-07-01T12:00:00.000Z" }],
    ["fields of the wrong type or out of range are absent", '{"pid":0,"createdAt":"yesterday","port":70000,"starttime":"1","role":3}', {}],
    ["a negative or fractional pid is no pid", '{"pid":-4.5}', {}],
  ])("%s", (_name, body, fields) => {
    expect(lockBodyFields(body)).toEqual(fields);
  });

  it.each([[""], ["{"], ["[1]"], ["null"], ["42"]])("%j is not a lock body (empty, half written, not an object)", (body) => {
    expect(lockBodyFields(body)).toBeUndefined();
  });
});
