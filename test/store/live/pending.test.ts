import { describe, expect, it } from "vitest";
import { emptyPending, isEmptyPending, queueSession, queueStore } from "../../../src/store/live/pending.js";

describe("pending work of a live source", () => {
  it("a store queued for a full re-read is never downgraded by a later plain index change", () => {
    const p = emptyPending();
    queueStore(p, "/a/sessions.json", true);
    queueStore(p, "/a/sessions.json", false);
    expect(p.stores.get("/a/sessions.json")).toBe(true);
    queueStore(p, "/b/sessions.json", false);
    queueStore(p, "/b/sessions.json", true);
    expect(p.stores.get("/b/sessions.json")).toBe(true);
  });

  it("a session queued twice is read once; anything queued makes the batch non-empty", () => {
    const p = emptyPending();
    expect(isEmptyPending(p)).toBe(true);
    const c = { store: { ref: { agentId: "main", storePath: "/a/sessions.json" } }, key: "agent:main:main" };
    queueSession(p, c);
    queueSession(p, c);
    expect([...p.sessions.values()]).toEqual([{ storePath: "/a/sessions.json", key: "agent:main:main" }]);
    expect(isEmptyPending(p)).toBe(false);
    expect(isEmptyPending({ ...emptyPending(), gateway: true })).toBe(false);
  });
});
