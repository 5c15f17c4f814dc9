// The new index keeps the owner and group of the one it replaces, whoever runs the write; a
// user who may not give it that owner or group is refused (exit 4) instead of silently changing
// who may read the index. Needs root to make files of several users; the writer runs as nobody.
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../../../src/core/errors.js";
import { applyPatches } from "../../../src/store/writer/index.js";
import { applyOnce, giveStoreTo, IS_ROOT, NOBODY, removeOthersCopy } from "./helpers/as-user.js";
import { entry, makeStore, patchFor, type TempStore } from "./helpers/store.js";

// a group nobody is not in
const OTHER_GID = 1000;

let store: TempStore | undefined;
afterEach(() => {
  store?.cleanup();
  store = undefined;
});
afterAll(removeOthersCopy);

function owner(file: string): string {
  const st = fs.statSync(file);
  return `${st.uid}:${st.gid} ${(st.mode & 0o777).toString(8)}`;
}

describe.runIf(IS_ROOT)("owner and group of the index", () => {
  it("root writing a root-owned index keeps its group (root:1000 0640 stays root:1000, a gateway reading through the group keeps access)", async () => {
    store = makeStore({ a: entry("A", 1) }, 0o640);
    fs.chownSync(store.storePath, 0, OTHER_GID);
    const res = await applyPatches(store.storePath, [patchFor(store, "a", { status: "done" })], store.opts());
    expect(res.wrote).toBe(true);
    expect(owner(store.storePath)).toBe(`0:${OTHER_GID} 640`);
  });

  it("a user's index in a setgid directory of another group keeps the user's own group", () => {
    store = makeStore({ a: entry("A", 1) }, 0o640);
    giveStoreTo(store, NOBODY, NOBODY);
    const dir = path.dirname(store.storePath);
    fs.chownSync(dir, NOBODY, OTHER_GID);
    fs.chmodSync(dir, 0o2775); // new files there take group 1000
    const out = applyOnce(store, "a", { uid: NOBODY });
    expect(out.result).toEqual({ wrote: true });
    expect(store.read().a.status).toBe("done");
    expect(owner(store.storePath)).toBe(`${NOBODY}:${NOBODY} 640`);
  });

  it("a user who may not give the new file the index's group is refused (exit 4): index, owner and group unchanged, no temp file left", () => {
    store = makeStore({ a: entry("A", 1) }, 0o660);
    giveStoreTo(store, NOBODY, NOBODY);
    fs.chownSync(store.storePath, NOBODY, OTHER_GID);
    const before = store.bytes();
    const out = applyOnce(store, "a", { uid: NOBODY });
    expect(out.status).toBe(EXIT.writeRefused);
    expect(out.result?.message).toMatch(
      new RegExp(`cannot keep the owner and group ${NOBODY}:${OTHER_GID} of the file it replaces \\(EPERM: this user \\(uid ${NOBODY}\\) is not in group ${OTHER_GID}\\).*would change who may read it.*is unchanged`),
    );
    expect(store.bytes().equals(before)).toBe(true);
    expect(owner(store.storePath)).toBe(`${NOBODY}:${OTHER_GID} 660`);
    expect(store.dirFiles().filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
