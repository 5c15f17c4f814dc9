import { describe, expect, it } from "vitest";
import { emptyPending } from "../../../src/store/live/pending.js";
import { routeChanges, type ChangeRouting } from "../../../src/store/live/route-changes.js";
import type { Cached, CachedStore } from "../../../src/store/live/session-cache.js";
import type { StoreChange } from "../../../src/store/watcher.js";

const DIR = "/state/agents/main/sessions";
const STORE_PATH = `${DIR}/sessions.json`;
const store = { ref: { agentId: "main", storePath: STORE_PATH }, dir: DIR } as CachedStore;
const session = (key: string) => ({ store, key }) as Cached;
const a = session("agent:main:a");
const b = session("agent:main:b");

/** The cache as routing sees it: store `main` in DIR, session a reads a.jsonl, b has session id "b-id". */
function routing(): ChangeRouting & { rearmedDirs: string[] } {
  const rearmedDirs: string[] = [];
  return {
    rearmedDirs,
    storesIn: (dir) => (dir === DIR ? [store] : []),
    sessionsIn: (dir) => (dir === DIR ? [a, b] : []),
    atPath: (file) => (file === `${DIR}/a.jsonl` ? new Set([a]) : undefined),
    withId: (id) => (id === "b-id" ? new Set([b]) : undefined),
    rearmed: (dir) => rearmedDirs.push(dir),
  };
}

const change = (dir: string, over: Partial<StoreChange>): StoreChange => ({ dir, names: new Set(), sessionIds: new Set(), index: false, rescan: false, ...over });

describe("routeChanges: what a batch of directory events makes the live source read again", () => {
  it("a changed transcript re-reads only the session reading it; the index is not re-read", () => {
    const p = emptyPending();
    routeChanges([change(DIR, { names: new Set(["a.jsonl"]) })], routing(), p);
    expect([...p.sessions.values()]).toEqual([{ storePath: STORE_PATH, key: "agent:main:a" }]);
    expect(p.stores.size).toBe(0);
    expect(p.targets).toBe(false);
  });

  it("a file at a path not read before is matched to its session by the session id in its name", () => {
    const p = emptyPending();
    routeChanges([change(DIR, { names: new Set(["b-id.trajectory.jsonl"]) })], routing(), p);
    expect([...p.sessions.values()].map((s) => s.key)).toEqual(["agent:main:b"]);
  });

  it("a changed index re-reads that index without forcing its sessions; an index where none was read re-selects the stores", () => {
    const p = emptyPending();
    routeChanges([change(DIR, { index: true }), change("/state/agents/new/sessions", { index: true })], routing(), p);
    expect([...p.stores]).toEqual([[STORE_PATH, false]]);
    expect(p.targets).toBe(true);
  });

  it("a rescan (events may be lost) forces a full re-read of the dir's stores and sessions and marks its watch working", () => {
    const r = routing();
    const p = emptyPending();
    routeChanges([change(DIR, { rescan: true, names: new Set(["ignored.jsonl"]) })], r, p);
    expect([...p.stores]).toEqual([[STORE_PATH, true]]);
    expect([...p.sessions.values()].map((s) => s.key).sort()).toEqual(["agent:main:a", "agent:main:b"]);
    expect(p.targets).toBe(true);
    expect(r.rearmedDirs).toEqual([DIR]);
  });

  it("names nobody reads queue nothing", () => {
    const p = emptyPending();
    routeChanges([change(DIR, { names: new Set(["unrelated.jsonl", "notes.txt"]) })], routing(), p);
    expect(p.sessions.size + p.stores.size).toBe(0);
    expect(p.targets).toBe(false);
  });
});
