// Which sessions.changed events evict a session (reset, /new, delete), and which sessionId leaves:
// the event's own, else the one the gateway last listed under the key (7.1's delete names none).
import { describe, expect, it } from "vitest";
import { evictionOf } from "../../src/gateway/open-overlay.js";
import { evictionDrain } from "../../src/server/gateway.js";

const KEY = "agent:main:main";
const listed = { [KEY]: { sessionKey: KEY, sessionId: "listed-id" } };

describe("evictionOf", () => {
  it.each([
    [{ key: KEY, reason: "reset", sessionId: "old-id" }, { sessionKey: KEY, reason: "reset", sessionId: "old-id", at: 5 }],
    [{ key: KEY, reason: "new" }, { sessionKey: KEY, reason: "new", sessionId: "listed-id", at: 5 }],
    [{ sessionKey: KEY, reason: "delete" }, { sessionKey: KEY, reason: "delete", sessionId: "listed-id", at: 5 }],
    [{ key: "agent:main:unlisted", reason: "delete" }, { sessionKey: "agent:main:unlisted", reason: "delete", at: 5 }],
  ])("%j is an eviction", (payload, expected) => {
    expect(evictionOf(payload, listed, 5)).toEqual(expected);
  });

  it.each([[{ key: KEY, reason: "patch" }], [{ reason: "cleanup" }], [{ key: KEY, reason: "archive" }], [{ key: "", reason: "reset" }], [null], ["reset"]])("%j is not", (payload) => {
    expect(evictionOf(payload, listed, 5)).toBeUndefined();
  });
});

describe("evictionDrain", () => {
  it("a reset or /new drains as reset, a delete as deleted; the key names the agent", () => {
    expect(evictionDrain({ sessionKey: "agent:ops:x", reason: "new", sessionId: "s", at: 1 })).toEqual({ sessionKey: "agent:ops:x", agentId: "ops", sessionId: "s", reason: "reset" });
    expect(evictionDrain({ sessionKey: "legacy", reason: "delete", at: 1 })).toEqual({ sessionKey: "legacy", reason: "deleted" });
  });
});
