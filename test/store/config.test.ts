import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UnreadableError } from "../../src/core/errors.js";
import {
  configuredModel,
  agentTimeoutSeconds,
  configuredAgentIds,
  gatewayPort,
  loadConfig,
  maintenanceConfig,
  resetConfig,
  sessionStorePath,
  stuckSessionWarnMs,
} from "../../src/store/config.js";
import { makeTempDir } from "../fixtures/store-builder.js";

function writeConfig(text: string): string {
  const p = path.join(makeTempDir(), "openclaw.json");
  fs.writeFileSync(p, text);
  return p;
}

describe("loadConfig", () => {
  it("reads JSON5: comments, unquoted keys, trailing commas", () => {
    const p = writeConfig(`{
      // comment
      session: { maintenance: { mode: "warn", pruneAfter: "7d", maxEntries: 200, }, },
      diagnostics: { stuckSessionWarnMs: 60000 },
    }`);
    const { config, found, warnings } = loadConfig(p);
    expect(found).toBe(true);
    expect(warnings).toEqual([]);
    expect(maintenanceConfig(config)).toEqual({ mode: "warn", pruneAfter: "7d", maxEntries: 200 });
    expect(stuckSessionWarnMs(config)).toBe(60000);
  });

  it("plain JSON (read without json5) gives what JSON5 gives, a __proto__ key kept as an own property", async () => {
    const text = `{"__proto__": {"polluted": 1}, "gateway": {"port": 19000}, "big": 1e400, "s": "a\\u2028b"}`;
    const { config } = loadConfig(writeConfig(text));
    const JSON5 = (await import("json5")).default;
    expect(config).toEqual(JSON5.parse(text));
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    expect(Object.keys(config)).toContain("__proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(gatewayPort(config, {})).toBe(19000);
  });

  it("treats a missing file as {}", () => {
    expect(loadConfig(path.join(makeTempDir(), "nope.json"))).toEqual({ config: {}, found: false, warnings: [] });
  });

  it("reports a bad file with its path and line:col, as an UnreadableError", () => {
    const p = writeConfig('{\n  session: {\n    store: "x",,\n  }\n}');
    let err: unknown;
    try {
      loadConfig(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnreadableError);
    expect((err as Error).message).toContain(p);
    expect((err as Error).message).toMatch(/ at 3:16: /);
    expect((err as Error).message).not.toContain("\n");
  });

  it("rejects a config whose top level is not an object", () => {
    expect(() => loadConfig(writeConfig("[1, 2]"))).toThrow(UnreadableError);
  });

  it("returns a warning (not an error) for each $include, keeping the rest", () => {
    const p = writeConfig(`{ $include: "./base.json5", agents: { $include: "./agents.json5", defaults: { timeoutSeconds: 60 } } }`);
    const { config, warnings } = loadConfig(p);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("top level");
    expect(warnings[1]).toContain("at agents");
    expect(agentTimeoutSeconds(config)).toBe(60);
  });

  it("warns of a stall or run timeout it cannot use as written, naming the default used instead", () => {
    const p = writeConfig(`{ diagnostics: { stuckSessionWarnMs: "1s" }, agents: { defaults: { timeoutSeconds: -5 } } }`);
    expect(loadConfig(p).warnings).toEqual([
      `${p}: diagnostics.stuckSessionWarnMs must be a positive number of milliseconds (got "1s"): stalls are judged after the default 2m00s`,
      `${p}: agents.defaults.timeoutSeconds must be a number of seconds (got -5): status, watch, serve and keepalive judge runs against OpenClaw's default 2d0h; cleanup refuses to run until it is fixed`,
    ]);
    expect(loadConfig(writeConfig(`{ diagnostics: { stuckSessionWarnMs: 60000 }, agents: { defaults: { timeoutSeconds: 0 } } }`)).warnings).toEqual([]);
  });
});

describe("config getters", () => {
  it("substitutes {agentId} in session.store and expands ~", () => {
    const config = { session: { store: "~/stores/{agentId}/sessions.json" } };
    expect(sessionStorePath(config, "work", { HOME: "/h" })).toBe("/h/stores/work/sessions.json");
    expect(sessionStorePath({}, "work", { HOME: "/h" })).toBeUndefined();
  });

  it("keeps raw values and ignores wrong types", () => {
    const config = {
      session: { maintenance: { pruneAfter: 30, maxEntries: "many" }, reset: { mode: "idle", atHour: 5, idleMinutes: 90 } },
      diagnostics: { stuckSessionWarnMs: "2m" },
      agents: { defaults: { timeoutSeconds: "x" }, list: [{ id: "main" }, { id: "Work" }, { name: "no id" }, "junk"] },
    };
    expect(maintenanceConfig(config)).toEqual({ mode: undefined, pruneAfter: 30, maxEntries: undefined });
    expect(resetConfig(config)).toEqual({ mode: "idle", atHour: 5, idleMinutes: 90 });
    expect(stuckSessionWarnMs(config)).toBe("2m");
    expect(agentTimeoutSeconds(config)).toBeUndefined();
    expect(configuredAgentIds(config)).toEqual(["main", "Work"]);
    expect(resetConfig({ session: "nope" })).toEqual({ mode: undefined, atHour: undefined, idleMinutes: undefined });
  });

  it("configured model: the agent's own (string or { primary }), else agents.defaults.model, else none", () => {
    const defaults = { agents: { defaults: { model: { primary: "fake/fake-1", fallbacks: ["x/y"] } } } };
    expect(configuredModel(defaults, "main")).toEqual({ model: "fake/fake-1", from: "default-config" });
    expect(configuredModel({ agents: { defaults: { model: "anthropic/claude" } } }, "main")).toEqual({ model: "anthropic/claude", from: "default-config" });
    const own = { agents: { ...defaults.agents, list: [{ id: "work", model: "openai/gpt" }, { id: "ops", model: { primary: "  " } }] } };
    expect(configuredModel(own, "work")).toEqual({ model: "openai/gpt", from: "agent-config" });
    // a blank agent model falls back to the defaults, as OpenClaw's resolvePrimaryModel does
    expect(configuredModel(own, "ops")).toEqual({ model: "fake/fake-1", from: "default-config" });
    expect(configuredModel({}, "main")).toBeUndefined();
    expect(configuredModel({ agents: { defaults: { model: 7 } } }, "main")).toBeUndefined();
  });

  it("gateway port: env (port or host:port), then config, then 18789", () => {
    expect(gatewayPort({}, {})).toBe(18789);
    expect(gatewayPort({ gateway: { port: 18999 } }, {})).toBe(18999);
    expect(gatewayPort({ gateway: { port: 18999 } }, { OPENCLAW_GATEWAY_PORT: "20000" })).toBe(20000);
    expect(gatewayPort({}, { OPENCLAW_GATEWAY_PORT: "127.0.0.1:20001" })).toBe(20001);
    expect(gatewayPort({}, { OPENCLAW_GATEWAY_PORT: "[::1]:20002" })).toBe(20002);
    expect(gatewayPort({ gateway: { port: 18999 } }, { OPENCLAW_GATEWAY_PORT: "bogus" })).toBe(18999);
    expect(gatewayPort({}, {}, "dev")).toBe(19001);
  });
});

describe("loadConfig: what is not a plain file", () => {
  it("a FIFO is refused at once, naming it", () => {
    const file = path.join(makeTempDir(), "openclaw.json");
    execFileSync("mkfifo", [file]);
    expect(() => loadConfig(file)).toThrow(`cannot read config: ${file} is a FIFO (named pipe), not a regular file`);
  });

  it("a byte-order mark is skipped, as OpenClaw's JSON5 skips it", () => {
    const file = path.join(makeTempDir(), "openclaw.json");
    fs.writeFileSync(file, "\ufeff{ session: { maintenance: { pruneAfter: '7d' } } }");
    expect(loadConfig(file).config).toEqual({ session: { maintenance: { pruneAfter: "7d" } } });
  });
});
