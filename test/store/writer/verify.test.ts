import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { applyPatches } from "../../../src/store/writer/index.js";
import type { AppliedChange } from "../../../src/store/writer/types.js";
import { findOverwritten } from "../../../src/store/writer/verify.js";
import { entry, makeStore, patchFor, type TempStore } from "./helpers/store.js";

const change = (sessionKey: string, set: Record<string, unknown>, more: Partial<AppliedChange> = {}): AppliedChange => ({
  sessionKey,
  sessionId: "S",
  action: "finalize",
  set,
  unset: [],
  previous: {},
  removed: false,
  reasons: [],
  ...more,
});

describe("findOverwritten", () => {
  const written = { k: entry("S", 10, { status: "done" }) };
  it.each([
    ["our value still there", { k: entry("S", 10, { status: "done" }) }, change("k", { status: "done" }), []],
    ["an older copy written over ours", { k: entry("S", 10, { status: "running" }) }, change("k", { status: "done" }), ["k"]],
    ["a later update (newer updatedAt)", { k: entry("S", 11, { status: "running" }) }, change("k", { status: "done" }), []],
    ["the session replaced", { k: entry("T", 10, { status: "running" }) }, change("k", { status: "done" }), []],
    ["the entry gone", {}, change("k", { status: "done" }), []],
    ["a removed entry written back", { k: entry("S", 10) }, change("k", {}, { removed: true }), ["k"]],
    ["a removed key reused by a new session", { k: entry("T", 10) }, change("k", {}, { removed: true }), []],
    ["a deleted field back again", { k: entry("S", 10, { status: "done", model: "m" }) }, change("k", {}, { unset: ["model"] }), ["k"]],
  ])("%s", (_n, current, c, want) => {
    expect(findOverwritten(current, written, [c])).toEqual(want);
  });
});

describe("the survival check after a write", () => {
  let store: TempStore | undefined;
  afterEach(() => {
    store?.cleanup();
    store = undefined;
  });

  it("reports a change an era B gateway overwrote with its older copy", async () => {
    store = makeStore({ a: entry("A", 1, { status: "running" }), b: entry("B", 1, { status: "running" }) });
    const old = store.bytes();
    const res = await applyPatches(
      store.storePath,
      [patchFor(store, "a", { status: "done" }), patchFor(store, "b", { status: "done" })],
      store.opts({
        era: "B",
        verifyAfterMs: 5,
        faults: {
          beforeVerify: () => {
            // the gateway's stale copy, except that b had a new run meanwhile
            const obj = JSON.parse(old.toString());
            obj.b = entry("B", 2, { status: "running" });
            fs.writeFileSync(store!.storePath, JSON.stringify(obj, null, 2));
          },
        },
      }),
    );
    expect(res.wrote).toBe(true);
    expect(res.overwritten).toEqual(["a"]);
  });

  it("reports nothing when the change survived", async () => {
    store = makeStore({ a: entry("A", 1) });
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts({ verifyAfterMs: 1 }));
    expect(res.overwritten).toEqual([]);
  });
});
