import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expandUserPath, locate, locateConfigPath, locateStateDir, placeInAgentsTree, resolveHome } from "../../src/store/locate.js";
import { makeTempDir } from "../fixtures/store-builder.js";

describe("resolveHome", () => {
  it("prefers OPENCLAW_HOME, expanding ~ against HOME", () => {
    expect(resolveHome({ HOME: "/h", OPENCLAW_HOME: "/oc" })).toBe("/oc");
    expect(resolveHome({ HOME: "/h", OPENCLAW_HOME: "~/sub" })).toBe("/h/sub");
    expect(resolveHome({ HOME: "/h" })).toBe("/h");
    expect(resolveHome({ HOME: "/h", OPENCLAW_HOME: "  " })).toBe("/h");
    expect(resolveHome({ HOME: "/h", OPENCLAW_HOME: "undefined" })).toBe("/h");
  });
});

describe("locateStateDir", () => {
  it("takes --state-dir over everything, then OPENCLAW_STATE_DIR", () => {
    const env = { HOME: "/h", OPENCLAW_STATE_DIR: "/env-state" };
    expect(locateStateDir({ stateDir: "/opt/s", profile: "x" }, env)).toEqual({ stateDir: "/opt/s", source: "option" });
    expect(locateStateDir({}, env)).toEqual({ stateDir: "/env-state", source: "env" });
    expect(locateStateDir({}, { HOME: "/h", OPENCLAW_STATE_DIR: "~/st" }).stateDir).toBe("/h/st");
  });

  it("a --store inside an agents tree names that tree's state dir (over OPENCLAW_STATE_DIR and the default); --state-dir still wins; a store elsewhere changes nothing", () => {
    const env = { HOME: "/home/u", OPENCLAW_STATE_DIR: "/srv/other" };
    expect(locateStateDir({ store: "/data/oc/agents/main/sessions/sessions.json" }, env)).toEqual({ stateDir: "/data/oc", source: "store" });
    expect(locateStateDir({ store: "/data/oc/agents/ops/agent/openclaw-agent.sqlite" }, env)).toEqual({ stateDir: "/data/oc", source: "store" });
    expect(locateStateDir({ store: "~/.openclaw/agents/main/sessions/sessions.json" }, { HOME: "/home/u" })).toEqual({ stateDir: "/home/u/.openclaw", source: "store" });
    expect(locateStateDir({ store: "/data/oc/agents/main/sessions/sessions.json", stateDir: "/explicit" }, env)).toEqual({ stateDir: "/explicit", source: "option" });
    expect(locateStateDir({ store: "/backups/sessions.json" }, env)).toEqual({ stateDir: "/srv/other", source: "env" });
    expect(locate({ store: "/data/oc/agents/ops/agent/openclaw-agent.sqlite" }, { HOME: "/home/u" }).configPath).toBe("/data/oc/openclaw.json");
  });

  it("lets OPENCLAW_STATE_DIR win over --profile, as OpenClaw does", () => {
    expect(locateStateDir({ profile: "work" }, { HOME: "/h", OPENCLAW_STATE_DIR: "/e" }).stateDir).toBe("/e");
  });

  it("maps --profile NAME to <home>/.openclaw-NAME (and 'default' to .openclaw)", () => {
    expect(locateStateDir({ profile: "work" }, { HOME: "/h" })).toEqual({ stateDir: "/h/.openclaw-work", source: "profile" });
    expect(locateStateDir({ profile: "work" }, { HOME: "/h", OPENCLAW_HOME: "/oc" }).stateDir).toBe("/oc/.openclaw-work");
    expect(locateStateDir({ profile: "default" }, { HOME: "/h" }).stateDir).toBe("/h/.openclaw");
  });

  it("defaults to <home>/.openclaw, falling back to an existing legacy ~/.clawdbot", () => {
    const home = makeTempDir();
    expect(locateStateDir({}, { HOME: home })).toEqual({ stateDir: path.join(home, ".openclaw"), source: "default" });
    fs.mkdirSync(path.join(home, ".clawdbot"));
    expect(locateStateDir({}, { HOME: home })).toEqual({ stateDir: path.join(home, ".clawdbot"), source: "legacy" });
    fs.mkdirSync(path.join(home, ".openclaw"));
    expect(locateStateDir({}, { HOME: home })).toEqual({ stateDir: path.join(home, ".openclaw"), source: "default" });
  });
});

describe("locateConfigPath", () => {
  it("uses OPENCLAW_CONFIG_PATH, else <stateDir>/openclaw.json", () => {
    expect(locateConfigPath("/s", { HOME: "/h", OPENCLAW_CONFIG_PATH: "~/c.json5" })).toBe("/h/c.json5");
    expect(locateConfigPath("/s", { HOME: "/h" })).toBe("/s/openclaw.json");
  });

  it("uses a legacy clawdbot.json only when openclaw.json is missing", () => {
    const state = makeTempDir();
    fs.writeFileSync(path.join(state, "clawdbot.json"), "{}");
    expect(locateConfigPath(state, { HOME: "/h" })).toBe(path.join(state, "clawdbot.json"));
    fs.writeFileSync(path.join(state, "openclaw.json"), "{}");
    expect(locateConfigPath(state, { HOME: "/h" })).toBe(path.join(state, "openclaw.json"));
  });

  it("locate() combines both", () => {
    expect(locate({ profile: "p" }, { HOME: "/h" })).toEqual({ stateDir: "/h/.openclaw-p", configPath: "/h/.openclaw-p/openclaw.json", source: "profile" });
  });

  it("expandUserPath resolves relative paths and ~", () => {
    expect(expandUserPath("~", { HOME: "/h" })).toBe("/h");
    expect(expandUserPath("rel/x", { HOME: "/h" })).toBe(path.resolve("rel/x"));
  });
});

describe("placeInAgentsTree", () => {
  it.each([
    ["a sessions.json", "/s/agents/work/sessions/sessions.json", "sessions", { stateDir: "/s", agentId: "work" }],
    ["an era C agent database", "/s/agents/main/agent/openclaw-agent.sqlite", "agent", { stateDir: "/s", agentId: "main" }],
    ["a sessions.json asked for as an agent database", "/s/agents/work/sessions/sessions.json", "agent", undefined],
    ["a copy outside any agents tree", "/backup/sessions/sessions.json", "sessions", undefined],
    ["a relative path, resolved first", "agents/ops/sessions/sessions.json", "sessions", { stateDir: process.cwd(), agentId: "ops" }],
  ] as const)("%s", (_name, file, dir, place) => {
    expect(placeInAgentsTree(file, dir)).toEqual(place);
  });

  it("a path through a symlinked dir is placed where the dir really is; a symlinked file where its path is", () => {
    const state = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ocs-place-")));
    const sessions = path.join(state, "agents", "main", "sessions");
    fs.mkdirSync(sessions, { recursive: true });
    const elsewhere = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ocs-place-link-")));
    fs.symlinkSync(sessions, path.join(elsewhere, "link"));
    expect(placeInAgentsTree(path.join(elsewhere, "link", "sessions.json"), "sessions")).toEqual({ stateDir: state, agentId: "main" });
    // OpenClaw opens the tree's path: a sessions.json there that links out is still that agent's
    fs.symlinkSync(path.join(elsewhere, "x.json"), path.join(sessions, "sessions.json"));
    expect(placeInAgentsTree(path.join(sessions, "sessions.json"), "sessions")).toEqual({ stateDir: state, agentId: "main" });
    expect(placeInAgentsTree(path.join(elsewhere, "nowhere", "sessions.json"), "sessions")).toBeUndefined();
    // a link elsewhere to the tree's file is that file
    const db = path.join(state, "agents", "ops", "agent", "openclaw-agent.sqlite");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.writeFileSync(db, "");
    fs.symlinkSync(db, path.join(elsewhere, "file.sqlite"));
    expect(placeInAgentsTree(path.join(elsewhere, "file.sqlite"), "agent")).toEqual({ stateDir: state, agentId: "ops" });
  });
});
