import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CliError, UnreadableError } from "../../src/core/errors.js";
import { agentIdFromStorePath, listAgentIds, normalizeAgentId, selectStores } from "../../src/store/agents.js";
import { indexPath, makeStateDir, writeIndex } from "../fixtures/store-builder.js";

describe("agents", () => {
  it("lists config agents, then valid agent dirs on disk; main when none", () => {
    const state = makeStateDir();
    expect(listAgentIds(state, {})).toEqual(["main"]);
    for (const d of ["zeta", "alpha", "Bad.Name", "-x"]) fs.mkdirSync(path.join(state, "agents", d), { recursive: true });
    fs.writeFileSync(path.join(state, "agents", "file"), "");
    expect(listAgentIds(state, { agents: { list: [{ id: "Work" }, { id: "zeta" }] } })).toEqual(["work", "zeta", "alpha"]);
  });

  it("normalizes ids the OpenClaw way", () => {
    expect(normalizeAgentId("  ")).toBe("main");
    expect(normalizeAgentId("My Agent!")).toBe("my-agent");
    expect(normalizeAgentId("ok_id-1")).toBe("ok_id-1");
  });

  it("infers the agent from a store path", () => {
    expect(agentIdFromStorePath("/s/agents/work/sessions/sessions.json")).toBe("work");
    expect(agentIdFromStorePath("/elsewhere/sessions.json")).toBe("main");
    expect(agentIdFromStorePath("/s/agents/ops/agent/openclaw-agent.sqlite")).toBe("ops");
    expect(agentIdFromStorePath("/backups/openclaw-agent.sqlite")).toBe("main");
  });

  it("--agent picks one store, --store one file, otherwise every agent", () => {
    const state = makeStateDir();
    writeIndex(state, "main", {});
    writeIndex(state, "work", {});
    expect(selectStores(state, {}, {}, {}).map((s) => s.agentId)).toEqual(["main", "work"]);
    expect(selectStores(state, {}, { agent: "work" }, {})).toEqual([{ agentId: "work", storePath: indexPath(state, "work"), explicit: true }]);
    expect(selectStores(state, {}, { store: indexPath(state, "work") }, {})).toEqual([{ agentId: "work", storePath: indexPath(state, "work"), explicit: true }]);
  });

  it("--store naming a missing file is unreadable; --store with --agent is a usage error", () => {
    const state = makeStateDir();
    expect(() => selectStores(state, {}, { store: path.join(state, "nope.json") }, {})).toThrow(UnreadableError);
    expect(() => selectStores(state, {}, { store: "x", agent: "main" }, {})).toThrow(CliError);
  });

  it("honours session.store with {agentId}, and reads a shared store once", () => {
    const state = makeStateDir();
    fs.mkdirSync(path.join(state, "agents", "work"), { recursive: true });
    const perAgent = selectStores(state, { session: { store: path.join(state, "idx", "{agentId}.json") } }, {}, {});
    expect(perAgent.map((s) => s.storePath)).toEqual([path.join(state, "idx", "work.json")]);
    const shared = selectStores(state, { agents: { list: [{ id: "main" }, { id: "work" }] }, session: { store: "/shared/sessions.json" } }, {}, {});
    expect(shared).toEqual([{ agentId: "main", storePath: "/shared/sessions.json", explicit: false }]);
  });

  it("a shared session.store is read once, as the first JSON-era agent's; each era C agent keeps its own", async () => {
    const state = makeStateDir();
    const { sqlite } = await import("../fixtures/real-openclaw-c.js");
    const { DatabaseSync } = sqlite();
    for (const id of ["main", "ops"]) {
      fs.mkdirSync(path.join(state, "agents", id, "agent"), { recursive: true });
      const db = new DatabaseSync(path.join(state, "agents", id, "agent", "openclaw-agent.sqlite"));
      db.exec("CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY)");
      db.close();
    }
    fs.mkdirSync(path.join(state, "agents", "work"), { recursive: true });
    // an agent database that cannot be read may hold sessions: it keeps its own store too
    fs.mkdirSync(path.join(state, "agents", "bad", "agent"), { recursive: true });
    fs.writeFileSync(path.join(state, "agents", "bad", "agent", "openclaw-agent.sqlite"), "garbage\n");
    const config = { agents: { list: [{ id: "main" }, { id: "work" }, { id: "ops" }, { id: "qa" }, { id: "bad" }] }, session: { store: "/shared/sessions.json" } };
    expect(selectStores(state, config, {}, {}).map((s) => s.agentId)).toEqual(["main", "work", "ops", "bad"]);
  });
});
